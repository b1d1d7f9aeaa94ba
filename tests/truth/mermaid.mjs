// Parses Mermaid files with Mermaid's own parser, in headless Chromium
// (Mermaid needs a DOM), and renders each to SVG to prove it draws.
// Usage: node tests/truth/mermaid.mjs FILE...; prints {"checked", "failed": [[file, error]]}.
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const here = new URL(".", import.meta.url).pathname;
const browser = await chromium.launch({
  executablePath: process.env.PARIT_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const page = await browser.newPage();
await page.setContent("<!doctype html><html><body><div id=out></div></body></html>");
await page.addScriptTag({ path: `${here}node_modules/mermaid/dist/mermaid.min.js` });
await page.evaluate(() => window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict" }));
const failed = [];
let n = 0;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  const error = await page.evaluate(async ([text, n]) => {
    try {
      await window.mermaid.parse(text);
      const { svg } = await window.mermaid.render(`d${n}`, text);
      return svg.includes("<svg") ? null : "rendered no SVG";
    } catch (e) {
      return String(e?.message ?? e).slice(0, 300);
    }
  }, [text, n]);
  n += 1;
  if (error) failed.push([file, error]);
}
await browser.close();
console.log(JSON.stringify({ checked: n, failed }));
