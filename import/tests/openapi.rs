//! The OpenAPI import on real documents (tests/openapi/, see its README):
//! each imports against its data model and validates; invalid documents give
//! their exact findings; what Parit cannot represent is listed; and a document
//! survives import → render → import, as does Parit's own rendered API.

use parit_import::openapi::import;
use parit_import::{ImportError, Imported, NotImported};
use parit_shared::artifact::{
    ApiArtifact, Artifact, DataArtifact, Endpoint, Entity, Field, FieldType, HttpMethod, ParamType, QueryParam,
    Upstream,
};
use parit_shared::check::validate::validate;
use parit_shared::fixtures::examples;
use parit_shared::render::openapi::document;
use std::collections::BTreeSet;

const PETSTORE: &str = include_str!("openapi/petstore.yaml");
const MUSEUM: &str = include_str!("openapi/museum.yaml");
const WEBHOOK: &str = include_str!("openapi/webhook-example.yaml");

fn field(name: &str, field_type: FieldType) -> Field {
    Field {
        name: name.into(),
        field_type,
        required: field_type == FieldType::Id,
        unique: false,
        references: None,
        description: String::new(),
    }
}

fn entity(name: &str, table: &str, fields: Vec<Field>) -> Entity {
    Entity { name: name.into(), table: table.into(), description: String::new(), fields, primary_key: None }
}

fn data(entities: Vec<Entity>) -> DataArtifact {
    let data = DataArtifact { entities, relationships: vec![], indexes: vec![] };
    assert_eq!(validate(&Artifact::Data(data.clone()), &Upstream::default()), Vec::<String>::new());
    data
}

/// The petstores' data model: one entity, `Pet`, as the documents' schema has it.
fn pets() -> DataArtifact {
    use FieldType::*;
    data(vec![entity("Pet", "pets", vec![field("id", Id), field("name", String), field("tag", String)])])
}

/// The museum's data model, as a project that built this API might have it.
fn museum() -> DataArtifact {
    use FieldType::*;
    let mut event_id = field("event_id", String);
    event_id.references = Some("SpecialEvent".into());
    data(vec![
        entity(
            "SpecialEvent",
            "special_events",
            vec![
                field("event_id", Id),
                field("name", String),
                field("location", String),
                field("event_description", Text),
                field("dates", Json),
                field("price", Decimal),
            ],
        ),
        entity(
            "Ticket",
            "tickets",
            vec![
                field("ticket_id", Id),
                field("ticket_type", String),
                event_id,
                field("ticket_date", Date),
                field("email", String),
                field("phone", String),
                field("confirmation_code", String),
            ],
        ),
        entity(
            "MuseumDailyHours",
            "museum_hours",
            vec![field("id", Id), field("date", Date), field("time_open", String), field("time_close", String)],
        ),
    ])
}

fn ok(text: &str, data: &DataArtifact) -> Imported<ApiArtifact> {
    let imported = import(text, Some(data)).unwrap_or_else(|e| panic!("{e:#?}"));
    let upstream = Upstream { data: Some(data.clone()), ..Upstream::default() };
    assert_eq!(validate(&Artifact::Api(imported.artifact.clone()), &upstream), Vec::<String>::new());
    imported
}

fn err(text: &str, data: Option<&DataArtifact>) -> ImportError {
    match import(text, data) {
        Ok(i) => panic!("imported: {:#?}", i.artifact),
        Err(e) => e,
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn endpoint(id: &str, method: HttpMethod, path: &str, summary: &str, entity: &str) -> Endpoint {
    Endpoint {
        id: id.into(),
        method,
        path: path.into(),
        summary: summary.into(),
        entity: entity.into(),
        query_params: vec![],
        request_fields: vec![],
        response_fields: vec![],
        errors: vec![],
        auth_required: false,
        user_stories: vec![],
    }
}

fn whats(not: &[NotImported]) -> Vec<&str> {
    not.iter().map(|n| n.what.as_str()).collect()
}

/// The (path, method) pairs of a document's operations Parit has: GET, POST, PUT, PATCH, DELETE.
fn representable(doc: &serde_json::Value) -> BTreeSet<(String, String)> {
    let mut pairs = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                pairs.insert((path.clone(), method.to_string()));
            }
        }
    }
    pairs
}

/// The same pairs of the original YAML, read by yaml-rust2's own loader (not the importer's tree).
fn original_operations(text: &str) -> BTreeSet<(String, String)> {
    let docs = yaml_rust2::YamlLoader::load_from_str(text).unwrap();
    let mut pairs = BTreeSet::new();
    for (path, item) in docs[0]["paths"].as_hash().into_iter().flatten() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if !item[method].is_badvalue() {
                pairs.insert((path.as_str().unwrap().to_string(), method.to_string()));
            }
        }
    }
    pairs
}

#[test]
fn the_oai_petstore_imports_against_its_data_model() {
    let imported = ok(PETSTORE, &pets());
    let all = strings(&["id", "name", "tag"]);
    let mut list = endpoint("EP-1", HttpMethod::Get, "/pets", "List all pets", "Pet");
    list.response_fields = all.clone();
    // Its query parameter, typed from its schema (maximum and format are not kept).
    list.query_params = vec![QueryParam {
        name: "limit".into(),
        param_type: ParamType::Integer,
        values: vec![],
        required: false,
        description: "How many items to return at one time (max 100)".into(),
    }];
    let mut create = endpoint("EP-2", HttpMethod::Post, "/pets", "Create a pet", "Pet");
    create.request_fields = all.clone();
    let mut read = endpoint("EP-3", HttpMethod::Get, "/pets/{petId}", "Info for a specific pet", "Pet");
    read.response_fields = all;
    assert_eq!(imported.artifact, ApiArtifact { auth_scheme: "none".into(), endpoints: vec![list, create, read] });
    assert_eq!(
        imported.imported,
        strings(&[
            "EP-1 GET /pets: Pet, 0 request and 3 response fields, query limit",
            "EP-2 POST /pets: Pet, 3 request and 0 response fields",
            "EP-3 GET /pets/{petId}: Pet, 0 request and 3 response fields",
        ])
    );
    assert_eq!(
        whats(&imported.not_imported),
        vec![
            "servers",
            "schemas",
            "documentation",
            "GET /pets responses default",
            "POST /pets responses default",
            "GET /pets/{petId} responses default",
        ]
    );
    assert_eq!(imported.not_imported[0].line, Some(7));
}

#[test]
fn the_redocly_museum_3_1_imports_with_its_losses_listed() {
    let imported = ok(MUSEUM, &museum());
    let api = &imported.artifact;
    assert_eq!(api.auth_scheme, "bearer");
    let summary: Vec<String> = api
        .endpoints
        .iter()
        .map(|e| {
            let (req, resp) = (e.request_fields.len(), e.response_fields.len());
            format!("{} {} {} → {} \"{}\" {req}/{resp} {:?}", e.id, e.method, e.path, e.entity, e.summary, e.errors)
        })
        .collect();
    assert_eq!(
        summary,
        strings(&[
            "EP-1 GET /museum-hours → MuseumDailyHours \"Get museum hours\" 0/3 [400, 404]",
            "EP-2 GET /special-events → SpecialEvent \"List special events\" 0/6 [400, 404]",
            "EP-3 POST /special-events → SpecialEvent \"Create special events\" 5/6 [400, 404]",
            "EP-4 GET /special-events/{eventId} → SpecialEvent \"Get special event\" 0/6 [400, 404]",
            "EP-5 PATCH /special-events/{eventId} → SpecialEvent \"Update special event\" 5/6 [400, 404]",
            "EP-6 DELETE /special-events/{eventId} → SpecialEvent \"Delete special event\" 0/0 [400, 401, 404]",
            "EP-7 POST /tickets → Ticket \"Buy museum tickets\" 5/4 [400, 404]",
            "EP-8 GET /tickets/{ticketId}/qr → Ticket \"Get ticket QR code\" 0/0 [400, 404]",
        ])
    );
    assert!(api.endpoints.iter().all(|e| e.auth_required), "the document's security applies to every operation");
    let buy = &api.endpoints[6];
    assert_eq!(buy.request_fields, strings(&["ticket_type", "event_id", "ticket_date", "email", "phone"]));
    assert_eq!(buy.response_fields, strings(&["ticket_id", "ticket_type", "ticket_date", "confirmation_code"]));
    assert_eq!(api.endpoints[2].request_fields, strings(&["name", "location", "event_description", "dates", "price"]));
    assert_eq!(api.endpoints[0].response_fields, strings(&["date", "time_open", "time_close"]));
    let not = &imported.not_imported;
    assert_eq!(
        whats(not),
        vec![
            "servers",
            "security scheme \"MuseumPlaceholderAuth\"",
            "schemas",
            "documentation",
            "POST /tickets response properties message, eventName",
            "GET /tickets/{ticketId}/qr response 200 image/png",
        ]
    );
    assert_eq!(not[1].line, Some(430));
    assert!(not[1].why.starts_with("HTTP basic authentication: Parit's APIs authenticate with a bearer token"));
    assert_eq!(not[4].why, "Ticket has no such field");
    assert_eq!(not[5].why, "Parit's bodies are JSON: this body is not imported");
    // Pagination and a date filter, typed, each with its description's first sentence.
    let query: Vec<String> = api.endpoints[1]
        .query_params
        .iter()
        .map(|q| format!("{} {} {} {}", q.name, q.param_type, q.required, q.description))
        .collect();
    assert_eq!(
        query,
        strings(&[
            "startDate string false Starting date to retrieve future operating hours from.",
            "endDate string false End of a date range to retrieve special events for.",
            "page integer false Page number to retrieve.",
            "limit integer false Number of days per page.",
        ])
    );
}

#[test]
fn the_oai_webhook_example_lists_its_webhook() {
    let imported = ok(WEBHOOK, &pets());
    assert_eq!(imported.artifact.endpoints.len(), 1);
    assert_eq!(imported.artifact.endpoints[0].response_fields, strings(&["id", "name", "tag"]));
    let webhook = imported.not_imported.iter().find(|n| n.what == "webhook \"newPet\"").expect("webhook listed");
    assert_eq!(webhook.line, Some(29));
    assert_eq!(webhook.why, "a webhook is a request the API sends; Parit's API holds the requests it serves");
}

#[test]
fn an_imported_document_renders_back_to_the_same_operations() {
    for (name, text, data) in
        [("petstore", PETSTORE, pets()), ("museum", MUSEUM, museum()), ("webhook", WEBHOOK, pets())]
    {
        let imported = ok(text, &data);
        let original = original_operations(text);
        let rendered = document(name, &imported.artifact, &data);
        assert!(!original.is_empty(), "{name}");
        assert_eq!(representable(&rendered), original, "{name}");
        // And Parit's rendering is itself a document Parit imports, to the same endpoints.
        let again = ok(&serde_json::to_string_pretty(&rendered).unwrap(), &data);
        let key = |e: &Endpoint| (e.method, e.path.clone(), e.entity.clone(), e.errors.clone(), e.auth_required);
        let mut a: Vec<_> = imported.artifact.endpoints.iter().map(key).collect();
        let mut b: Vec<_> = again.artifact.endpoints.iter().map(key).collect();
        a.sort();
        b.sort();
        assert_eq!(a, b, "{name}");
    }
}

#[test]
fn the_clinic_example_api_survives_render_and_import() {
    let product = examples::clinic();
    let (api, data) = (product.api(), product.data());
    let json = serde_json::to_string_pretty(&document(&product.name, &api, &data)).unwrap();
    let imported = ok(&json, &data);
    assert_eq!(imported.artifact.auth_scheme, api.auth_scheme);
    let comparable = |e: &Endpoint| {
        let mut e = e.clone();
        e.id = String::new();
        e.summary = String::new();
        e.user_stories = vec![];
        e
    };
    let mut expected: Vec<Endpoint> = api
        .endpoints
        .iter()
        .map(|e| {
            let mut e = comparable(e);
            // The renderer answers DELETE with 204 and no body: its response fields are not in the document.
            if e.method == HttpMethod::Delete {
                e.response_fields.clear();
            }
            e
        })
        .collect();
    let mut got: Vec<Endpoint> = imported.artifact.endpoints.iter().map(comparable).collect();
    let order = |e: &Endpoint| (e.path.clone(), e.method);
    expected.sort_by_key(order);
    got.sort_by_key(order);
    assert_eq!(got, expected);
    let summaries: BTreeSet<&str> = imported.artifact.endpoints.iter().map(|e| e.summary.as_str()).collect();
    assert!(summaries.contains("Create a patient"), "{summaries:?}");
}

#[test]
fn swagger_2_is_told_apart() {
    let e = err("swagger: \"2.0\"\ninfo: {title: x, version: \"1\"}\npaths: {}\n", Some(&pets()));
    assert_eq!(
        e.message,
        "this is a Swagger 2.0 document, not OpenAPI 3.x: convert it to OpenAPI 3 first (for example with swagger2openapi), then import it"
    );
    assert_eq!(
        e.findings,
        strings(&["$.swagger: Swagger (OpenAPI 2.0) documents are not read; Parit reads OpenAPI 3.0.x and 3.1.x"])
    );
}

#[test]
fn every_finding_is_reported_at_once() {
    let text = r##"openapi: 3.0.3
info:
  title: Broken
  version: 1.0
paths:
  pets:
    get:
      summary: no responses in 3.0
  /pets/{petId}:
    get:
      operationId: getPet
      parameters:
        - name: petId
          in: path
        - in: query
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Pet"
        "600":
          description: no such status
    delete:
      operationId: getPet
      parameters:
        - $ref: "#/components/parameters/Nope"
      responses: {}
      security:
        - oauth: []
components:
  securitySchemes:
    key:
      type: apiKey
"##;
    let e = err(text, Some(&pets()));
    assert_eq!(e.message, "not a valid OpenAPI 3.x document: 14 findings");
    assert_eq!(
        e.findings,
        strings(&[
            "$.info.version: must be a string, not a number (quote it: \"1.0\")",
            "$.components.securitySchemes.key.name: is required for a security scheme of type apiKey",
            "$.components.securitySchemes.key.in: is required for a security scheme of type apiKey",
            "$.paths.pets: a path must start with /",
            "$.paths.pets.get.responses: is required",
            "$.paths./pets/{petId}.get.parameters[0].required: must be true for a path parameter",
            "$.paths./pets/{petId}.get.parameters[1].name: is required",
            "$.paths./pets/{petId}.get.responses.600: is not an HTTP status code, a range such as 4XX, or default",
            "$.paths./pets/{petId}.delete.operationId: \"getPet\" is also the operationId of $.paths./pets/{petId}.get",
            "$.paths./pets/{petId}.delete: {petId} in the path has no path parameter named petId",
            "$.paths./pets/{petId}.delete.responses: needs at least one response",
            "$.paths./pets/{petId}.delete.security[0].oauth: names no scheme of components.securitySchemes",
            "$.paths./pets/{petId}.get.responses.200.content.application/json.schema.$ref: \"#/components/schemas/Pet\" does not resolve",
            "$.paths./pets/{petId}.delete.parameters[0].$ref: \"#/components/parameters/Nope\" does not resolve",
        ])
    );
}

#[test]
fn missing_info_and_an_unresolved_ref_are_findings() {
    let e = err("openapi: 3.1.0\npaths:\n  /pets:\n    get:\n      responses:\n        '200': {$ref: '#/components/responses/Ok'}\n", Some(&pets()));
    assert_eq!(
        e.findings,
        strings(&[
            "$.info: is required",
            "$.paths./pets.get.responses.200.$ref: \"#/components/responses/Ok\" does not resolve"
        ])
    );
    let e = err("openapi: 3.2.0\ninfo: {title: t, version: v}\n", Some(&pets()));
    assert_eq!(
        e.findings,
        strings(&[
            "$.openapi: \"3.2.0\" is not a 3.0.x or 3.1.x version",
            "$: needs at least one of paths, components or webhooks"
        ])
    );
    let e = err("info: {title: t}\npaths: {}\n", Some(&pets()));
    assert_eq!(e.findings, strings(&["$.openapi: is required", "$.info.version: is required"]));
}

#[test]
fn operations_without_responses_are_valid_in_3_1_only() {
    let doc = |v: &str| {
        format!("openapi: {v}\ninfo: {{title: t, version: v}}\npaths:\n  /pets:\n    get:\n      summary: s\n")
    };
    assert_eq!(err(&doc("3.0.3"), Some(&pets())).findings, strings(&["$.paths./pets.get.responses: is required"]));
    let imported = ok(&doc("3.1.1"), &pets());
    assert_eq!(imported.artifact.endpoints[0].summary, "s");
    assert!(imported.artifact.endpoints[0].response_fields.is_empty());
}

#[test]
fn bad_yaml_and_bad_json_give_their_line_and_column() {
    let e = err("openapi: 3.1.0\ninfo:\n  title: t\n   version: v\n", Some(&pets()));
    assert_eq!((e.line, e.column), (Some(4), Some(11)), "{}", e.message);
    assert!(e.message.starts_with("not valid YAML at line 4, column 11: "), "{}", e.message);
    let e = err("{\n  \"openapi\": \"3.1.0\",\n  \"info\": {\"title\": \"t\" \"version\": \"v\"}\n}", Some(&pets()));
    assert_eq!(e.message, "not valid JSON at line 3, column 25: expected `,` or `}`");
    assert_eq!((e.line, e.column), (Some(3), Some(25)));
}

#[test]
fn what_parit_cannot_represent_is_listed_with_its_line() {
    let text = r##"{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1"},
  "security": [{"key": []}],
  "paths": {
    "/api/v1/pets/{id}": {
      "parameters": [{"name": "id", "in": "path", "required": true}],
      "head": {"responses": {"200": {"description": "ok"}}},
      "options": {"responses": {"200": {"description": "ok"}}},
      "put": {
        "requestBody": {"content": {
          "application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/NewPet"}, {"properties": {"petId": {}}}]}},
          "application/xml": {}
        }},
        "responses": {
          "200": {"description": "ok", "links": {"owner": {"operationId": "x"}}},
          "4XX": {"description": "client error"},
          "503": {"description": "down"}
        },
        "callbacks": {"onChange": {"{$request.body#/url}": {"post": {"responses": {"200": {"description": "ok"}}}}}},
        "servers": [{"url": "https://other.example"}],
        "security": [{}, {"key": []}]
      },
      "trace": {"responses": {"200": {"description": "ok"}}}
    },
    "/owners": {"get": {"responses": {"200": {"description": "ok"}}}}
  },
  "components": {
    "schemas": {"NewPet": {"properties": {"name": {}, "color": {}}}},
    "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}
  }
}"##;
    let imported = ok(text, &pets());
    let mut put = endpoint("EP-1", HttpMethod::Put, "/api/v1/pets/{id}", "Replace a Pet", "Pet");
    put.request_fields = strings(&["name"]);
    put.errors = vec![503];
    assert_eq!(imported.artifact, ApiArtifact { auth_scheme: "none".into(), endpoints: vec![put] });
    let lines: Vec<(&str, Option<u32>)> = imported.not_imported.iter().map(|n| (n.what.as_str(), n.line)).collect();
    assert_eq!(
        lines,
        vec![
            ("security scheme \"key\"", Some(30)),
            ("schemas", Some(29)),
            ("documentation", None),
            ("PUT /api/v1/pets/{id} callbacks onChange", Some(20)),
            ("PUT /api/v1/pets/{id} servers", Some(21)),
            ("PUT /api/v1/pets/{id} request body application/xml", Some(10)),
            ("PUT /api/v1/pets/{id} response 200 links", Some(10)),
            ("PUT /api/v1/pets/{id} request properties color, petId", Some(10)),
            ("PUT /api/v1/pets/{id} security", Some(10)),
            ("PUT /api/v1/pets/{id} responses 4XX", Some(10)),
            ("HEAD /api/v1/pets/{id}", Some(8)),
            ("OPTIONS /api/v1/pets/{id}", Some(9)),
            ("TRACE /api/v1/pets/{id}", Some(24)),
            ("GET /owners", Some(26)),
        ]
    );
    let owners = imported.not_imported.last().unwrap();
    assert_eq!(
        owners.why,
        "matches no entity of the data model (tried owners), and no schema of the document names one with properties"
    );
    assert!(imported.not_imported[0].why.starts_with("an API key in the header X-Key: "));
}

#[test]
fn nothing_matched_and_no_data_model_are_refused() {
    let text = "openapi: 3.0.3\ninfo: {title: t, version: v}\npaths:\n  /owners:\n    get:\n      responses: {'200': {description: ok}}\n";
    let e = err(text, Some(&pets()));
    assert_eq!(e.message, "nothing to import: no operation of the document became an endpoint");
    assert!(e.findings.contains(
        &"GET /owners: matches no entity of the data model (tried owners), and no schema of the document names one with properties".to_string()
    ));
    assert_eq!(err("openapi: 3.0.3\npaths: {}\n", None).findings, strings(&["$.info: is required"]));
}

#[test]
fn without_a_data_model_the_entities_come_from_the_documents_schemas() {
    let i = import(PETSTORE, None).expect("petstore");
    let data = i.data.as_ref().expect("a derived data model");
    let pet = data.entities.iter().find(|e| e.name == "Pet").expect("Pet");
    assert_eq!(pet.table, "pets");
    let names: Vec<(&str, FieldType, bool)> =
        pet.fields.iter().map(|f| (f.name.as_str(), f.field_type, f.required)).collect();
    assert_eq!(
        names,
        [("id", FieldType::Id, true), ("name", FieldType::String, true), ("tag", FieldType::String, false)]
    );
    assert!(i.artifact.endpoints.iter().all(|e| e.entity == "Pet"));
    assert_eq!(i.imported[1], "entity Pet derived from schema Pet: 3 fields");
    assert!(i.imported[0].starts_with("data model: 1 entities derived from the document's schemas"));
    // With a data model that has the entity, nothing is derived.
    assert!(import(PETSTORE, Some(&pets())).expect("petstore").data.is_none());
}

#[test]
fn swagger_2_is_named_even_when_its_yaml_does_not_load() {
    // Real Swagger files carry YAML this reader refuses; the version is what a person needs to know.
    let text = "swagger: '2.0'\ninfo:\n  title: t\n  version: v\npaths:\n  /a:\n    get: {responses: {'200': {description: [}}\n";
    let e = err(text, None);
    assert!(e.message.starts_with("this is a Swagger 2.0 document, not OpenAPI 3.x"), "{}", e.message);
    let e = err(
        "{\n  \"swagger\": \"2.0\",\n  \"info\": {\"title\": \"t\", \"version\": \"v\"},\n  \"paths\": {}\n}",
        None,
    );
    assert!(e.message.starts_with("this is a Swagger 2.0 document"), "{}", e.message);
}

#[test]
fn a_real_swagger_2_file_is_named_in_json_and_in_yaml() {
    for text in [include_str!("swagger/petstore.json"), include_str!("swagger/petstore.yaml")] {
        let e = err(text, None);
        assert!(e.message.starts_with("this is a Swagger 2.0 document, not OpenAPI 3.x"), "{}", e.message);
        assert!(e.message.contains("swagger2openapi"), "it says how to convert: {}", e.message);
    }
}

#[test]
fn regression_refs_inside_a_vendor_extension_do_not_block_the_import() {
    // Spotify's description keeps `$ref`s to its own `x-spotify-policy-list` entries.
    let text = "openapi: 3.0.3\ninfo: {title: t, version: v}\npaths:\n  /pets:\n    get:\n      x-spotify-policy-list:\n        $ref: '#/components/x-spotify-policy/policies'\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Pet'}\ncomponents:\n  schemas:\n    Pet: {type: object, properties: {id: {type: integer}, name: {type: string}}}\n";
    let i = import(text, None).expect("imports");
    assert_eq!(i.artifact.endpoints.len(), 1);
}

/// A real public API description, imported with no data model: every
/// operation Parit can hold becomes an endpoint of an entity derived from
/// the document's schemas, the whole validates, and the render passes the
/// document reader again.
fn real(name: &str, text: &str, min_endpoints: usize, min_entities: usize) -> Imported<ApiArtifact> {
    let i = import(text, None)
        .unwrap_or_else(|e| panic!("{name}: {} {:?}", e.message, &e.findings[..e.findings.len().min(5)]));
    let data = i.data.clone().unwrap_or_else(|| panic!("{name}: no data model derived"));
    assert_eq!(validate(&Artifact::Data(data.clone()), &Upstream::default()), Vec::<String>::new(), "{name}");
    let upstream = Upstream { data: Some(data.clone()), ..Upstream::default() };
    assert_eq!(validate(&Artifact::Api(i.artifact.clone()), &upstream), Vec::<String>::new(), "{name}");
    assert!(i.artifact.endpoints.len() >= min_endpoints, "{name}: {} endpoints", i.artifact.endpoints.len());
    assert!(data.entities.len() >= min_entities, "{name}: {} entities", data.entities.len());
    // Parit's own render of it imports back against the derived model.
    let rendered = serde_json::to_string(&document(name, &i.artifact, &data)).expect("json");
    let again = import(&rendered, Some(&data)).unwrap_or_else(|e| panic!("{name} again: {e:?}"));
    assert_eq!(again.artifact.endpoints.len(), i.artifact.endpoints.len(), "{name}");
    i
}

#[test]
fn real_public_apis_import_with_their_own_entities() {
    let spotify = real("spotify", include_str!("openapi/spotify.yaml"), 60, 10);
    let names: Vec<&str> = spotify.data.as_ref().unwrap().entities.iter().map(|e| e.name.as_str()).collect();
    assert!(names.contains(&"Album"), "{names:?} {:?}", &spotify.imported[..5]);
    real("pokeapi", include_str!("openapi/pokeapi.yaml"), 40, 20);
    real("discourse", include_str!("openapi/discourse.json"), 40, 5);
}

#[test]
fn query_parameters_are_imported_typed_and_what_does_not_fit_is_listed() {
    let text = r##"
openapi: 3.1.0
info: {title: Pets, version: "1"}
paths:
  /pets/{id}/toys:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
      - {name: limit, in: query, schema: {type: string}}
      - {name: X-Trace, in: header, schema: {type: string}}
    get:
      tags: [Pet]
      parameters:
        - {name: limit, in: query, required: true, description: "How many. At most 50.", schema: {type: integer}}
        - {name: tag, in: query, schema: {type: [string, "null"], enum: [cat, dog]}}
        - {name: ids, in: query, schema: {type: array, items: {type: string}}}
        - {name: id, in: query, schema: {type: string}}
        - {name: sort, in: query, schema: {type: string, enum: [name, -age]}}
        - {name: order, in: query, schema: {$ref: "#/components/schemas/Order"}}
        - {name: session, in: cookie}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Pet"}}
components:
  schemas:
    Order: {type: string, enum: [name, -name]}
    Pet: {type: object, properties: {id: {type: string}, name: {type: string}}}
"##;
    let imported = ok(text, &pets());
    let query: Vec<String> = imported.artifact.endpoints[0]
        .query_params
        .iter()
        .map(|q| format!("{} {} {:?} {} {}", q.name, q.param_type, q.values, q.required, q.description))
        .collect();
    assert_eq!(
        query,
        strings(&[
            "limit integer [] true How many.",
            "tag enum [\"cat\", \"dog\"] false ",
            "ids string [] false ",
            "sort string [] false ",
            "order enum [\"name\", \"-name\"] false ",
        ])
    );
    let notes: Vec<String> = imported.not_imported.iter().map(|n| format!("{}: {}", n.what, n.why)).collect();
    for expected in [
        "GET /pets/{id}/toys query parameter ids: its schema has array: imported as a string",
        "GET /pets/{id}/toys query parameter id: its name is also a path parameter's",
        "GET /pets/{id}/toys query parameter sort: its values age are not fields of Pet: imported as a string, without them",
        "GET /pets/{id}/toys parameters header X-Trace, cookie session: Parit's endpoints have path and query parameters only: no header or cookie parameters",
    ] {
        assert!(notes.iter().any(|n| n == expected), "{expected}\nin {notes:#?}");
    }
    assert!(imported.imported[0].ends_with(", query limit, tag, ids, sort, order"), "{:?}", imported.imported);
}
