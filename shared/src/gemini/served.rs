//! What Google serves, compared with the catalogue: the `Model` resources of
//! `GET /v1beta/models` (`models.list`: `{"models": [...], "nextPageToken"}`,
//! <https://ai.google.dev/api/models>, read 2026-12-06) beside
//! [`super::catalogue::CATALOGUE`], so a person keeping the catalogue current
//! sees which text models it lacks and which it describes differently.
//! `scripts/check-models.sh` fetches the list with a key and prints this.
//!
//! `models.list` says little: an output limit per request and whether the
//! model thinks (a yes or no, no levels), so those are what is compared.
//! Prices and thinking levels are not served by any API and stay a matter of
//! Google's pages.

use super::catalogue::{self, ModelStatus, Thinking};
use serde::Deserialize;

/// One `Model` resource, as much of it as is compared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServedModel {
    /// `models/{id}`.
    pub name: String,
    /// Largest output of one request.
    #[serde(default)]
    pub output_token_limit: Option<u32>,
    /// `generateContent`, `countTokens`, …
    #[serde(default)]
    pub supported_generation_methods: Vec<String>,
    /// Whether it thinks.
    #[serde(default)]
    pub thinking: Option<bool>,
}

impl ServedModel {
    /// The id without `models/`.
    pub fn id(&self) -> &str {
        self.name.strip_prefix("models/").unwrap_or(&self.name)
    }

    /// Whether Parit could run a stage on it: a Gemini model that answers
    /// `generateContent` and is not a speech, image, embedding or live model.
    pub fn is_text_model(&self) -> bool {
        const NOT_TEXT: &[&str] = &["tts", "image", "embedding", "live", "audio", "transcribe", "veo", "imagen"];
        self.id().starts_with("gemini-")
            && self.supported_generation_methods.iter().any(|m| m == "generateContent")
            && !NOT_TEXT.iter().any(|w| self.id().contains(w))
    }
}

/// One page of `models.list`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelsPage {
    /// The page's models.
    #[serde(default)]
    pub models: Vec<ServedModel>,
    /// The next page's token; absent on the last.
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// A way the catalogue and what Google serves disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// A text model Google serves that the catalogue does not know: it is
    /// priced at the dearest rates and gets no thinking setting.
    Missing {
        /// Its id.
        id: String,
        /// Its output limit, as served.
        output_token_limit: Option<u32>,
    },
    /// Google's output limit per request is not the catalogue's.
    OutputLimit {
        /// The model.
        id: String,
        /// As served.
        served: u32,
        /// In the catalogue.
        catalogue: u32,
    },
    /// Google says it thinks and the catalogue does not, or the other way.
    Thinking {
        /// The model.
        id: String,
        /// As served.
        served: bool,
    },
    /// A model the catalogue offers (current or preview) that Google does
    /// not serve to this key.
    NotServed {
        /// The model.
        id: String,
    },
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finding::Missing { id, output_token_limit } => {
                let limit = output_token_limit.map_or_else(|| "unknown".into(), |n| n.to_string());
                write!(f, "missing: {id} is served (output limit {limit}) but not in the catalogue")
            }
            Finding::OutputLimit { id, served, catalogue } => {
                write!(f, "output limit: {id} is served with {served} output tokens, the catalogue says {catalogue}")
            }
            Finding::Thinking { id, served } => {
                let says = if *served { "thinks" } else { "does not think" };
                write!(f, "thinking: Google says {id} {says}, the catalogue does not agree")
            }
            Finding::NotServed { id } => write!(f, "not served: {id} is offered by the catalogue but not listed"),
        }
    }
}

/// Every disagreement between `served` (every page of `models.list`) and the
/// catalogue, in the catalogue's order and then the list's.
pub fn compare(served: &[ServedModel]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for m in catalogue::CATALOGUE {
        let offered = matches!(m.status, ModelStatus::Current | ModelStatus::Preview);
        let Some(s) = served.iter().find(|s| s.id() == m.id) else {
            if offered {
                findings.push(Finding::NotServed { id: m.id.to_string() });
            }
            continue;
        };
        if let Some(limit) = s.output_token_limit.filter(|l| *l != m.max_output_tokens) {
            findings.push(Finding::OutputLimit { id: m.id.to_string(), served: limit, catalogue: m.max_output_tokens });
        }
        let thinks = !matches!(m.thinking, Thinking::Budget { max: 0, .. });
        if let Some(served_thinks) = s.thinking.filter(|t| *t != thinks) {
            findings.push(Finding::Thinking { id: m.id.to_string(), served: served_thinks });
        }
    }
    for s in served.iter().filter(|s| s.is_text_model() && catalogue::model(s.id()).is_none()) {
        findings.push(Finding::Missing { id: s.id().to_string(), output_token_limit: s.output_token_limit });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn served(id: &str, limit: u32, thinking: bool) -> ServedModel {
        ServedModel {
            name: format!("models/{id}"),
            output_token_limit: Some(limit),
            supported_generation_methods: vec!["generateContent".into(), "countTokens".into()],
            thinking: Some(thinking),
        }
    }

    fn everything_in_step() -> Vec<ServedModel> {
        catalogue::CATALOGUE
            .iter()
            .filter(|m| !matches!(m.status, ModelStatus::ShutDown { .. }))
            .map(|m| served(m.id, m.max_output_tokens, !matches!(m.thinking, Thinking::Budget { max: 0, .. })))
            .collect()
    }

    #[test]
    fn a_list_that_matches_the_catalogue_has_no_findings() {
        assert_eq!(compare(&everything_in_step()), vec![]);
    }

    #[test]
    fn what_google_serves_differently_is_listed() {
        let mut list = everything_in_step();
        list.retain(|m| m.id() != "gemini-4-neon");
        list.push(served("gemini-4-helium", 65_536, true));
        list.push(served("gemini-4-helium-tts", 8_192, false));
        list.push(ServedModel {
            supported_generation_methods: vec!["embedContent".into()],
            ..served("gemini-embedding-2", 1, false)
        });
        if let Some(argon) = list.iter_mut().find(|m| m.id() == "gemini-4-argon") {
            argon.output_token_limit = Some(32_768);
        }
        if let Some(lite) = list.iter_mut().find(|m| m.id() == "gemini-3.5-flash-lite") {
            lite.thinking = Some(false);
        }
        let found: Vec<String> = compare(&list).iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            vec![
                "not served: gemini-4-neon is offered by the catalogue but not listed",
                "output limit: gemini-4-argon is served with 32768 output tokens, the catalogue says 65536",
                "thinking: Google says gemini-3.5-flash-lite does not think, the catalogue does not agree",
                "missing: gemini-4-helium is served (output limit 65536) but not in the catalogue",
            ]
        );
    }

    #[test]
    fn pages_read_as_google_sends_them() {
        let page: ModelsPage = serde_json::from_value(json!({
            "models": [{"name": "models/gemini-4-hydrogen", "baseModelId": "gemini-4-hydrogen", "version": "001",
                "displayName": "Gemini 4 Hydrogen", "inputTokenLimit": 1048576, "outputTokenLimit": 65536,
                "supportedGenerationMethods": ["generateContent", "countTokens"], "temperature": 1, "thinking": true}],
            "nextPageToken": "Ch1tb2RlbHM"
        }))
        .unwrap();
        assert_eq!(page.models[0].id(), "gemini-4-hydrogen");
        assert_eq!(page.next_page_token.as_deref(), Some("Ch1tb2RlbHM"));
    }
}
