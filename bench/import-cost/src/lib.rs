//! One exported function that parses its input with the parser the feature
//! names, so the linker keeps exactly that parser (bench/import.sh).
#![allow(unsafe_code, missing_docs, unused_mut)]

/// Parses `len` bytes at `ptr`; how many statements or documents it found.
#[no_mangle]
pub extern "C" fn parse(ptr: *const u8, len: usize) -> usize {
    // SAFETY: the caller passes a valid buffer (this is only measured, never run).
    let text = unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(ptr, len)) };
    let mut n = text.len();
    #[cfg(feature = "sql")]
    {
        use sqlparser::dialect::{PostgreSqlDialect, SQLiteDialect};
        n += sqlparser::parser::Parser::parse_sql(&SQLiteDialect {}, text).map_or(0, |s| s.len());
        n += sqlparser::parser::Parser::parse_sql(&PostgreSqlDialect {}, text).map_or(0, |s| s.len());
    }
    #[cfg(feature = "yaml")]
    {
        let mut parser = yaml_rust2::parser::Parser::new_from_str(text);
        while let Ok((event, _)) = parser.next_token() {
            n += 1;
            if event == yaml_rust2::parser::Event::StreamEnd {
                break;
            }
        }
    }
    n
}
