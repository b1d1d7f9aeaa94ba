//! Content and input hashes (SHA-256, hex). Artifact versions record both:
//! the content hash identifies a body; the input hash identifies everything a
//! stage was built from, so a changed input makes the stage stale.

use crate::project::ProjectSettings;
use crate::stage::Stage;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        out.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
    }
    out
}

/// Hash of an artifact body. serde_json keeps object keys sorted, so equal
/// artifacts hash equally however they were written.
pub fn content_hash(artifact: &Value) -> String {
    sha256_hex(artifact.to_string().as_bytes())
}

/// One upstream input of a stage: its stage, version and content hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputRef {
    /// Upstream stage.
    pub stage: Stage,
    /// Its version (shown to people; not hashed).
    pub version: u32,
    /// Its content hash.
    pub content_hash: String,
}

/// Hash of everything `stage` is built from: the upstream *contents* (not
/// version numbers, so an edit reverted to the same content changes nothing),
/// and for agent versions the model settings and feedback. Human versions pass
/// `None` for settings: changing the model does not make a person's edit stale.
pub fn input_hash(
    stage: Stage,
    inputs: &[InputRef],
    settings: Option<&ProjectSettings>,
    feedback: Option<&str>,
) -> String {
    let mut text = format!("stage={stage}\n");
    for i in inputs {
        text.push_str(&format!("input={}:{}\n", i.stage, i.content_hash));
    }
    match settings {
        Some(s) => {
            // What the project chose, not what the catalogue makes of it, so a
            // new default in the catalogue makes nothing stale.
            let chosen = |v: Option<String>| v.unwrap_or_else(|| "default".into());
            text.push_str(&format!(
                "model={}\ntemperature={}\nmaxOutputTokens={}\n",
                s.model_for(stage),
                chosen(s.temperature.map(|t| t.to_string())),
                chosen(s.max_output_tokens.map(|n| n.to_string())),
            ));
            if let Some(level) = s.thinking {
                text.push_str(&format!("thinking={level}\n"));
            }
            text.push_str(&format!("feedback={}\n", feedback.unwrap_or("")));
        }
        None => text.push_str("source=human\n"),
    }
    sha256_hex(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn known_digest() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn content_hash_ignores_key_order() {
        let a: Value = serde_json::from_str(r#"{"b":1,"a":2}"#).unwrap();
        assert_eq!(content_hash(&a), content_hash(&json!({"a": 2, "b": 1})));
    }

    #[test]
    fn input_hash_changes_with_any_input() {
        let s = ProjectSettings::default();
        let i = vec![InputRef { stage: Stage::Prd, version: 1, content_hash: "x".into() }];
        let base = input_hash(Stage::Data, &i, Some(&s), None);
        assert_eq!(base, input_hash(Stage::Data, &i, Some(&s), None));
        // The same content under another version number is the same input.
        assert_eq!(base, input_hash(Stage::Data, &[InputRef { version: 2, ..i[0].clone() }], Some(&s), None));
        assert_ne!(
            base,
            input_hash(Stage::Data, &[InputRef { content_hash: "y".into(), ..i[0].clone() }], Some(&s), None)
        );
        assert_ne!(base, input_hash(Stage::Design, &i, Some(&s), None));
        assert_ne!(
            base,
            input_hash(Stage::Data, &i, Some(&ProjectSettings { temperature: Some(0.9), ..s.clone() }), None)
        );
        assert_ne!(base, input_hash(Stage::Data, &i, Some(&s), Some("more tables")));
        let thinking = ProjectSettings { thinking: Some(crate::gemini::catalogue::ThinkingLevel::High), ..s.clone() };
        assert_ne!(base, input_hash(Stage::Data, &i, Some(&thinking), None));
        // A model chosen for another stage leaves this one as it was; one for this stage does not.
        let mut per_stage = s.clone();
        per_stage.stage_models.insert(Stage::Frontend, "gemini-3.8-flash".into());
        assert_eq!(base, input_hash(Stage::Data, &i, Some(&per_stage), None));
        per_stage.stage_models.insert(Stage::Data, "gemini-3.8-flash".into());
        assert_ne!(base, input_hash(Stage::Data, &i, Some(&per_stage), None));
        // Settings chosen before thinking was a setting hash as they always did.
        let old = ProjectSettings { temperature: Some(0.4), max_output_tokens: Some(16_384), ..s.clone() };
        let text = format!(
            "stage=data\ninput=prd:x\nmodel={}\ntemperature=0.4\nmaxOutputTokens=16384\nfeedback=\n",
            crate::gemini::catalogue::DEFAULT_MODEL
        );
        assert_eq!(input_hash(Stage::Data, &i, Some(&old), None), sha256_hex(text.as_bytes()));
        let human = input_hash(Stage::Data, &i, None, None);
        assert_ne!(base, human);
        assert_eq!(human, input_hash(Stage::Data, &i, None, None));
    }
}
