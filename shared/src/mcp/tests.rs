use super::*;
use crate::fixtures::examples;
use crate::schema::Describe;
use crate::stage::Stage;

fn plain() -> Headers {
    Headers { protocol_version: None, method: None, name: None }
}

fn exchange(message: Value, answers: Vec<Answer>) -> Exchange {
    Exchange { message: message.to_string(), headers: plain(), answers }
}

fn call(tool: &str, args: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": tool, "arguments": args}})
}

/// A round's answer as it reaches the supervisor: written as JSON and read
/// back as the one `Step` record both sides use; either reads or an answer,
/// and an answer's reply is the contract's `McpReply` (its schema holds,
/// and it carries a result or an error, not both).
fn over_the_wire(step: Step) -> Step {
    let read: Step = serde_json::from_str(&serde_json::to_string(&step).unwrap()).unwrap();
    assert_eq!(read, step);
    assert_ne!(read.need.is_empty(), read.status.is_none(), "{read:?}");
    if let Some(reply) = &read.reply {
        let value = serde_json::to_value(reply).unwrap();
        let problems = McpReply::schema().check(&value);
        assert!(problems.is_empty(), "{problems:?}: {value}");
        assert_ne!(reply.result.is_some(), reply.error.is_some(), "{value}");
    }
    read
}

fn reply(step: Step) -> (u32, Value) {
    let step = over_the_wire(step);
    assert!(step.need.is_empty(), "expected a reply, got reads {:?}", step.need);
    (step.status.unwrap_or_default(), step.reply.map_or(Value::Null, |r| serde_json::to_value(r).unwrap()))
}

fn needs(step: Step) -> Vec<Read> {
    let step = over_the_wire(step);
    assert!(step.status.is_none(), "expected reads, got {:?}", step.reply);
    step.need
}

/// Runs `message` to its reply, answering each read from `api`.
fn run(message: Value, api: impl Fn(&Read) -> (u32, Value)) -> (u32, Value) {
    let mut answers = Vec::new();
    for _ in 0..4 {
        let step = over_the_wire(step(&exchange(message.clone(), answers.clone())));
        if step.need.is_empty() {
            return reply(step);
        }
        for r in step.need {
            let (status, body) = api(&r);
            answers.push(Answer { method: r.method, path: r.path, status, body });
        }
    }
    panic!("no reply after four rounds")
}

const PROJECT: &str = "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9";

/// The API of one project built from the pantry example: artifacts at version 1.
fn pantry_api(read: &Read) -> (u32, Value) {
    let product = examples::pantry();
    let base = format!("/api/projects/{PROJECT}/artifacts");
    if read.path == base {
        let latest: Map<String, Value> = Stage::ALL.iter().map(|s| (s.as_str().to_string(), json!(1))).collect();
        return (200, json!({"projectId": PROJECT, "latest": latest, "versions": []}));
    }
    if let Some(stage) = read.path.strip_prefix(&format!("{base}/")).and_then(Stage::parse) {
        return (
            200,
            json!({"stage": stage, "version": 1, "projectId": PROJECT, "artifact": product.artifact(stage).to_value()}),
        );
    }
    (404, json!({"error": {"code": "not_found", "message": "project not found"}}))
}

fn structured(reply: &Value) -> &Value {
    assert_eq!(reply["result"]["isError"], false, "{reply}");
    &reply["result"]["structuredContent"]
}

#[test]
fn a_body_that_is_not_json_is_a_parse_error_with_no_id() {
    let (status, body) = reply(step(&Exchange { message: "{not json".into(), headers: plain(), answers: vec![] }));
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], code::PARSE_ERROR);
    assert_eq!(body["id"], Value::Null);
}

#[test]
fn invalid_requests_are_refused_with_their_id() {
    for (message, why) in [
        (json!({"id": 1, "method": "ping"}), "jsonrpc"),
        (json!({"jsonrpc": "1.0", "id": 1, "method": "ping"}), "jsonrpc"),
        (json!({"jsonrpc": "2.0", "id": 1, "method": 5}), "method"),
        (json!({"jsonrpc": "2.0", "id": {"a": 1}, "method": "ping"}), "id"),
        (json!([{"jsonrpc": "2.0", "id": 1, "method": "ping"}]), "batches"),
        (json!("ping"), "object"),
    ] {
        let (status, body) = reply(step(&exchange(message.clone(), vec![])));
        assert_eq!(status, 400, "{message}");
        assert_eq!(body["error"]["code"], code::INVALID_REQUEST, "{message}");
        assert!(body["error"]["message"].as_str().unwrap().contains(why), "{body}");
    }
}

#[test]
fn notifications_and_client_responses_are_accepted_without_a_body() {
    for message in [
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 3, "result": {}}),
    ] {
        assert_eq!(over_the_wire(step(&exchange(message, vec![]))), Step::answer(202, None));
    }
}

#[test]
fn an_unknown_method_is_method_not_found() {
    let (status, body) = reply(step(&exchange(json!({"jsonrpc": "2.0", "id": "x", "method": "prompts/get"}), vec![])));
    assert_eq!(
        (status, body["id"].clone(), body["error"]["code"].clone()),
        (200, json!("x"), json!(code::METHOD_NOT_FOUND))
    );
}

#[test]
fn both_eras_connect_discover_and_initialize() {
    let (_, discover) = reply(step(&exchange(json!({"jsonrpc": "2.0", "id": 1, "method": "server/discover"}), vec![])));
    assert_eq!(discover["result"]["supportedVersions"][0], "2026-07-28");
    assert_eq!(discover["result"]["resultType"], "complete");
    assert!(discover["result"]["capabilities"]["tools"].is_object());
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                      "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    let (_, body) = reply(step(&exchange(init, vec![])));
    assert_eq!(body["result"]["protocolVersion"], "2025-06-18");
    let old = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2023-01-01"}});
    assert_eq!(reply(step(&exchange(old, vec![]))).1["result"]["protocolVersion"], "2025-11-25");
    let (_, pong) = reply(step(&exchange(json!({"jsonrpc": "2.0", "id": 2, "method": "ping"}), vec![])));
    assert_eq!(pong["result"]["resultType"], "complete");
}

#[test]
fn an_unsupported_version_is_refused_naming_the_supported_ones() {
    let message = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list",
                         "params": {"_meta": {"io.modelcontextprotocol/protocolVersion": "2099-01-01"}}});
    let (status, body) = reply(step(&exchange(message, vec![])));
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], code::UNSUPPORTED_PROTOCOL_VERSION);
    assert_eq!(body["error"]["data"]["supported"], json!(PROTOCOL_VERSIONS));
}

#[test]
fn modern_requests_must_carry_matching_method_and_name_headers() {
    let message = call("list_projects", json!({}));
    let headers = |method: Option<&str>, name: Option<&str>| Headers {
        protocol_version: Some("2026-07-28".into()),
        method: method.map(Into::into),
        name: name.map(Into::into),
    };
    let with = |h: Headers| step(&Exchange { message: message.to_string(), headers: h, answers: vec![] });
    for bad in [
        headers(None, Some("list_projects")),
        headers(Some("tools/list"), Some("list_projects")),
        headers(Some("tools/call"), Some("get_item")),
        headers(Some("tools/call"), None),
    ] {
        let (status, body) = reply(with(bad));
        assert_eq!((status, body["error"]["code"].clone()), (400, json!(code::HEADER_MISMATCH)), "{body}");
    }
    // Plain, and in the transport's base64 form ("list_projects").
    assert!(!needs(with(headers(Some("tools/call"), Some("list_projects")))).is_empty());
    assert!(!needs(with(headers(Some("tools/call"), Some("=?base64?bGlzdF9wcm9qZWN0cw==?=")))).is_empty());
}

#[test]
fn every_tool_schema_is_a_closed_object_whose_required_fields_are_declared() {
    let tools = tool_list();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["list_projects", "get_artifact", "get_item", "trace_story", "plan_change", "check_drift"]);
    for t in &tools {
        let schema = &t["inputSchema"];
        assert_eq!(schema["type"], "object", "{t}");
        assert_eq!(schema["additionalProperties"], false, "{t}");
        let properties = schema["properties"].as_object().unwrap();
        for r in schema["required"].as_array().unwrap() {
            assert!(properties.contains_key(r.as_str().unwrap()), "{} requires undeclared {r}", t["name"]);
        }
        for (name, p) in properties {
            assert!(p["type"].is_string() || p["enum"].is_array(), "{}.{name} has no type", t["name"]);
            assert!(p["description"].as_str().is_some_and(|d| !d.is_empty()), "{}.{name} is undescribed", t["name"]);
        }
        assert!(t["description"].as_str().unwrap().len() > 60, "{}", t["name"]);
    }
}

#[test]
fn get_artifact_reads_the_stage_and_version_asked_for() {
    let need =
        needs(step(&exchange(call("get_artifact", json!({"project": PROJECT, "stage": "api", "version": 2})), vec![])));
    assert_eq!(
        need,
        vec![Read {
            method: "GET".into(),
            path: format!("/api/projects/{PROJECT}/artifacts/api?version=2"),
            body: None
        }]
    );
}

#[test]
fn get_item_finds_stories_screens_endpoints_entities_and_fields_where_they_sit() {
    let product = examples::pantry();
    let prd = product.prd();
    let story = &prd.user_stories[1];
    let (_, body) = run(call("get_item", json!({"project": PROJECT, "id": story.id})), pantry_api);
    let found = structured(&body);
    assert_eq!((found["stage"].clone(), found["path"].clone()), (json!("prd"), json!("$.userStories[1]")));
    assert_eq!(found["item"]["title"], json!(story.title));
    let api = product.api();
    let (_, body) = run(call("get_item", json!({"project": PROJECT, "id": api.endpoints[0].id})), pantry_api);
    assert_eq!(structured(&body)["item"]["path"], json!(api.endpoints[0].path));
    let data = product.data();
    let entity = &data.entities[0];
    let field = &entity.fields[1];
    let (_, body) =
        run(call("get_item", json!({"project": PROJECT, "id": format!("{}.{}", entity.name, field.name)})), pantry_api);
    let found = structured(&body);
    assert_eq!((found["kind"].clone(), found["path"].clone()), (json!("field"), json!("$.entities[0].fields[1]")));
    let design = product.design();
    let (_, body) = run(call("get_item", json!({"project": PROJECT, "id": design.screens[0].id})), pantry_api);
    assert_eq!(structured(&body)["item"]["route"], json!(design.screens[0].route));
}

#[test]
fn a_missing_item_is_a_tool_error_naming_the_ids_there_are() {
    let (status, body) = run(call("get_item", json!({"project": PROJECT, "id": "US-999"})), pantry_api);
    assert_eq!(status, 200);
    assert_eq!(body["result"]["isError"], true);
    let text = body["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("no user story \"US-999\"") && text.contains("US-1"), "{text}");
}

#[test]
fn trace_story_gives_the_criteria_screens_endpoints_entities_and_files_of_the_matrix() {
    let product = examples::pantry();
    let artifacts: Vec<_> = Stage::ALL.iter().map(|s| product.artifact(*s)).collect();
    let report = crate::check::consistency::check(&artifacts);
    let row = report.matrix.iter().find(|r| !r.endpoints.is_empty() && !r.screens.is_empty()).expect("a served story");
    let (_, body) = run(
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                               "params": {"name": "trace_story", "arguments": {"project": PROJECT, "story": row.story}}}),
        pantry_api,
    );
    let traced = structured(&body);
    let ids = |list: &Value, key: &str| -> Vec<String> {
        list.as_array().unwrap().iter().map(|x| x[key].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(ids(&traced["screens"], "id"), row.screens);
    assert_eq!(ids(&traced["endpoints"], "id"), row.endpoints);
    assert_eq!(ids(&traced["entities"], "name"), row.entities);
    let story = product.prd().user_stories.into_iter().find(|s| s.id == row.story).unwrap();
    assert_eq!(traced["story"]["acceptanceCriteria"], json!(story.acceptance_criteria));
    let files = traced["files"].as_array().unwrap();
    assert!(!files.is_empty(), "the starter calls the story's endpoints: {traced}");
    for f in files {
        for c in f["calls"].as_array().unwrap() {
            assert!(row.endpoints.contains(&c["endpoint"].as_str().unwrap().to_string()), "{f}");
        }
    }
    assert_eq!(traced["versions"]["api"], 1);
}

#[test]
fn another_owners_project_is_the_apis_own_not_found() {
    let other = "ffffffff-0000-0000-0000-000000000000";
    let (_, body) = run(call("trace_story", json!({"project": other, "story": "US-1"})), pantry_api);
    assert_eq!(body["result"]["isError"], true);
    assert_eq!(body["result"]["content"][0]["text"], "project not found");
}

#[test]
fn bad_arguments_are_tool_errors_and_a_bad_call_is_invalid_params() {
    for (tool, args, says) in [
        ("get_item", json!({"project": "../../etc", "id": "US-1"}), "is not a project id"),
        ("get_artifact", json!({"project": PROJECT, "stage": "nope"}), "is not a stage"),
        ("trace_story", json!({"project": PROJECT, "story": "EP-1"}), "not a user story id"),
        ("check_drift", json!({"project": PROJECT}), "sql"),
        (
            "plan_change",
            json!({"project": PROJECT, "regenerate": "api", "edit": {"stage": "api", "artifact": {}}}),
            "not both",
        ),
        ("list_projects", json!({"page": 2}), "unknown argument"),
    ] {
        let (status, body) = reply(step(&exchange(call(tool, args), vec![])));
        assert_eq!((status, body["result"]["isError"].clone()), (200, json!(true)), "{tool}: {body}");
        assert!(body["result"]["content"][0]["text"].as_str().unwrap().contains(says), "{tool}: {body}");
    }
    let unknown = reply(step(&exchange(call("rm_rf", json!({})), vec![]))).1;
    assert_eq!(unknown["error"]["code"], code::INVALID_PARAMS);
    let bad =
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "get_item", "arguments": [1]}});
    assert_eq!(reply(step(&exchange(bad, vec![]))).1["error"]["code"], code::INVALID_PARAMS);
}

#[test]
fn plan_change_and_check_drift_post_what_the_api_takes() {
    let edit = json!({"stage": "prd", "artifact": {"productName": "x"}});
    let need = needs(step(&exchange(call("plan_change", json!({"project": PROJECT, "edit": edit})), vec![])));
    assert_eq!(
        need[0],
        Read { method: "POST".into(), path: format!("/api/projects/{PROJECT}/plan"), body: Some(edit) }
    );
    let need = needs(step(&exchange(call("plan_change", json!({"project": PROJECT, "regenerate": "data"})), vec![])));
    assert_eq!(need[0].path, format!("/api/projects/{PROJECT}/plan?regenerate=data"));
    let args = json!({"project": PROJECT, "sql": "CREATE TABLE t (id INTEGER PRIMARY KEY);", "dialect": "postgres"});
    let need = needs(step(&exchange(call("check_drift", args), vec![])));
    assert_eq!(need[0].body, Some(json!({"sql": "CREATE TABLE t (id INTEGER PRIMARY KEY);", "dialect": "postgres"})));
}

#[test]
fn resources_list_the_handoff_files_and_read_one_by_uri() {
    let handoff = json!({"layouts": [{"name": "agents-md", "title": "AGENTS.md", "files": [{"path": "AGENTS.md", "content": "# Pantry"}], "missing": []},
                                     {"name": "kiro", "title": "Kiro specs", "files": [{"path": ".kiro/specs/pantry/requirements.json", "content": "{}"}], "missing": []}]});
    let api = |r: &Read| match r.path.as_str() {
        "/api/projects" => (
            200,
            json!({"projects": [{"id": PROJECT, "name": "Pantry"}, {"id": "1111aaaa-0000", "name": "Empty"}], "nextCursor": null}),
        ),
        p if p == format!("/api/projects/{PROJECT}/handoff") => (200, handoff.clone()),
        _ => (409, json!({"error": {"code": "nothing_to_export", "message": "nothing yet"}})),
    };
    let (_, body) = run(json!({"jsonrpc": "2.0", "id": 1, "method": "resources/list"}), api);
    let resources = body["result"]["resources"].as_array().unwrap();
    let uris: Vec<&str> = resources.iter().map(|r| r["uri"].as_str().unwrap()).collect();
    let kiro = format!("parit://projects/{PROJECT}/handoff/kiro/.kiro/specs/pantry/requirements.json");
    assert_eq!(uris, [format!("parit://projects/{PROJECT}/handoff/agents-md/AGENTS.md").as_str(), kiro.as_str()]);
    assert_eq!(resources[0]["mimeType"], "text/markdown");
    assert_eq!(resources[1]["mimeType"], "application/json");
    let (_, body) = run(json!({"jsonrpc": "2.0", "id": 2, "method": "resources/read", "params": {"uri": kiro}}), api);
    assert_eq!(body["result"]["contents"][0]["text"], "{}");
    assert_eq!(body["result"]["contents"][0]["mimeType"], "application/json");
    for uri in [
        format!("parit://projects/{PROJECT}/handoff/kiro/nope.md"),
        "file:///etc/passwd".into(),
        "parit://projects/ffff0000-1111/handoff/kiro/x".into(),
    ] {
        let (_, body) =
            run(json!({"jsonrpc": "2.0", "id": 3, "method": "resources/read", "params": {"uri": uri}}), api);
        assert_eq!(body["error"]["code"], code::INVALID_PARAMS, "{uri}: {body}");
        assert_eq!(body["error"]["data"]["uri"], json!(uri));
    }
    let (_, templates) = run(json!({"jsonrpc": "2.0", "id": 4, "method": "resources/templates/list"}), api);
    assert_eq!(
        templates["result"]["resourceTemplates"][0]["uriTemplate"],
        "parit://projects/{project}/handoff/{layout}/{+path}"
    );
}

/// What the supervisor sends the client for a round's answer: the status,
/// and the reply as it writes it (parsed into a `Value`, then written).
fn as_sent(step: Step) -> (u64, String) {
    let wire = serde_json::to_value(over_the_wire(step)).unwrap();
    let reply: Value = serde_json::from_str(&wire["reply"].to_string()).unwrap();
    (wire["status"].as_u64().unwrap(), reply.to_string())
}

#[test]
fn the_errors_a_client_sees_are_unchanged_to_the_byte() {
    let modern = |method: Option<&str>, name: Option<&str>| Headers {
        protocol_version: Some("2026-07-28".into()),
        method: method.map(Into::into),
        name: name.map(Into::into),
    };
    let cases: Vec<(&str, Headers, u64, &str)> = vec![
        (
            "{not json",
            plain(),
            400,
            r#"{"error":{"code":-32700,"message":"the body is not JSON: key must be a string at line 1 column 2"},"id":null,"jsonrpc":"2.0"}"#,
        ),
        (
            r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
            plain(),
            400,
            r#"{"error":{"code":-32600,"message":"JSON-RPC batches are not part of MCP since revision 2025-06-18: send one message per POST"},"id":null,"jsonrpc":"2.0"}"#,
        ),
        (
            r#""ping""#,
            plain(),
            400,
            r#"{"error":{"code":-32600,"message":"expected a JSON-RPC 2.0 request object"},"id":null,"jsonrpc":"2.0"}"#,
        ),
        (
            r#"{"jsonrpc":"1.0","id":4,"method":"ping"}"#,
            plain(),
            400,
            r#"{"error":{"code":-32600,"message":"\"jsonrpc\" must be \"2.0\""},"id":4,"jsonrpc":"2.0"}"#,
        ),
        (
            r#"{"jsonrpc":"2.0","id":"a"}"#,
            plain(),
            400,
            r#"{"error":{"code":-32600,"message":"a request needs a \"method\""},"id":"a","jsonrpc":"2.0"}"#,
        ),
        (
            r#"{"jsonrpc":"2.0","id":5,"method":5}"#,
            plain(),
            400,
            r#"{"error":{"code":-32600,"message":"\"method\" must be a string"},"id":5,"jsonrpc":"2.0"}"#,
        ),
        (
            r#"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#,
            plain(),
            400,
            r#"{"error":{"code":-32600,"message":"\"id\" must be a string or an integer"},"id":{"a":1},"jsonrpc":"2.0"}"#,
        ),
        (
            r#"{"jsonrpc":"2.0","id":6,"method":"ping","params":[1]}"#,
            plain(),
            200,
            r#"{"error":{"code":-32602,"message":"\"params\" must be an object"},"id":6,"jsonrpc":"2.0"}"#,
        ),
        (
            r#"{"jsonrpc":"2.0","id":7,"method":"ping","params":null}"#,
            plain(),
            200,
            r#"{"error":{"code":-32602,"message":"\"params\" must be an object"},"id":7,"jsonrpc":"2.0"}"#,
        ),
        (
            r#"{"jsonrpc":"2.0","id":8,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2099-01-01"}}}"#,
            plain(),
            400,
            r#"{"error":{"code":-32022,"data":{"requested":"2099-01-01","supported":["2026-07-28","2025-11-25","2025-06-18","2025-03-26"]},"message":"protocol version \"2099-01-01\" is not supported"},"id":8,"jsonrpc":"2.0"}"#,
        ),
        (
            r#"{"jsonrpc":"2.0","id":9,"method":"tools/list"}"#,
            modern(None, None),
            400,
            r#"{"error":{"code":-32020,"message":"Header mismatch: the Mcp-Method header is missing"},"id":9,"jsonrpc":"2.0"}"#,
        ),
        (
            r#"{"jsonrpc":"2.0","id":10,"method":"tools/list"}"#,
            modern(Some("ping"), None),
            400,
            r#"{"error":{"code":-32020,"message":"Header mismatch: Mcp-Method \"ping\" does not match body \"tools/list\""},"id":10,"jsonrpc":"2.0"}"#,
        ),
        (
            r#"{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"get_item"}}"#,
            modern(Some("tools/call"), Some("list_projects")),
            400,
            r#"{"error":{"code":-32020,"message":"Header mismatch: Mcp-Name does not match body \"get_item\""},"id":11,"jsonrpc":"2.0"}"#,
        ),
        (
            r#"{"jsonrpc":"2.0","id":12,"method":"prompts/get"}"#,
            plain(),
            200,
            r#"{"error":{"code":-32601,"message":"no method \"prompts/get\" here"},"id":12,"jsonrpc":"2.0"}"#,
        ),
        (
            r#"{"jsonrpc":"2.0","id":13,"method":"tools/call","params":{"name":"rm"}}"#,
            plain(),
            200,
            r#"{"error":{"code":-32602,"message":"Unknown tool: rm (tools: list_projects, get_artifact, get_item, trace_story, plan_change, check_drift)"},"id":13,"jsonrpc":"2.0"}"#,
        ),
        (
            r#"{"jsonrpc":"2.0","id":14,"method":"resources/read","params":{"uri":"file:///x"}}"#,
            plain(),
            200,
            r#"{"error":{"code":-32602,"data":{"uri":"file:///x"},"message":"Resource not found: expected parit://projects/{id}/handoff/{layout}/{path}"},"id":14,"jsonrpc":"2.0"}"#,
        ),
        (
            r#"{"jsonrpc":"2.0","id":15,"method":"ping"}"#,
            plain(),
            200,
            concat!(
                r#"{"id":15,"jsonrpc":"2.0","result":{"_meta":{"io.modelcontextprotocol/serverInfo":{"name":"parit","title":"Parit blueprints","version":""#,
                env!("CARGO_PKG_VERSION"),
                r#""}},"resultType":"complete"}}"#
            ),
        ),
    ];
    for (message, headers, status, sent) in cases {
        let step = step(&Exchange { message: message.into(), headers, answers: vec![] });
        assert_eq!(as_sent(step), (status, sent.to_string()), "{message}");
    }
}

#[test]
fn every_method_answers_with_a_step_whose_reply_is_an_mcp_reply() {
    // `run` and `reply` pass each round through `over_the_wire`: the Step
    // record both sides use, its reply held to `McpReply`'s schema.
    let request =
        |id: u64, method: &str, params: Value| json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
    let mut messages = vec![
        request(1, "server/discover", json!({})),
        request(2, "initialize", json!({"protocolVersion": "2025-06-18"})),
        request(3, "ping", json!({})),
        request(4, "tools/list", json!({})),
        request(5, "resources/templates/list", json!({})),
        request(6, "resources/list", json!({})),
        request(7, "resources/read", json!({"uri": format!("parit://projects/{PROJECT}/handoff/kiro/x.md")})),
        request(8, "prompts/list", json!({})),
    ];
    for tool in TOOLS {
        messages.push(call(tool.name, json!({"project": PROJECT, "stage": "prd", "id": "US-1", "story": "US-1"})));
    }
    for message in messages {
        let (status, body) = run(message.clone(), pantry_api);
        let reply: McpReply = serde_json::from_value(body).unwrap();
        assert_eq!((status, reply.id), (200, message["id"].clone()), "{message}");
    }
}
