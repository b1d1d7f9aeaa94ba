//! D1's rows as D1 answers them: JSON objects, numbers as floats. Read by
//! the supervisor's D1 adapter and by what the bridge shapes from rows.

use crate::gemini::Usage;
use serde_json::Value;

/// A text column ("" when absent).
pub fn col_str(row: &Value, col: &str) -> String {
    row[col].as_str().unwrap_or_default().to_string()
}

/// A whole-number column (0 when absent).
pub fn col_u64(row: &Value, col: &str) -> u64 {
    row[col].as_f64().map_or(0, |f| f as u64)
}

/// The token counts of an `execution_traces` row.
pub fn usage_of(row: &Value) -> Usage {
    Usage {
        prompt_tokens: col_u64(row, "prompt_tokens") as u32,
        output_tokens: col_u64(row, "output_tokens") as u32,
        thoughts_tokens: col_u64(row, "thoughts_tokens") as u32,
        // Not stored: each trace's cost already priced it.
        cached_tokens: 0,
    }
}
