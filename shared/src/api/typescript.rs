//! The web app's declarations of the HTTP API (`frontend/src/api-types.ts`),
//! rendered from the contract with the artifacts' TypeScript renderer
//! (`render::typescript`); a native test below fails when the committed file
//! is not what [`api_types`] renders, and rewrites it when run with
//! `PARIT_WRITE_TYPES=1`. Here, not in `render`, so that the renders never
//! import the API (the API's types use the checks, which use the renders).

use std::fmt::Write;

use crate::render::typescript::Declarations;

/// Where the web app keeps the HTTP API's declarations, from the repository root.
pub const API_PATH: &str = "frontend/src/api-types.ts";

/// The declarations of every type the HTTP API's routes take and answer
/// (from [`crate::api::contract`]), of the event stream's frames, and two
/// maps by `operationId`: `Answers` (each success body) and `Requests`
/// (each JSON body).
pub fn api_types() -> String {
    use crate::api::contract::{contract, Content};
    use crate::api::runs::{LiveActivity, ProgressEvent};
    use crate::schema::Describe;
    let mut out = Declarations { api: true, ..Declarations::default() };
    out.text.push_str(
        "// Generated from the Rust types of the HTTP API (shared/src/api/) by\n\
         // shared/src/api/typescript.rs. Do not edit: a native test holds this\n\
         // file to those types. Rewrite it with\n\
         //   PARIT_WRITE_TYPES=1 cargo test -p parit-shared typescript\n",
    );
    let mut answers =
        String::from("\n/** Each operation's success body, by its operationId. */\nexport interface Answers {\n");
    let mut requests =
        String::from("\n/** Each operation's JSON request body, by its operationId. */\nexport interface Requests {\n");
    for route in crate::api::ROUTES {
        let c = contract(route.op);
        if let Some(query) = &c.query {
            out.type_of(query);
        }
        if let Some(body) = &c.body {
            let ty = out.type_of(body);
            let _ = writeln!(requests, "  {}: {ty};", c.operation_id);
        }
        let mut bodies: Vec<String> = Vec::new();
        for a in &c.answers {
            let ty = match &a.content {
                // An answer with no body (an MCP notification's 202).
                Content::Media(&[], _) => continue,
                Content::Json(s) | Content::Media(_, s) => out.type_of(s),
            };
            // The health check's 429 is the error shape, not an answer.
            if ty != "ErrorBody" && !bodies.contains(&ty) {
                bodies.push(ty);
            }
        }
        let _ = writeln!(answers, "  {}: {};", c.operation_id, bodies.join(" | "));
    }
    out.type_of(&crate::api::root::ErrorBody::schema());
    out.type_of(&ProgressEvent::schema());
    out.type_of(&LiveActivity::schema());
    answers.push_str("}\n");
    requests.push_str("}\n");
    out.text.push_str(&answers);
    out.text.push_str(&requests);
    out.text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typescript_api_types_in_the_web_app_are_current() {
        crate::fixtures::assert_generated_current(API_PATH, &api_types(), "typescript");
    }

    #[test]
    fn api_types_declare_each_answer_once_with_presence_as_serde_writes_it() {
        let ts = api_types();
        for name in ["Project", "ProjectPage", "Run", "Plan", "Traces", "ProgressEvent", "ErrorBody", "Stage"] {
            let declared = ts.matches(&format!("export interface {name} {{")).count()
                + ts.matches(&format!("export type {name} = ")).count();
            assert_eq!(declared, 1, "{name}");
        }
        for route in crate::api::ROUTES {
            let id = crate::api::contract::contract(route.op).operation_id;
            assert!(ts.contains(&format!("\n  {id}: ")), "{id}");
        }
        // Present though null: the latest run of a project never run.
        assert!(ts.contains("  run: Run | null;\n"), "{ts}");
        // Skipped when absent, never null.
        assert!(ts.contains("  resumed?: boolean;\n"), "{ts}");
        // Absent, or null to reset.
        assert!(ts.contains("  temperature?: number | null;\n"), "{ts}");
        assert!(!ts.contains(": any") && !ts.contains("any[]"));
        for line in ts.lines().filter(|l| l.trim_start().starts_with("/**")) {
            assert_eq!(line.matches("*/").count(), 1, "{line}");
        }
    }
}
