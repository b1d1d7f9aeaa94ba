// Import on the data and API artifact pages: paste or choose a file (SQL DDL
// for the data model, an OpenAPI document for the API); the supervisor's
// importer parses it with real parsers and stores a new version (source
// import). What was imported and what could not be represented is shown with
// the change notice.

import { api, STAGE_NAMES, type ImportAnswer, type SqlDialect } from "./api";
import { fill, h } from "./dom";
import type { AfterChange } from "./editor";
import type { ProjectState } from "./tab";
import { busy, errorBox, toast } from "./ui";

/** The stages an import can make. */
export type ImportStage = "data" | "api";

/** MySQL or PostgreSQL when the DDL uses what only that one has; SQLite otherwise. */
export function guessDialect(sql: string): SqlDialect {
  if (/`|\bengine\s*=|\bauto_increment\b|^\s*delimiter\s|\/\*!\d+|-- MySQL dump/im.test(sql)) return "mysql";
  return /\b(serial|bigserial|jsonb|timestamptz|bytea|create\s+type|create\s+schema|create\s+sequence|owner\s+to)\b|::/i.test(sql) ? "postgres" : "sqlite";
}

/** The import form for `stage`. */
export function importPanel(state: ProjectState, stage: ImportStage, afterChange: AfterChange): HTMLElement {
  const isData = stage === "data";
  const text = h("textarea", {
    id: "import-text",
    class: "editor-text",
    rows: 14,
    spellcheck: "false",
    wrap: "off",
    placeholder: isData ? "CREATE TABLE artists (\n  id INTEGER PRIMARY KEY,\n  name TEXT NOT NULL\n);" : "openapi: 3.1.0\ninfo:\n  title: My API\n  version: 1.0.0\npaths: {}",
  });
  const file = h("input", { id: "import-file", type: "file", accept: isData ? ".sql,.ddl,.txt,text/plain" : ".json,.yaml,.yml,application/json,application/yaml,text/yaml" });
  const dialect = h(
    "select",
    { id: "import-dialect" },
    h("option", { value: "sqlite" }, "SQLite / D1"),
    h("option", { value: "postgres" }, "PostgreSQL"),
    h("option", { value: "mysql" }, "MySQL / MariaDB"),
  );
  const guess = () => {
    if (isData) dialect.value = guessDialect(text.value);
  };
  text.addEventListener("change", guess);
  file.addEventListener("change", () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    void chosen.text().then((t) => {
      text.value = t;
      guess();
    });
  });
  const go = h("button", { type: "button" }, isData ? "Import SQL" : "Import OpenAPI");
  const result = h("div", { "aria-live": "polite", "data-testid": "import-result" });
  go.addEventListener("click", () => {
    void busy(go, async () => {
      fill(result);
      try {
        const answer = isData ? await api.importData(state.id, text.value, dialect.value as SqlDialect) : await api.importApi(state.id, text.value);
        toast(`${STAGE_NAMES[stage]} imported as version ${answer.version}`);
        await afterChange("Imported", importReport(answer));
      } catch (e) {
        fill(result, errorBox(e, "Nothing was imported"));
      }
    });
  });
  return h(
    "div",
    { class: "stack", "data-testid": "import-panel" },
    h(
      "p",
      { class: "muted small" },
      isData
        ? "SQL DDL from SQLite, PostgreSQL or MySQL (a schema dump or an install script works): tables, columns, NOT NULL, UNIQUE, primary and foreign keys, and indexes become the data model's next version. A statement that does not parse, and whatever the model cannot hold, is listed with its line, never dropped silently."
        : "An OpenAPI 3.0 or 3.1 document, JSON or YAML: its operations become the API's next version, each matched to an entity of the current data model; the entities it needs and the model lacks come from the document's own schemas, as the data model's next version. What the API artifact cannot hold is listed.",
    ),
    h("div", { class: "row" }, h("label", { for: "import-file" }, "Choose a file"), file),
    isData ? h("div", { class: "row" }, h("label", { for: "import-dialect" }, "Dialect"), dialect) : null,
    h("label", { for: "import-text" }, "or paste it here"),
    text,
    h("p", { class: "muted small" }, "The stages built from this one become stale; the next run rebuilds them around what you imported."),
    h("div", { class: "row" }, go),
    result,
  );
}

/** What an import read and what it left out. */
export function importReport(answer: ImportAnswer): HTMLElement {
  return h(
    "div",
    { class: "import-report", "data-testid": "import-report" },
    h("p", null, `Imported (${answer.imported.length}):`),
    h("ul", { "data-testid": "imported" }, answer.imported.map((line) => h("li", null, line))),
    answer.notImported.length
      ? h(
          "div",
          null,
          h("p", null, `Not imported (${answer.notImported.length}):`),
          h(
            "ul",
            { "data-testid": "not-imported" },
            answer.notImported.map((n) => h("li", null, n.line ? `Line ${n.line}: ` : "", h("strong", null, n.what), ` — ${n.why}`)),
          ),
        )
      : h("p", { "data-testid": "not-imported" }, "Everything in it was imported."),
  );
}
