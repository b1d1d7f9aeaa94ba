// The page scripts/dev.sh serves on the web app's port while it sets up,
// builds and starts the fleet: what it is doing, with the last lines of its
// log, refreshed every second. When the web app takes the port over, the page
// reloads into it. Node only, so it answers before anything is installed.
//
//   node scripts/dev-status.mjs PORT LOG
import { createServer } from "node:http";
import { readFileSync } from "node:fs";

const [port, log] = process.argv.slice(2);
if (!port || !log) {
  console.error("usage: node scripts/dev-status.mjs PORT LOG");
  process.exit(2);
}

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Parit is starting</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1d2330; }
  pre { background: #f3f5f9; padding: 1rem; overflow-x: auto; font-size: 13px; white-space: pre-wrap; }
</style></head>
<body><main>
<h1>Parit is starting</h1>
<p id="now" role="status">Setting up…</p>
<p>This page turns into the web app when the fleet is up. The first start on a bare machine compiles two tools
(scripts/doctor.sh says what is missing and how long each part takes here); a warm start takes seconds.</p>
<pre id="log" aria-label="scripts/dev.sh output"></pre>
</main>
<script>
async function poll() {
  try {
    const res = await fetch("/__parit_starting", { cache: "no-store" });
    if (!(res.headers.get("content-type") || "").startsWith("application/json")) return location.reload();
    const { lines } = await res.json();
    const steps = lines.filter((l) => l.startsWith("==>"));
    document.getElementById("now").textContent = steps.length ? steps[steps.length - 1].slice(4) : "Setting up…";
    document.getElementById("log").textContent = lines.join("\\n");
  } catch {
    // Between this page and the web app the port is briefly closed: keep asking.
  }
  setTimeout(poll, 1000);
}
poll();
</script></body></html>`;

function tail() {
  let text = "";
  try {
    text = readFileSync(log, "utf8");
  } catch {
    // Not written yet.
  }
  // Colour codes and carriage-return progress lines are the terminal's, not the page's.
  const clean = text.replace(/\x1b\[[0-9;]*m/g, "").split(/\r?\n|\r/).filter((l) => l.trim());
  return clean.slice(-40);
}

createServer((req, res) => {
  if (req.url === "/__parit_starting") {
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify({ lines: tail() }));
    return;
  }
  res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(page);
}).listen(Number(port), "127.0.0.1");
