// bench/first-byte.sh's measuring half: how long from a stage's first model
// byte to the first progress drawn in Chromium. For each run: a new project
// whose PRD the local Gemini server writes at its own slow pace after a
// pause (the stream_slow fault, so the page is watching before the first
// byte), its pipeline open in a fresh page that notes the wall time the PRD's
// progress row turns to "writing" (a MutationObserver), the run started, and
// the server's own record of when it wrote the stream's first event
// (`GET /__control/streams`). Same machine, same clock. Prints one JSON object.
//   node bench/first-byte.mjs SITE SUPERVISOR GEMINI TOKEN RUNS
import { createRequire } from "node:module";

const [site, supervisor, gemini, token, runs] = process.argv.slice(2);
const require = createRequire(new URL("../e2e/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const api = async (method, path, body) => {
  const res = await fetch(`${supervisor}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body && JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
};

const browser = await chromium.launch({
  executablePath: process.env.PARIT_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
});
const gaps = [];
for (let r = 0; r < Number(runs); r++) {
  const word = `zzfirstbyte${process.pid}r${r}z`;
  const project = await api("POST", "/api/projects", { name: "First byte", idea: `Plan a week of meals from the pantry ${word}` });
  const fault = { kind: "stream_slow", stage: "prd", match: word, firstTokenMs: 3000, tokensPerSecond: 60 };
  const queued = await fetch(`${gemini}/__control/faults`, { method: "POST", body: JSON.stringify(fault) });
  if (queued.status !== 201) throw new Error(`the fault was refused: ${await queued.text()}`);
  const context = await browser.newContext();
  await context.addInitScript((t) => localStorage.setItem("parit.token", t), token);
  const page = await context.newPage();
  await page.goto(`${site}/#/projects/${project.id}`);
  await page.waitForSelector('.node[data-stage="prd"]');
  await page.evaluate(() => {
    new MutationObserver((_, observer) => {
      if (document.querySelector('[data-testid=stage-progress][data-stage=prd][data-phase=writing]')) {
        window.__drawnAt = Date.now();
        observer.disconnect();
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await api("POST", `/api/projects/${project.id}/run`, {});
  await page.waitForFunction(() => window.__drawnAt, null, { timeout: 60_000 });
  const drawnAt = await page.evaluate(() => window.__drawnAt);
  const streams = await (await fetch(`${gemini}/__control/streams?match=${word}`)).json();
  const first = streams.streams.find((s) => s.firstSentAtMs)?.firstSentAtMs;
  if (!first) throw new Error(`no stream of ${word} has started: ${JSON.stringify(streams)}`);
  gaps.push(drawnAt - first);
  await api("POST", `/api/projects/${project.id}/cancel`, {});
  await context.close();
}
await browser.close();
const sorted = [...gaps].sort((a, b) => a - b);
console.log(JSON.stringify({ runs: gaps.length, firstByteToDrawnMs: { median: sorted[Math.floor(sorted.length / 2)], max: sorted.at(-1), all: gaps } }));
