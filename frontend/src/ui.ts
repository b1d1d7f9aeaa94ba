// Pieces every screen uses: error boxes, toasts, confirmation dialogs, badges, tables.

import { ApiError } from "./api";
import { h } from "./dom";

/** A readable error: what happened, what to do, and the request id to quote;
 * with `retry`, a button that tries again (most failures to load are brief). */
export function errorBox(error: unknown, title = "Something went wrong", retry?: () => unknown): HTMLElement {
  const e = error instanceof ApiError ? error : null;
  const message = error instanceof Error ? error.message : String(error);
  return h(
    "div",
    { class: "alert", role: "alert", "data-code": e?.code ?? "client" },
    h("p", { class: "alert-title" }, title),
    h("p", null, capitalise(message)),
    e && e.problems.length > 0 ? h("ul", null, e.problems.map((p) => h("li", null, p))) : null,
    e && e.status === 401
      ? location.hash.startsWith("#/connect")
        ? h("p", null, "Check that it was copied whole, or mint a new one with scripts/create-token.sh.")
        : h("p", null, h("a", { href: "#/connect" }, "Open Connection"), " to enter a valid one.")
      : null,
    e?.requestId ? h("p", { class: "muted small" }, `Request id ${e.requestId}`) : null,
    retry && !(e && (e.status === 401 || e.status === 404)) ? h("button", { type: "button", class: "secondary small", onclick: retry }, "Try again") : null,
  );
}

export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function toast(message: string, kind: "ok" | "error" = "ok"): void {
  const host = document.getElementById("toasts");
  if (!host) return;
  const el = h("div", { class: `toast toast-${kind}` }, message);
  host.append(el);
  setTimeout(() => el.remove(), 6000);
}

/** Asks before something that cannot be undone; resolves true on confirm. */
export function confirmDialog(title: string, body: string, action: string): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h(
      "dialog",
      { class: "confirm", "aria-labelledby": "confirm-title" },
      h("h2", { id: "confirm-title" }, title),
      h("p", null, body),
      h(
        "form",
        { method: "dialog", class: "row end" },
        h("button", { value: "cancel", class: "secondary", autofocus: true }, "Cancel"),
        h("button", { value: "confirm", class: "danger" }, action),
      ),
    );
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "confirm");
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

const RUN_WORDS: Record<string, string> = {
  new: "not run yet",
  running: "running",
  awaiting_approval: "awaiting approval",
  waiting_for_quota: "waiting for quota",
  completed: "completed",
  failed: "failed",
  cancelled: "cancelled",
  budget_exceeded: "budget reached",
};

export function runBadge(status: string): HTMLElement {
  return h("span", { class: `badge run-${status}`, "data-run-status": status }, RUN_WORDS[status] ?? status);
}

/** Disables a button while `work` runs, so a double click does not send twice. */
export async function busy<T>(button: HTMLButtonElement, work: () => Promise<T>): Promise<T> {
  const text = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = text;
  }
}

/** A labelled form field, with an optional hint under it. */
export function field(id: string, label: string, input: HTMLElement, hint?: string): HTMLElement {
  if (hint) input.setAttribute("aria-describedby", `${id}-hint`);
  return h("div", { class: "field" }, h("label", { for: id }, label), input, hint ? h("p", { class: "muted small", id: `${id}-hint` }, hint) : null);
}

/** Hands a downloaded body to the browser as a file. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Counts, money and durations: right-aligned so their digits line up. */
const NUMERIC = /^\$?[\d,]+(\.\d+)?( ms| s| bytes)?$/;

export function table(caption: string, head: string[], rows: (string | Node)[][], testid?: string): HTMLElement {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { "data-testid": testid ?? null },
      h("caption", null, caption),
      h("thead", null, h("tr", null, head.map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", null, rows.map((r) => h("tr", null, r.map((c) => h("td", { class: typeof c === "string" && NUMERIC.test(c) ? "num" : null }, c))))),
    ),
  );
}
