// An artifact's versions: who made each (agent or person), and the
// differences between any two, line by line with the words that changed.

import { diffLines, diffWordsWithSpace } from "diff";
import { api, type VersionMeta } from "./api";
import { changeList } from "./changes";
import { empty, fill, fmt, h, loading } from "./dom";
import { errorBox, table } from "./ui";

export function history(id: string, versions: VersionMeta[], shown: number): HTMLElement {
  const host = h("div", { class: "stack" });
  if (versions.length < 2) {
    fill(host, table("Versions", ["Version", "Source", "Model", "Size", "Created"], versions.map(row)), empty("Only one version", "Edit or regenerate this stage to make another; then compare them here."));
    return host;
  }
  const pick = (selectId: string, label: string, value: number) =>
    h("div", { class: "field" }, h("label", { for: selectId }, label), h("select", { id: selectId }, [...versions].reverse().map((v) => h("option", { value: v.version, selected: v.version === value }, `v${v.version} · ${v.source}`))));
  const older = Math.max(1, shown === versions[0].version ? versions[1].version : shown - 1);
  const fromField = pick("diff-from", "Compare", Math.min(older, shown));
  const toField = pick("diff-to", "with", shown === versions[0].version ? versions[1].version : shown);
  const out = h("div");
  const compare = async () => {
    const stage = versions[0].stage;
    const from = Number(fromField.querySelector("select")!.value);
    const to = Number(toField.querySelector("select")!.value);
    fill(out, loading("the diff"));
    try {
      // The id report is extra: if it fails, the text diff still shows.
      const ids = from === to ? Promise.resolve(null) : api.changes(id, stage, Math.min(from, to), Math.max(from, to));
      const [a, b] = await Promise.all([api.artifact(id, stage, from), api.artifact(id, stage, to)]);
      const report = await ids.then(
        (r) => (r ? changeList(r, id) : null),
        (e) => errorBox(e, "The ids that changed could not be listed"),
      );
      fill(out, report, diffView(JSON.stringify(a.artifact, null, 2), JSON.stringify(b.artifact, null, 2), from, to));
    } catch (e) {
      fill(out, errorBox(e, "The versions could not be compared"));
    }
  };
  fromField.querySelector("select")!.addEventListener("change", () => void compare());
  toField.querySelector("select")!.addEventListener("change", () => void compare());
  fill(host, table("Versions", ["Version", "Source", "Model", "Size", "Created"], [...versions].reverse().map(row)), h("div", { class: "row" }, fromField, toField), out);
  void compare();
  return host;
}

function row(v: VersionMeta): string[] {
  return [`v${v.version}`, v.source, v.model ?? "—", `${fmt.int(v.sizeBytes)} bytes`, fmt.time(v.createdAt)];
}

function diffView(a: string, b: string, from: number, to: number): HTMLElement {
  const parts = diffLines(a, b);
  let added = 0;
  let removed = 0;
  const lines: HTMLElement[] = [];
  const split = (value: string) => value.replace(/\n$/, "").split("\n");
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const text = split(part.value);
    const next = parts[i + 1];
    if (part.removed && next?.added && split(next.value).length === text.length) {
      // A changed block: pair each old line with its new one and mark the words that differ.
      const after = split(next.value);
      removed += text.length;
      added += after.length;
      text.forEach((old, k) => {
        const words = diffWordsWithSpace(old, after[k]);
        lines.push(h("span", { class: "diff-del" }, "− ", words.filter((w) => !w.added).map((w) => (w.removed ? h("del", null, w.value) : w.value))));
        lines.push(h("span", { class: "diff-add" }, "+ ", words.filter((w) => !w.removed).map((w) => (w.added ? h("ins", null, w.value) : w.value))));
      });
      i++;
      continue;
    }
    if (part.added) added += text.length;
    if (part.removed) removed += text.length;
    const kind = part.added ? "add" : part.removed ? "del" : "same";
    const sign = part.added ? "+" : part.removed ? "−" : " ";
    if (kind === "same" && text.length > 6) {
      lines.push(...text.slice(0, 3).map((t) => h("span", { class: "diff-same" }, `  ${t}`)));
      lines.push(h("span", { class: "diff-skip" }, `  … ${text.length - 6} unchanged lines …`));
      lines.push(...text.slice(-3).map((t) => h("span", { class: "diff-same" }, `  ${t}`)));
    } else {
      lines.push(...text.map((t) => h("span", { class: `diff-${kind}` }, `${sign} ${t}`)));
    }
  }
  return h(
    "div",
    { class: "stack" },
    h("p", { "data-testid": "diff-summary" }, added || removed ? `v${from} → v${to}: ${added} line${added === 1 ? "" : "s"} added, ${removed} removed` : `v${from} and v${to} are identical`),
    h("pre", { class: "diff code", tabindex: 0, "aria-label": `Differences between version ${from} and ${to}` }, lines),
  );
}
