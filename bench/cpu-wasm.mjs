// The CPU of the heaviest requests in WASM, in V8 (Node), as the Workers run
// them: bench/cpu (a cdylib of the same domain code paths, built for
// wasm32-unknown-unknown with the Workers' release profile, wasm-opt -O as
// worker-build runs it, wasm-bindgen --target nodejs). bench/cpu-wasm.sh
// builds it and runs this.
//
//   node bench/cpu-wasm.mjs <pkg dir> <product>...   the table, then one JSON line
//   node bench/cpu-wasm.mjs <pkg dir> --first <product> <i>
//                                                     operation i's first call in a
//                                                     fresh process (used by the above)
//
// Cloudflare counts CPU time: "how long the CPU spends executing your Worker
// code. Waiting on network requests ... does not count" (Workers limits,
// https://developers.cloudflare.com/workers/platform/limits/, "Last updated
// Jul 28, 2026", read 2026-12-06), 10 ms per invocation on Workers Free, and
// "Workers connected to one another via Service bindings share the CPU
// resources of the top-level request"
// (https://developers.cloudflare.com/workers/runtime-apis/service-bindings/,
// read 2026-12-06). So each operation is timed on the one thread that runs
// it: per call, process.cpuUsage() (user + system) and performance.now().
// Warm: after a warm-up long enough for V8 to tier the hot functions up from
// Liftoff to TurboFan, as in an isolate that has served many requests; the
// median and p95 of the calls. First: the operation's first call in a fresh
// process (the module compiled and the project built, nothing run), as in an
// isolate's first request. Nothing is asserted.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const [pkg, ...args] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const { Bench } = require(path.resolve(pkg, "parit_bench_cpu.js"));

const WARM_MS = 400, WARM_MIN = 20; // warm-up: at least this long and this many calls
const RUN_MS = 1500, RUN_MIN = 30, RUN_MAX = 400;

function once(bench, i) {
  const c0 = process.cpuUsage(), t0 = performance.now();
  const bytes = bench.run(i);
  const t1 = performance.now(), c1 = process.cpuUsage(c0);
  return { cpu: (c1.user + c1.system) / 1000, wall: t1 - t0, bytes };
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

if (args[0] === "--first") {
  const bench = new Bench(args[1]);
  const r = once(bench, Number(args[2]));
  process.stdout.write(JSON.stringify(r) + "\n");
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
const results = [];
for (const product of args) {
  const bench = new Bench(product);
  const [entities, endpoints, stories] = bench.sizes().split(",").map(Number);
  const ops = [];
  for (let i = 0; i < bench.count(); i++) {
    const first = JSON.parse(execFileSync(process.execPath, [self, pkg, "--first", product, String(i)]).toString());
    let start = performance.now(), n = 0;
    while (n < WARM_MIN || performance.now() - start < WARM_MS) { bench.run(i); n++; }
    const calls = [];
    start = performance.now();
    while (calls.length < RUN_MIN || (calls.length < RUN_MAX && performance.now() - start < RUN_MS)) {
      calls.push(once(bench, i));
    }
    const cpu = calls.map((c) => c.cpu).sort((a, b) => a - b);
    const wall = calls.map((c) => c.wall).sort((a, b) => a - b);
    ops.push({
      name: bench.name(i), workers: bench.workers(i), limitMs: bench.limit(i), calls: calls.length, bytes: calls[0].bytes,
      cpuMedianMs: quantile(cpu, 0.5), cpuP95Ms: quantile(cpu, 0.95), wallMedianMs: quantile(wall, 0.5),
      firstCpuMs: first.cpu, firstWallMs: first.wall,
    });
  }
  results.push({ product, entities, endpoints, stories, ops });
}

const f = (ms) => ms.toFixed(2);
for (const r of results) {
  console.log(`\n${r.product}: ${r.entities} entities, ${r.endpoints} endpoints, ${r.stories} stories`);
  console.log("| request | Workers | CPU median ms | CPU p95 ms | wall median ms | first call CPU ms | calls |");
  console.log("|---|---|---:|---:|---:|---:|---:|");
  for (const o of r.ops) {
    const over = o.cpuMedianMs > o.limitMs ? ` **over ${o.limitMs} ms**` : "";
    console.log(`| ${o.name.trim()} | ${o.workers} | ${f(o.cpuMedianMs)}${over} | ${f(o.cpuP95Ms)} | ${f(o.wallMedianMs)} | ${f(o.firstCpuMs)} | ${o.calls} |`);
  }
}
const cpu = (readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/) || [])[1]?.trim();
const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: path.dirname(self) }).toString().trim();
console.log(JSON.stringify({ unit: "ms", commit, node: process.version, v8: process.versions.v8, cpu, load, results }));
