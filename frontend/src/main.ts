// The app shell: a hash router, the Connection screen and the Projects screen.
// Each screen renders into <main> and gets an AbortSignal that fires when the
// user leaves it (to stop its live stream).

import "./style.css";
import { api, ApiError, connection, getJson, loadConfig, standIn, type ProjectRow, type SqlDialect } from "./api";
import { guessDialect } from "./importer";
import { empty, fill, fmt, h, loading } from "./dom";
import { projectPage } from "./project";
import { busy, confirmDialog, errorBox, field, runBadge, toast } from "./ui";
import { EXAMPLE_IDEAS, MODELS } from "./models";

const main = document.getElementById("main") as HTMLElement;
let leave = new AbortController();
let firstRoute = true;

async function route(): Promise<void> {
  leave.abort();
  leave = new AbortController();
  const signal = leave.signal;
  const path = location.hash.replace(/^#/, "") || "/";
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  markNav(parts[0] ?? "");
  if (parts[0] !== "connect" && !connection.token) {
    location.replace("#/connect");
    return;
  }
  try {
    if (parts[0] === "connect") connectPage();
    else if (parts[0] === "projects" && parts[1]) await projectPage(main, parts[1], parts.slice(2), signal);
    else if (parts.length === 0) await projectsPage(signal);
    else notFound();
  } catch (e) {
    if (!signal.aborted) fill(main, h("h1", null, "Parit"), errorBox(e));
  }
  // After an in-app navigation, focus the new page's heading (screen readers
  // announce it); on first load leave focus at the top, where the skip link is.
  if (!signal.aborted && !firstRoute) main.querySelector("h1")?.focus();
  firstRoute = false;
}

function markNav(section: string): void {
  for (const a of document.querySelectorAll<HTMLAnchorElement>(".topbar nav a")) {
    const here = a.dataset.section === (section || "projects") || (a.dataset.section === "projects" && section === "");
    if (here) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

function notFound(): void {
  fill(main, h("h1", { tabindex: -1 }, "Page not found"), h("p", null, h("a", { href: "#/" }, "Back to projects")));
}

function connectPage(): void {
  const url = h("input", { id: "conn-url", name: "url", type: "url", required: true, value: connection.url, autocomplete: "url" });
  const token = h("input", {
    id: "conn-token",
    name: "token",
    type: "password",
    required: true,
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "parit_…",
    value: connection.token ?? "",
  });
  const result = h("div", { "aria-live": "polite" });
  const submit = h("button", { type: "submit" }, "Connect");
  const form = h(
    "form",
    { class: "card stack", "aria-describedby": "conn-help" },
    h("label", { for: "conn-url" }, "Supervisor URL"),
    url,
    h("label", { for: "conn-token" }, "API token"),
    token,
    h(
      "p",
      { id: "conn-help", class: "muted small" },
      "The token is kept in this browser only. ",
      h("code", null, "scripts/dev.sh"),
      " prints one for the local fleet; ",
      h("code", null, "scripts/create-token.sh --owner NAME"),
      " mints more.",
    ),
    h("div", { class: "row" }, submit, connection.token ? h("button", { type: "button", class: "secondary", onclick: forget }, "Forget token") : null),
    result,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void busy(submit, async () => {
      // Try the new pair; keep it only if the supervisor accepts it.
      const previous = { url: connection.url, token: connection.token };
      connection.set(url.value, token.value);
      try {
        await getJson("/api/projects?limit=1");
        toast("Connected");
        void offlineBanner();
        location.hash = "#/";
      } catch (e) {
        connection.set(previous.url, previous.token);
        fill(result, errorBox(e, e instanceof ApiError && e.status === 401 ? "That token was not accepted" : "Could not connect"));
      }
    });
  });
  fill(
    main,
    h("h1", { tabindex: -1 }, "Connection"),
    h("p", null, "Parit talks to your supervisor Worker with a bearer token. Enter it once."),
    form,
  );
}

function forget(): void {
  connection.forget();
  toast("Token forgotten");
  void route();
}

async function projectsPage(signal: AbortSignal): Promise<void> {
  const list = h("section", { "aria-labelledby": "list-title" }, h("h2", { id: "list-title" }, "Your projects"), loading("projects"));
  fill(main, h("h1", { tabindex: -1 }, "Projects"), createForm(), list);
  // Pages of 50, newest first; "Show more" follows the API's cursor.
  let rows: ProjectRow[] = [];
  let next: string | null = null;
  const render = () => fill(list, h("h2", { id: "list-title" }, "Your projects"), projectTable(rows, next, more, refresh));
  const more = async () => {
    const page = await api.projects(next);
    rows = [...rows, ...page.projects];
    next = page.nextCursor;
    if (!signal.aborted) render();
  };
  const refresh = async () => {
    try {
      rows = [];
      next = null;
      await more();
    } catch (e) {
      if (!signal.aborted) fill(list, h("h2", { id: "list-title" }, "Your projects"), errorBox(e, "Could not load your projects", () => void refresh()));
    }
  };
  await refresh();
}

function createForm(): HTMLElement {
  const name = h("input", { id: "new-name", name: "name", required: true, maxlength: 120, autocomplete: "off" });
  const idea = h("textarea", { id: "new-idea", name: "idea", required: true, rows: 3 });
  const model = h("select", { id: "new-model", name: "model" }, MODELS.map((m) => h("option", { value: m }, m)));
  const temperature = h("input", { id: "new-temperature", name: "temperature", type: "number", min: 0, max: 2, step: 0.1, placeholder: "model default" });
  const budget = h("input", { id: "new-budget", name: "budget", type: "number", min: 1000, step: 1000, placeholder: "no limit" });
  // Start from what you have: an import as the project's first data model or API.
  const from = h(
    "select",
    { id: "new-from" },
    h("option", { value: "" }, "Nothing: start from the idea"),
    h("option", { value: "data" }, "A SQL schema (the data model)"),
    h("option", { value: "api" }, "An OpenAPI document (the API and its entities)"),
  );
  const fromFile = h("input", { id: "new-from-file", type: "file", accept: ".sql,.ddl,.txt,.json,.yaml,.yml,text/plain,application/json,application/yaml" });
  const fromText = h("textarea", { id: "new-from-text", rows: 6, spellcheck: "false", wrap: "off" });
  const fromDialect = h(
    "select",
    { id: "new-from-dialect" },
    h("option", { value: "sqlite" }, "SQLite / D1"),
    h("option", { value: "postgres" }, "PostgreSQL"),
    h("option", { value: "mysql" }, "MySQL / MariaDB"),
  );
  const fromParts = h(
    "div",
    { class: "stack", "data-testid": "new-from-parts" },
    h("div", { class: "row" }, h("label", { for: "new-from-file" }, "Choose a file"), fromFile),
    field("new-from-text", "or paste it here", fromText),
    h("div", { class: "row", "data-testid": "new-from-dialect-row" }, h("label", { for: "new-from-dialect" }, "Dialect"), fromDialect),
  );
  // `display` rather than `hidden`: the rows' own display rule would override it.
  const showFrom = () => {
    fromParts.style.display = from.value === "" ? "none" : "";
    const dialectRow = fromParts.querySelector<HTMLElement>("[data-testid=new-from-dialect-row]");
    if (dialectRow) dialectRow.style.display = from.value === "data" ? "" : "none";
  };
  showFrom();
  from.addEventListener("change", showFrom);
  fromText.addEventListener("change", () => {
    if (from.value === "data") fromDialect.value = guessDialect(fromText.value);
  });
  fromFile.addEventListener("change", () => {
    const chosen = fromFile.files?.[0];
    if (!chosen) return;
    void chosen.text().then((t) => {
      fromText.value = t;
      if (from.value === "data") fromDialect.value = guessDialect(t);
    });
  });
  const start = h("input", { id: "new-start", type: "checkbox", checked: true });
  const submit = h("button", { type: "submit" }, "Create project");
  const result = h("div", { "aria-live": "polite" });
  // Offline, the stand-in answers only its example products: offer their ideas.
  const examples = h("div", { class: "row examples", hidden: true });
  void standIn().then((offline) => {
    if (!offline) return;
    const pick = (e: { name: string; idea: string }) => () => {
      name.value = e.name;
      idea.value = e.idea;
    };
    fill(examples, h("span", { class: "muted" }, "Try an example:"), EXAMPLE_IDEAS.map((e) => h("button", { type: "button", class: "secondary", onclick: pick(e) }, e.name)));
    examples.hidden = false;
  });
  const form = h(
    "form",
    { class: "card stack", "aria-labelledby": "create-title" },
    h("h2", { id: "create-title" }, "New project"),
    field("new-name", "Name", name),
    field("new-idea", "Idea", idea, "One or two sentences: who it is for and what it does."),
    examples,
    field("new-from", "Start from what you have", from, "Optional. The import becomes the project's first data model or API; the PRD is written around it and the run keeps it."),
    fromParts,
    h(
      "div",
      { class: "grid3" },
      field("new-model", "Model", model),
      field("new-temperature", "Temperature", temperature),
      field("new-budget", "Token budget", budget, "Optional. The run stops before spending more."),
    ),
    h("div", { class: "row" }, start, h("label", { for: "new-start" }, "Start the pipeline right away")),
    h("div", { class: "row" }, submit),
    result,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void busy(submit, async () => {
      try {
        const settings: Record<string, unknown> = { model: model.value };
        if (temperature.value.trim()) settings.temperature = Number(temperature.value);
        if (budget.value.trim()) settings.tokenBudget = Number(budget.value);
        const project = await api.create({ name: name.value.trim(), idea: idea.value.trim(), settings });
        if (from.value && fromText.value.trim()) {
          try {
            if (from.value === "data") await api.importData(project.id, fromText.value, fromDialect.value as SqlDialect);
            else await api.importApi(project.id, fromText.value);
          } catch (e) {
            fill(
              result,
              errorBox(e, `“${project.name}” was created, but nothing was imported`),
              h("a", { href: `#/projects/${project.id}` }, `Open “${project.name}”`),
            );
            return;
          }
        }
        if (start.checked) await api.run(project.id);
        toast(`Created “${project.name}”`);
        location.hash = `#/projects/${project.id}`;
      } catch (e) {
        fill(result, errorBox(e, "The project was not created"));
      }
    });
  });
  return form;
}

function projectTable(projects: ProjectRow[], next: string | null, more: () => Promise<void>, refresh: () => Promise<void>): HTMLElement {
  if (projects.length === 0) {
    return empty("No projects yet", "Describe a product idea above and Parit’s seven agents will plan and build it.");
  }
  const remove = async (p: ProjectRow, button: HTMLButtonElement) => {
    const ok = await confirmDialog(
      `Delete “${p.name}”?`,
      "Every artifact version, trace and activity event of this project is removed for good.",
      "Delete project",
    );
    if (!ok) return;
    await busy(button, async () => {
      try {
        await api.remove(p.id);
        toast(`Deleted “${p.name}”`);
        await refresh();
      } catch (e) {
        button.closest("tr")?.after(h("tr", null, h("td", { colspan: 7 }, errorBox(e, "The project was not deleted"))));
      }
    });
  };
  const tokens = projects.reduce((n, p) => n + p.totalTokens, 0);
  const cost = projects.reduce((n, p) => n + p.costUsd, 0);
  const summary = `${projects.length}${next ? "+" : ""} project${projects.length === 1 ? "" : "s"} · ${fmt.int(tokens)} tokens · ${fmt.usd(cost)} spent${next ? " so far" : ""}`;
  const moreButton: HTMLButtonElement | null = next
    ? h("button", { class: "secondary", onclick: () => void busy(moreButton!, more) }, "Show more")
    : null;
  const rows = projects.map((p) => {
    const del: HTMLButtonElement = h(
      "button",
      { class: "danger-quiet small", "aria-label": `Delete ${p.name}`, onclick: () => void remove(p, del) },
      "Delete",
    );
    return h(
      "tr",
      { "data-project": p.id },
      h("th", { scope: "row" }, h("a", { href: `#/projects/${p.id}` }, p.name), h("div", { class: "muted small idea" }, p.idea)),
      h("td", { "data-label": "Status" }, runBadge(p.status)),
      h("td", { "data-label": "Stages" }, `${p.stagesBuilt}/7`),
      h(
        "td",
        { "data-label": "Ready" },
        p.ready
          ? h("a", { class: "badge verdict", "data-ready": String(p.ready.ready), href: `#/projects/${p.id}/consistency` }, p.ready.ready ? "ready" : `not ready · ${p.ready.gaps} gap${p.ready.gaps === 1 ? "" : "s"}`)
          : h("span", { class: "muted small", title: "Changed since it was last checked: open the project" }, "—"),
      ),
      h("td", { class: "num", "data-label": "Tokens" }, fmt.int(p.totalTokens)),
      h("td", { class: "num", "data-label": "Cost" }, fmt.usd(p.costUsd)),
      h("td", { "data-label": "Created" }, fmt.time(p.createdAt)),
      h("td", { class: "actions" }, del),
    );
  });
  const head = ["Project", "Status", "Stages", "Ready", "Tokens", "Cost", "Created", ""].map((t) =>
    h("th", { scope: "col", class: t === "Tokens" || t === "Cost" ? "num" : null }, t),
  );
  return h(
    "div",
    null,
    h("p", { class: "muted", "data-testid": "projects-summary" }, summary),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "projects" },
        h("caption", { class: "sr-only" }, "Projects with their status and cost"),
        h("thead", null, h("tr", null, head)),
        h("tbody", null, rows),
      ),
    ),
    moreButton,
  );
}

document.getElementById("skip")?.addEventListener("click", (ev) => {
  ev.preventDefault();
  (main.querySelector("h1") ?? main).focus();
});
window.addEventListener("hashchange", () => void route());
/** Shows the offline banner while the agents answer from the local stand-in. */
async function offlineBanner(): Promise<void> {
  (document.getElementById("offline") as HTMLElement).hidden = !(connection.token && (await standIn()));
}

void loadConfig()
  .then(route)
  .then(offlineBanner);
