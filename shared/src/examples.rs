//! Example products: a compact spec per product from which all seven
//! artifacts are derived, so they agree with one another by construction.
//! The local Gemini-compatible server answers with them, the tests validate
//! them, and the benchmarks scale them up with [`large`].

use crate::artifact::*;
use crate::stage::Stage;

/// A field of an entity spec: name, type, required, unique, referenced entity.
type FieldSpec = (&'static str, FieldType, bool, bool, Option<&'static str>);

/// One entity of a product spec.
#[derive(Debug, Clone)]
pub struct EntitySpec {
    /// PascalCase name.
    pub name: String,
    /// snake_case plural table.
    pub table: String,
    /// What it is.
    pub description: String,
    /// Fields besides `id` and `created_at`.
    pub fields: Vec<(String, FieldType, bool, bool, Option<String>)>,
    /// Status field and its states, when the entity has a lifecycle.
    pub lifecycle: Option<Vec<String>>,
}

/// A product: enough to derive every artifact.
#[derive(Debug, Clone)]
pub struct ProductSpec {
    /// Short key, e.g. "pantry".
    pub key: String,
    /// Product name.
    pub name: String,
    /// Summary.
    pub summary: String,
    /// Personas: name and description.
    pub personas: Vec<(String, String)>,
    /// Entities.
    pub entities: Vec<EntitySpec>,
    /// Words in a brief that select this product.
    pub keywords: Vec<String>,
}

fn entity(name: &str, table: &str, description: &str, fields: &[FieldSpec], lifecycle: Option<&[&str]>) -> EntitySpec {
    EntitySpec {
        name: name.into(),
        table: table.into(),
        description: description.into(),
        fields: fields.iter().map(|(n, t, r, u, re)| (n.to_string(), *t, *r, *u, re.map(str::to_string))).collect(),
        lifecycle: lifecycle.map(|s| s.iter().map(|x| x.to_string()).collect()),
    }
}

/// The recipe and meal-planning example.
pub fn pantry() -> ProductSpec {
    use FieldType::*;
    ProductSpec {
        key: "pantry".into(),
        name: "Pantry Planner".into(),
        summary:
            "Pantry Planner helps home cooks plan a week of meals from recipes and what is already in the pantry, \
                  and turns the plan into a shopping list."
                .into(),
        personas: vec![
            ("Home cook".into(), "Cooks most evenings for a household and wants less waste.".into()),
            ("Busy parent".into(), "Plans meals for a family with little time on weekdays.".into()),
        ],
        entities: vec![
            entity(
                "User",
                "users",
                "A registered cook.",
                &[("email", String, true, true, None), ("display_name", String, true, false, None)],
                None,
            ),
            entity(
                "Recipe",
                "recipes",
                "A recipe a user saved.",
                &[
                    ("owner_id", Id, true, false, Some("User")),
                    ("title", String, true, false, None),
                    ("instructions", Text, true, false, None),
                    ("servings", Integer, true, false, None),
                    ("status", String, true, false, None),
                ],
                Some(&["draft", "published", "archived"]),
            ),
            entity(
                "PantryItem",
                "pantry_items",
                "An ingredient the user has at home.",
                &[
                    ("owner_id", Id, true, false, Some("User")),
                    ("name", String, true, false, None),
                    ("quantity", Decimal, true, false, None),
                    ("unit", String, false, false, None),
                    ("expires_on", Date, false, false, None),
                ],
                None,
            ),
            entity(
                "MealPlan",
                "meal_plans",
                "Recipes planned for the days of one week.",
                &[
                    ("owner_id", Id, true, false, Some("User")),
                    ("week_start", Date, true, false, None),
                    ("status", String, true, false, None),
                ],
                Some(&["planning", "shopping", "cooking", "done"]),
            ),
        ],
        keywords: ["recipe", "meal", "pantry", "cook", "grocer", "kitchen"].map(str::to_string).to_vec(),
    }
}

/// The clinic appointment-booking example.
pub fn clinic() -> ProductSpec {
    use FieldType::*;
    ProductSpec {
        key: "clinic".into(),
        name: "ClinicBook".into(),
        summary: "ClinicBook lets patients book, move and cancel appointments with a small clinic's practitioners, \
                  and gives the front desk one view of the day."
            .into(),
        personas: vec![
            ("Patient".into(), "Needs an appointment that fits around work.".into()),
            ("Receptionist".into(), "Keeps the clinic's day running and fills gaps.".into()),
            ("Practitioner".into(), "Sees patients and manages their own availability.".into()),
        ],
        entities: vec![
            entity(
                "Patient",
                "patients",
                "A person who books appointments.",
                &[
                    ("full_name", String, true, false, None),
                    ("email", String, true, true, None),
                    ("phone", String, false, false, None),
                ],
                None,
            ),
            entity(
                "Practitioner",
                "practitioners",
                "A clinician who sees patients.",
                &[
                    ("full_name", String, true, false, None),
                    ("specialty", String, true, false, None),
                    ("active", Boolean, true, false, None),
                ],
                None,
            ),
            entity(
                "Slot",
                "slots",
                "A bookable period of a practitioner's time.",
                &[
                    ("practitioner_id", Id, true, false, Some("Practitioner")),
                    ("starts_at", Timestamp, true, false, None),
                    ("ends_at", Timestamp, true, false, None),
                ],
                None,
            ),
            entity(
                "Appointment",
                "appointments",
                "A patient's booking of a slot.",
                &[
                    ("patient_id", Id, true, false, Some("Patient")),
                    ("slot_id", Id, true, true, Some("Slot")),
                    ("reason", Text, false, false, None),
                    ("status", String, true, false, None),
                ],
                Some(&["requested", "confirmed", "checked_in", "completed", "cancelled"]),
            ),
            entity(
                "Invoice",
                "invoices",
                "What a patient owes for an appointment.",
                &[
                    ("appointment_id", Id, true, true, Some("Appointment")),
                    ("amount", Decimal, true, false, None),
                    ("status", String, true, false, None),
                ],
                Some(&["open", "paid", "void"]),
            ),
        ],
        keywords: ["clinic", "appointment", "booking", "doctor", "patient", "practitioner"]
            .map(str::to_string)
            .to_vec(),
    }
}

/// The example products, the default first.
pub fn all() -> Vec<ProductSpec> {
    vec![pantry(), clinic()]
}

/// The example product whose keywords appear in `brief_text` (the first one
/// when none does).
pub fn select(brief_text: &str) -> ProductSpec {
    let text = brief_text.to_lowercase();
    all()
        .into_iter()
        .max_by_key(|p| {
            let hits = p.keywords.iter().filter(|k| text.contains(k.as_str())).count();
            // Ties (including no hits) go to the earlier product.
            (hits, usize::MAX - (p.key != "pantry") as usize)
        })
        .unwrap_or_else(pantry)
}

/// A synthetic product with `n` entities (each with a lifecycle and a
/// reference to the previous one), for benchmarks and scale tests.
pub fn large(n: usize) -> ProductSpec {
    use FieldType::*;
    let entities = (0..n)
        .map(|i| {
            let mut fields = vec![
                ("title".to_string(), String, true, false, None),
                ("notes".to_string(), Text, false, false, None),
                ("amount".to_string(), Decimal, false, false, None),
                ("status".to_string(), String, true, false, None),
            ];
            if i > 0 {
                fields.insert(0, (format!("thing{}_id", i - 1), Id, true, false, Some(format!("Thing{}", i - 1))));
            }
            EntitySpec {
                name: format!("Thing{i}"),
                table: format!("thing{i}s"),
                description: format!("Synthetic entity number {i}."),
                fields,
                lifecycle: Some(vec!["new".into(), "active".into(), "closed".into()]),
            }
        })
        .collect();
    ProductSpec {
        key: format!("large-{n}"),
        name: format!("Large product with {n} entities"),
        summary: "A synthetic product used to measure how Parit scales.".into(),
        personas: vec![("Operator".into(), "Runs the synthetic business.".into())],
        entities,
        keywords: vec![],
    }
}

fn lower_words(pascal: &str) -> String {
    let mut out = String::new();
    for (i, c) in pascal.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

fn entity_stories(i: usize) -> (String, String) {
    (format!("US-{}", 2 * i + 1), format!("US-{}", 2 * i + 2))
}

impl ProductSpec {
    /// Takes the fields of each entity this product shares with `data` from
    /// `data` (an edited data model), keeping everything else.
    pub fn adopt_fields(&mut self, data: &DataArtifact) {
        for spec in &mut self.entities {
            let Some(entity) = data.entities.iter().find(|e| e.name == spec.name) else { continue };
            spec.fields = entity
                .fields
                .iter()
                .filter(|f| f.name != "id" && f.name != "created_at")
                .map(|f| {
                    let t = if f.references.is_some() { FieldType::Id } else { f.field_type };
                    (f.name.clone(), t, f.required, f.unique, f.references.clone())
                })
                .collect();
        }
    }

    /// The artifact of `stage` for this product.
    pub fn artifact(&self, stage: Stage) -> Artifact {
        match stage {
            Stage::Prd => Artifact::Prd(self.prd()),
            Stage::Data => Artifact::Data(self.data()),
            Stage::Design => Artifact::Design(self.design()),
            Stage::Logic => Artifact::Logic(self.logic()),
            Stage::Api => Artifact::Api(self.api()),
            Stage::Frontend => Artifact::Frontend(self.frontend()),
            Stage::Deployment => Artifact::Deployment(self.deployment()),
        }
    }

    /// The PRD: two stories and one feature per entity.
    pub fn prd(&self) -> PrdArtifact {
        let personas: Vec<Persona> = self
            .personas
            .iter()
            .enumerate()
            .map(|(i, (name, description))| Persona {
                id: format!("PER-{}", i + 1),
                name: name.clone(),
                description: description.clone(),
                goals: vec![format!("Get more done with {}", self.name)],
            })
            .collect();
        let mut user_stories = Vec::new();
        let mut features = Vec::new();
        for (i, e) in self.entities.iter().enumerate() {
            let persona = &personas[i % personas.len()];
            let what = lower_words(&e.name);
            let (a, b) = entity_stories(i);
            user_stories.push(UserStory {
                id: a.clone(),
                persona: persona.id.clone(),
                title: format!("Add and browse {what} records"),
                narrative: format!(
                    "As a {}, I want to add and browse {what} records, so that nothing is kept on paper.",
                    persona.name.to_lowercase()
                ),
                acceptance_criteria: vec![
                    format!("A new {what} appears in the list right after it is saved"),
                    format!("Saving a {what} without its required fields shows which are missing"),
                ],
                priority: Priority::Must,
            });
            let lifecycle = e.lifecycle.as_ref().map(|s| s.join(" → "));
            user_stories.push(UserStory {
                id: b.clone(),
                persona: persona.id.clone(),
                title: format!("Change a {what}"),
                narrative: match &lifecycle {
                    Some(flow) => format!(
                        "As a {}, I want to move a {what} through {flow}, so that everyone sees where it stands.",
                        persona.name.to_lowercase()
                    ),
                    None => format!(
                        "As a {}, I want to edit or remove a {what}, so that the records stay correct.",
                        persona.name.to_lowercase()
                    ),
                },
                acceptance_criteria: vec![format!("Changes to a {what} are visible after a reload")],
                priority: if lifecycle.is_some() { Priority::Must } else { Priority::Should },
            });
            features.push(Feature {
                id: format!("F-{}", i + 1),
                name: format!("{} management", e.name),
                description: e.description.clone(),
                stories: vec![a, b],
            });
        }
        PrdArtifact {
            product_name: self.name.clone(),
            summary: self.summary.clone(),
            personas,
            user_stories,
            features,
            non_functional: vec![
                NonFunctionalRequirement {
                    category: "performance".into(),
                    requirement: "Every screen answers within 300 ms at the 95th percentile".into(),
                },
                NonFunctionalRequirement { category: "accessibility".into(), requirement: "Meets WCAG 2.2 AA".into() },
                NonFunctionalRequirement {
                    category: "security".into(),
                    requirement: "Every API call is authenticated with a bearer token".into(),
                },
            ],
            out_of_scope: vec!["Native mobile apps".into(), "Payments".into()],
            success_metrics: vec![SuccessMetric {
                name: "Weekly active users".into(),
                target: "500 within three months of launch".into(),
            }],
        }
    }

    /// The data model: the spec's entities plus `id` and `created_at`.
    pub fn data(&self) -> DataArtifact {
        let field = |name: &str,
                     t: FieldType,
                     required: bool,
                     unique: bool,
                     references: Option<String>,
                     description: String| Field {
            name: name.into(),
            field_type: t,
            required,
            unique,
            references,
            description,
        };
        let mut relationships = Vec::new();
        let mut indexes = Vec::new();
        let entities = self
            .entities
            .iter()
            .map(|e| {
                let mut fields = vec![field(
                    "id",
                    FieldType::Id,
                    true,
                    true,
                    None,
                    format!("Primary key of the {}.", lower_words(&e.name)),
                )];
                for (name, t, required, unique, references) in &e.fields {
                    let t = if references.is_some() { FieldType::String } else { *t };
                    fields.push(field(
                        name,
                        t,
                        *required,
                        *unique,
                        references.clone(),
                        format!("The {}.", name.replace('_', " ")),
                    ));
                    if let Some(r) = references {
                        relationships.push(Relationship {
                            from: r.clone(),
                            to: e.name.clone(),
                            cardinality: Cardinality::OneToMany,
                            label: "has".into(),
                        });
                        indexes.push(Index { entity: e.name.clone(), fields: vec![name.clone()], unique: false });
                    }
                }
                fields.push(field(
                    "created_at",
                    FieldType::Timestamp,
                    true,
                    false,
                    None,
                    "When the record was created.".into(),
                ));
                Entity { name: e.name.clone(), table: e.table.clone(), description: e.description.clone(), fields }
            })
            .collect();
        DataArtifact { entities, relationships, indexes }
    }

    /// The design: a home screen plus a list and a detail screen per entity.
    pub fn design(&self) -> DesignArtifact {
        let size = |name: &str, px| SizeToken { name: name.into(), px };
        let mut screens = vec![Screen {
            id: "SCR-1".into(),
            name: "Home".into(),
            route: "/".into(),
            purpose: format!("Start page of {} with shortcuts to every list.", self.name),
            user_stories: vec![],
            components: vec!["AppHeader".into(), "ShortcutGrid".into()],
        }];
        let mut navigation = Vec::new();
        for (i, e) in self.entities.iter().enumerate() {
            let (a, b) = entity_stories(i);
            let list = format!("SCR-{}", 2 * i + 2);
            let detail = format!("SCR-{}", 2 * i + 3);
            screens.push(Screen {
                id: list.clone(),
                name: format!("{} list", e.name),
                route: format!("/{}", e.table),
                purpose: format!("Browse {} records and add a new one.", lower_words(&e.name)),
                user_stories: vec![a],
                components: vec!["AppHeader".into(), "DataTable".into(), "CreateForm".into()],
            });
            screens.push(Screen {
                id: detail.clone(),
                name: format!("{} detail", e.name),
                route: format!("/{}/:id", e.table),
                purpose: format!("See and change one {}.", lower_words(&e.name)),
                user_stories: vec![b],
                components: vec!["AppHeader".into(), "EditForm".into(), "StatusBadge".into()],
            });
            navigation.push(NavigationLink { from: "SCR-1".into(), to: list.clone(), label: e.name.clone() });
            navigation.push(NavigationLink { from: list.clone(), to: detail.clone(), label: "Open".into() });
            navigation.push(NavigationLink { from: detail, to: list, label: "Back".into() });
        }
        DesignArtifact {
            tokens: DesignTokens {
                colors: vec![
                    ColorToken { name: "primary".into(), value: "#2f6f4e".into() },
                    ColorToken { name: "surface".into(), value: "#ffffff".into() },
                    ColorToken { name: "text".into(), value: "#1d2321".into() },
                    ColorToken { name: "danger".into(), value: "#b3261e".into() },
                ],
                typography: vec![
                    TypeToken {
                        name: "heading".into(),
                        font_family: "Inter, system-ui, sans-serif".into(),
                        size_px: 24,
                        weight: 700,
                        line_height: 1.25,
                    },
                    TypeToken {
                        name: "body".into(),
                        font_family: "Inter, system-ui, sans-serif".into(),
                        size_px: 16,
                        weight: 400,
                        line_height: 1.5,
                    },
                ],
                spacing: vec![size("sm", 8), size("md", 16), size("lg", 24)],
                radius: vec![size("sm", 4), size("md", 8)],
            },
            screens,
            navigation,
        }
    }

    /// The logic: a rule per required field set, a state machine per lifecycle.
    pub fn logic(&self) -> LogicArtifact {
        let mut rules = Vec::new();
        let mut state_machines = Vec::new();
        for e in &self.entities {
            let required: Vec<&str> = e.fields.iter().filter(|f| f.2).map(|f| f.0.as_str()).collect();
            rules.push(BusinessRule {
                id: format!("BR-{}", rules.len() + 1),
                entity: e.name.clone(),
                title: format!("{} requires its mandatory fields", e.name),
                description: format!(
                    "A {} cannot be saved unless {} are set.",
                    lower_words(&e.name),
                    required.join(", ")
                ),
            });
            if let Some(states) = &e.lifecycle {
                rules.push(BusinessRule {
                    id: format!("BR-{}", rules.len() + 1),
                    entity: e.name.clone(),
                    title: format!("{} status changes follow its lifecycle", e.name),
                    description: format!(
                        "The status of a {} only changes along the transitions of its state machine.",
                        lower_words(&e.name)
                    ),
                });
                let transitions = states
                    .windows(2)
                    .map(|w| Transition {
                        from: w[0].clone(),
                        to: w[1].clone(),
                        event: format!("advance_to_{}", w[1]),
                        guard: None,
                    })
                    .collect();
                state_machines.push(StateMachine {
                    entity: e.name.clone(),
                    field: "status".into(),
                    states: states.clone(),
                    initial: states[0].clone(),
                    transitions,
                });
            }
        }
        LogicArtifact {
            rules,
            state_machines,
            algorithms: vec![Algorithm {
                name: "Paginate a list".into(),
                purpose: "Return records newest first in stable pages.".into(),
                pseudocode: "take limit (default 20, max 100)\nselect rows where created_at < cursor order by created_at desc limit limit + 1\nnext cursor = created_at of the last row kept".into(),
            }],
        }
    }

    /// The API: list, create, read, update and delete per entity.
    pub fn api(&self) -> ApiArtifact {
        let data = self.data();
        let mut endpoints = Vec::new();
        for (i, e) in data.entities.iter().enumerate() {
            let (a, b) = entity_stories(i);
            let all: Vec<String> = e.fields.iter().map(|f| f.name.clone()).collect();
            let writable: Vec<String> =
                e.fields.iter().filter(|f| f.name != "id" && f.name != "created_at").map(|f| f.name.clone()).collect();
            let collection = format!("/api/{}", e.table);
            let item = format!("{collection}/{{id}}");
            let mut push = |method, path: &str, summary: String, req: Vec<String>, errors: Vec<u32>, story: &str| {
                endpoints.push(Endpoint {
                    id: format!("EP-{}", endpoints.len() + 1),
                    method,
                    path: path.to_string(),
                    summary,
                    entity: e.name.clone(),
                    request_fields: req,
                    response_fields: all.clone(),
                    errors,
                    auth_required: true,
                    user_stories: vec![story.to_string()],
                });
            };
            let what = lower_words(&e.name);
            push(HttpMethod::Get, &collection, format!("List {what} records"), vec![], vec![401], &a);
            push(HttpMethod::Post, &collection, format!("Create a {what}"), writable.clone(), vec![400, 401], &a);
            push(HttpMethod::Get, &item, format!("Read one {what}"), vec![], vec![401, 404], &b);
            push(HttpMethod::Patch, &item, format!("Change a {what}"), writable, vec![400, 401, 404], &b);
            push(HttpMethod::Delete, &item, format!("Delete a {what}"), vec![], vec![401, 404], &b);
        }
        ApiArtifact { auth_scheme: "bearer".into(), endpoints }
    }

    /// The frontend: a Vite + TypeScript client calling every endpoint.
    pub fn frontend(&self) -> FrontendArtifact {
        let api = self.api();
        let mut client = String::from(
            "// Generated API client: one function per declared endpoint.\n\
             const BASE = import.meta.env.VITE_API_BASE_URL ?? '';\n\n\
             async function call(method: string, path: string, body?: unknown): Promise<unknown> {\n\
             \x20 const token = localStorage.getItem('token') ?? '';\n\
             \x20 const res = await fetch(BASE + path, {\n\
             \x20   method,\n\
             \x20   headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },\n\
             \x20   body: body === undefined ? undefined : JSON.stringify(body),\n\
             \x20 });\n\
             \x20 if (!res.ok) throw new Error(`${method} ${path} failed: ${res.status}`);\n\
             \x20 return res.status === 204 ? null : res.json();\n\
             }\n",
        );
        for ep in &api.endpoints {
            let name = format!(
                "{}{}",
                ep.method.as_str().to_lowercase(),
                ep.path.replace("/api/", "_").replace(['/', '{', '}'], "_").trim_end_matches('_')
            );
            let takes_id = ep.path.contains("{id}");
            let takes_body = !ep.request_fields.is_empty();
            let mut params = Vec::new();
            if takes_id {
                params.push("id: string");
            }
            if takes_body {
                params.push("body: Record<string, unknown>");
            }
            let path = if takes_id {
                format!("`{}`", ep.path.replace("{id}", "${encodeURIComponent(id)}"))
            } else {
                format!("'{}'", ep.path)
            };
            client.push_str(&format!(
                "\n/** {} ({}) */\nexport const {} = ({}) => call('{}', {}{});\n",
                ep.summary,
                ep.id,
                name.replace("__", "_"),
                params.join(", "),
                ep.method.as_str(),
                path,
                if takes_body { ", body" } else { "" }
            ));
        }
        let design = self.design();
        let mut css = String::from(":root {\n");
        for c in &design.tokens.colors {
            css.push_str(&format!("  --color-{}: {};\n", c.name, c.value));
        }
        for s in &design.tokens.spacing {
            css.push_str(&format!("  --space-{}: {}px;\n", s.name, s.px));
        }
        css.push_str("}\nbody { font-family: Inter, system-ui, sans-serif; color: var(--color-text); background: var(--color-surface); margin: 0; }\n");
        let routes: Vec<String> =
            design.screens.iter().map(|s| format!("  {{ path: '{}', title: '{}' }},", s.route, s.name)).collect();
        let main = format!(
            "import './styles.css';\nimport * as api from './api';\n\nconst routes = [\n{}\n];\n\n\
             function render(): void {{\n  const here = location.pathname;\n  const route = routes.find((r) => r.path === here) ?? routes[0];\n  \
             document.title = `${{route.title}} · {}`;\n  const app = document.getElementById('app');\n  if (app) app.textContent = route.title;\n}}\n\n\
             window.addEventListener('popstate', render);\nrender();\nexport {{ api }};\n",
            routes.join("\n"),
            self.name
        );
        let file = |path: &str, language: &str, content: String| SourceFile {
            path: path.into(),
            language: language.into(),
            content,
        };
        FrontendArtifact {
            framework: "vite-typescript".into(),
            files: vec![
                file("index.html", "html", format!("<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n<body><div id=\"app\"></div><script type=\"module\" src=\"/src/main.ts\"></script></body>\n</html>\n", self.name)),
                file("package.json", "json", format!("{{\n  \"name\": \"{}-web\",\n  \"private\": true,\n  \"type\": \"module\",\n  \"scripts\": {{ \"dev\": \"vite\", \"build\": \"tsc && vite build\" }},\n  \"devDependencies\": {{ \"typescript\": \"^5.6.0\", \"vite\": \"^7.0.0\" }}\n}}\n", self.key)),
                file("src/api.ts", "typescript", client),
                file("src/main.ts", "typescript", main),
                file("src/styles.css", "css", css),
            ],
        }
    }

    /// The deployment: wrangler config, migration, CI workflow, env vars.
    pub fn deployment(&self) -> DeploymentArtifact {
        let data = self.data();
        let mut sql = String::new();
        for e in &data.entities {
            let cols: Vec<String> = e
                .fields
                .iter()
                .map(|f| {
                    format!(
                        "  {} {}{}",
                        f.name,
                        if f.field_type == FieldType::Id { "TEXT PRIMARY KEY" } else { "TEXT" },
                        if f.required && f.field_type != FieldType::Id { " NOT NULL" } else { "" }
                    )
                })
                .collect();
            sql.push_str(&format!("CREATE TABLE IF NOT EXISTS {} (\n{}\n);\n", e.table, cols.join(",\n")));
        }
        let file = |path: &str, language: &str, content: String| SourceFile {
            path: path.into(),
            language: language.into(),
            content,
        };
        // The API Worker the wrangler config deploys.
        let mut routes = String::new();
        for ep in &self.api().endpoints {
            let Some(e) = data.entities.iter().find(|e| e.name == ep.entity) else { continue };
            let pattern = ep.path.replace('/', "\\/").replace("{id}", "([^/]+)");
            let kind = match (ep.method, ep.path.contains("{id}")) {
                (HttpMethod::Get, false) => "list",
                (HttpMethod::Get, true) => "read",
                (HttpMethod::Post, _) => "create",
                (HttpMethod::Delete, _) => "delete",
                _ => "update",
            };
            let fields: Vec<String> = ep.request_fields.iter().map(|f| format!("'{f}'")).collect();
            routes.push_str(&format!(
                "  ['{}', /^{pattern}$/, '{}', '{kind}', [{}]],\n",
                ep.method,
                e.table,
                fields.join(", ")
            ));
        }
        let worker = include_str!("example_api_worker.ts").replace("__ROUTES__", &routes);
        DeploymentArtifact {
            platform: "cloudflare-workers".into(),
            files: vec![
                file("wrangler.toml", "toml", format!("name = \"{}-api\"\nmain = \"src/index.ts\"\ncompatibility_date = \"2026-04-01\"\n\n[[d1_databases]]\nbinding = \"DB\"\ndatabase_name = \"{}_db\"\ndatabase_id = \"REPLACE_WITH_DATABASE_ID\"\nmigrations_dir = \"migrations\"\n\n[vars]\nAPI_BASE_URL = \"https://{}.example.workers.dev\"\n", self.key, self.key.replace('-', "_"), self.key)),
                file("migrations/0001_init.sql", "sql", sql),
                file("src/index.ts", "typescript", worker),
                file(".github/workflows/deploy.yml", "yaml", "name: deploy\non:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci\n      - run: npm test\n      - run: npx wrangler d1 migrations apply DB --remote\n        env:\n          CLOUDFLARE_API_TOKEN: ${{ secrets.CLOUDFLARE_API_TOKEN }}\n      - run: npx wrangler deploy\n        env:\n          CLOUDFLARE_API_TOKEN: ${{ secrets.CLOUDFLARE_API_TOKEN }}\n".into()),
            ],
            env_vars: vec![
                EnvVar { name: "API_BASE_URL".into(), description: "Public URL of the API, read by the frontend build as VITE_API_BASE_URL.".into(), secret: false },
                EnvVar { name: "AUTH_SECRET".into(), description: "Key that signs session tokens.".into(), secret: true },
                EnvVar { name: "CLOUDFLARE_API_TOKEN".into(), description: "Token CI deploys with.".into(), secret: true },
            ],
            steps: vec![
                "Create the D1 database and put its id into wrangler.toml".into(),
                "Set AUTH_SECRET with wrangler secret put".into(),
                "Apply migrations with wrangler d1 migrations apply DB --remote".into(),
                "Deploy with wrangler deploy".into(),
                "Build the frontend with VITE_API_BASE_URL set and deploy it to Pages".into(),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::validate;

    fn check_product(p: &ProductSpec) {
        let mut upstream = Upstream::default();
        for stage in Stage::ALL {
            let artifact = p.artifact(stage);
            let value = artifact.to_value();
            assert!(Artifact::schema(stage).check(&value).is_empty(), "{} {stage}", p.key);
            let reparsed = Artifact::from_value(stage, value).unwrap();
            assert_eq!(reparsed, artifact);
            let problems = validate(&artifact, &upstream);
            assert!(problems.is_empty(), "{} {stage}: {problems:?}", p.key);
            upstream.insert(artifact);
        }
    }

    #[test]
    fn example_products_are_schema_valid_and_consistent() {
        for p in all() {
            check_product(&p);
        }
        check_product(&large(60));
    }

    #[test]
    fn briefs_select_their_product() {
        assert_eq!(select("Book appointments at my dental clinic").key, "clinic");
        assert_eq!(select("Plan meals from my pantry").key, "pantry");
        assert_eq!(select("something else entirely").key, "pantry");
    }

    #[test]
    fn adopting_its_own_data_model_changes_nothing_and_an_edit_flows_down() {
        let mut p = pantry();
        let before = p.api();
        p.adopt_fields(&pantry().data());
        assert_eq!(p.api(), before);
        let mut data = pantry().data();
        data.entities[1].fields.insert(
            2,
            Field {
                name: "cuisine".into(),
                field_type: FieldType::String,
                required: false,
                unique: false,
                references: None,
                description: "The cuisine.".into(),
            },
        );
        p.adopt_fields(&data);
        assert_eq!(p.data(), data);
        assert!(p.api().endpoints.iter().any(|e| e.request_fields.contains(&"cuisine".to_string())));
        check_product(&p);
    }

    #[test]
    fn large_products_scale() {
        let p = large(50);
        assert_eq!(p.api().endpoints.len(), 250);
        assert_eq!(p.prd().user_stories.len(), 100);
        assert_eq!(p.data().entities.len(), 50);
    }
}
