// bench/web.sh's measuring half: bundle sizes from dist/, then Chromium
// (Debian's, through the browser suite's playwright-core) timing the main
// screens from navigation to their content, each on a fresh page.
//   node bench/web-timing.mjs DIST SITE TOKEN PROJECT_ID RUNS
import { readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const [dist, site, token, id, runs] = process.argv.slice(2);
const require = createRequire(new URL("../e2e/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const gz = (path) => gzipSync(readFileSync(path), { level: 9 }).length;
const html = readFileSync(join(dist, "index.html"), "utf8");
const firstLoad = ["index.html", ...[...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((m) => m[1])];
const assets = readdirSync(join(dist, "assets"));
const lazy = assets.filter((f) => f.endsWith(".js") && !firstLoad.includes(`assets/${f}`));
const sum = (files) => files.reduce((n, f) => n + gz(join(dist, f)), 0);
const sizes = {
  firstLoadFiles: firstLoad,
  firstLoadGzipBytes: sum(firstLoad),
  lazyChunks: lazy.length,
  lazyGzipBytes: sum(lazy.map((f) => `assets/${f}`)),
  mermaidCoreGzipBytes: sum(lazy.filter((f) => f.startsWith("mermaid.core")).map((f) => `assets/${f}`)),
  distBytes: assets.reduce((n, f) => n + statSync(join(dist, "assets", f)).size, 0),
};

const screens = [
  ["projects", "#/", "tr[data-project]"],
  ["pipeline", `#/projects/${id}`, '.node[data-stage="deployment"][data-status="done"]'],
  ["prd", `#/projects/${id}/artifacts/prd`, ".markdown h4"],
  ["erdDiagram", `#/projects/${id}/artifacts/data`, ".diagram svg"],
  ["activity", `#/projects/${id}/activity`, "[data-testid=traces] tbody tr"],
];
const browser = await chromium.launch({
  executablePath: process.env.PARIT_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const times = Object.fromEntries(screens.map(([name]) => [name, []]));
for (let r = 0; r < Number(runs); r++) {
  for (const [name, path, ready] of screens) {
    const context = await browser.newContext();
    await context.addInitScript((t) => localStorage.setItem("parit.token", t), token);
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(`${site}/${path}`);
    try {
      await page.waitForSelector(ready, { timeout: 60_000 });
    } catch (e) {
      const shot = join(process.env.BENCH_OUT ?? ".", `failed-${name}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      console.error(`${name} did not show ${ready}: ${(await page.locator("main").innerText()).slice(0, 600)} (screenshot ${shot})`);
      throw e;
    }
    times[name].push(Date.now() - t0);
    await context.close();
  }
}
await browser.close();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const buildMs = process.env.BUILD_MS.split(" ").map(Number);
console.log(
  JSON.stringify({
    buildMs,
    medianBuildMs: median(buildMs),
    sizes,
    runs: Number(runs),
    screensMs: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, { median: median(v), all: v }])),
  }),
);
