//! The MCP server at `/mcp` on the real fleet: the transport's own answers
//! (405 for GET and DELETE, 401 with a JSON-RPC body and a challenge, 400 for
//! a body that is not JSON), and a coding agent's whole session through the
//! official MCP Python SDK (`tests/mcp/client.py`): both protocol eras, every
//! tool on a finished project, the hand-off resources, another owner's
//! project answered as a missing one, a wrong token refused.

use parit_fleet_tests::*;
use serde_json::Value;
use std::process::Command;

fn mcp() -> String {
    format!("{}/mcp", fleet().url)
}

#[test]
fn the_endpoint_takes_only_post_and_only_a_known_token() {
    for method in ["GET", "DELETE"] {
        let answer = call(method, &mcp(), Caller::Default, &[], None);
        assert_eq!(answer.status, 405, "{method}: {}", answer.text);
    }
    let ping = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    for caller in [Caller::Anonymous, Caller::Token("not-a-token")] {
        let answer = call("POST", &mcp(), caller, &[], Some(("application/json", ping)));
        assert_eq!(answer.status, 401, "{}", answer.text);
        assert!(answer.header("www-authenticate").is_some_and(|h| h.starts_with("Bearer")));
        let body = answer.json();
        assert_eq!(
            (body["jsonrpc"].clone(), body["id"].clone(), body["error"]["code"].clone()),
            ("2.0".into(), Value::Null, (-32001).into()),
            "{body}"
        );
    }
    let answer = call("POST", &mcp(), Caller::Default, &[], Some(("application/json", ping)));
    assert_eq!(
        (answer.status, answer.json()["result"]["resultType"].clone()),
        (200, "complete".into()),
        "{}",
        answer.text
    );
    let answer = call("POST", &mcp(), Caller::Default, &[], Some(("application/json", "{not json")));
    assert_eq!((answer.status, answer.json()["error"]["code"].clone()), (400, (-32700).into()), "{}", answer.text);
    let note = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
    let answer = call("POST", &mcp(), Caller::Default, &[], Some(("application/json", note)));
    assert_eq!((answer.status, answer.text.as_str()), (202, ""));
    // A message larger than any tool takes is refused before the bridge sees it.
    let huge = format!(r#"{{"jsonrpc":"2.0","id":2,"method":"ping","params":{{"pad":"{}"}}}}"#, "x".repeat(1_100_000));
    let answer = call("POST", &mcp(), Caller::Default, &[], Some(("application/json", &huge)));
    assert_eq!(
        (answer.status, answer.json()["error"]["code"].clone()),
        (413, "payload_too_large".into()),
        "{}",
        answer.text
    );
}

/// The supervisor's 401 and the bridge's refusals reach the client to the
/// byte as before the wire records were typed; the header mismatch also
/// shows the MCP headers crossed to the bridge (`mcp::Exchange`).
#[test]
fn refusals_reach_the_client_to_the_byte() {
    let ping = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    let answer = call("POST", &mcp(), Caller::Token("not-a-token"), &[], Some(("application/json", ping)));
    assert_eq!(
        (answer.status, answer.text.as_str()),
        (401, r#"{"error":{"code":-32001,"message":"the token is unknown or revoked"},"id":null,"jsonrpc":"2.0"}"#)
    );
    let list = r#"{"jsonrpc":"2.0","id":"a","method":"tools/list"}"#;
    let modern = [("mcp-protocol-version", "2026-07-28"), ("mcp-method", "ping")];
    let answer = call("POST", &mcp(), Caller::Default, &modern, Some(("application/json", list)));
    assert_eq!(
        (answer.status, answer.text.as_str()),
        (
            400,
            r#"{"error":{"code":-32020,"message":"Header mismatch: Mcp-Method \"ping\" does not match body \"tools/list\""},"id":"a","jsonrpc":"2.0"}"#
        )
    );
    let versions = [("mcp-protocol-version", "2099-01-01")];
    let answer = call("POST", &mcp(), Caller::Default, &versions, Some(("application/json", list)));
    assert_eq!(
        (answer.status, answer.text.as_str()),
        (
            400,
            r#"{"error":{"code":-32022,"data":{"requested":"2099-01-01","supported":["2026-07-28","2025-11-25","2025-06-18","2025-03-26"]},"message":"protocol version \"2099-01-01\" is not supported"},"id":"a","jsonrpc":"2.0"}"#
        )
    );
    let unknown = r#"{"jsonrpc":"2.0","id":9,"method":"prompts/get"}"#;
    let answer = call("POST", &mcp(), Caller::Default, &[], Some(("application/json", unknown)));
    assert_eq!(
        (answer.status, answer.text.as_str()),
        (200, r#"{"error":{"code":-32601,"message":"no method \"prompts/get\" here"},"id":9,"jsonrpc":"2.0"}"#)
    );
}

#[test]
fn a_coding_agent_reads_the_blueprint_through_the_python_sdk() {
    let word = unique("mcp");
    let id = create_project(&fleet().url, "MCP", &format!("Book appointments at a clinic {word}"));
    start_run(&fleet().url, &id);
    let project = wait_for_run(&fleet().url, &id);
    assert_eq!(project["run"]["status"], "completed", "{project}");
    let root = var("PARIT_ROOT");
    let out = Command::new(format!("{root}/.parit/venv/bin/python"))
        .arg(format!("{root}/tests/mcp/client.py"))
        .env("MCP_URL", mcp())
        .env("MCP_TOKEN", &fleet().token)
        .env("MCP_OTHER_TOKEN", &fleet().token_b)
        .env("MCP_PROJECT", &id)
        .output()
        .expect("the venv's python runs (scripts/setup.sh builds .parit/venv)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(out.status.success(), "the MCP client failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.trim_end().ends_with("passed, 0 failed"), "{stdout}");
}
