// Starts what the scenarios run against, from the repo's own scripts: the
// local Gemini server, the fleet (supervisor, 7 agents and the bridge under wrangler dev,
// with this site's origin allowed), the built frontend under Vite's static
// preview server, and API tokens for two owners. Writes
// .parit/e2e/stack.json for the tests; global-teardown.ts stops it all.
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const DIR = join(ROOT, ".parit", "e2e");

/** A port nobody listens on, below the kernel's ephemeral range (as scripts/lib.sh's free_port). */
async function freePort(): Promise<number> {
  let low = 32768;
  try {
    low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").split(/\s+/)[0]) || low;
  } catch {
    // not Linux: the usual range
  }
  for (let i = 0; i < 500; i++) {
    const port = 10000 + Math.floor(Math.random() * (low - 10000));
    const free = await new Promise<boolean>((ok) => {
      const server = createServer();
      server.once("error", () => ok(false));
      server.listen(port, "127.0.0.1", () => server.close(() => ok(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port below ${low}`);
}

async function waitFor(url: string, seconds: number): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not answer within ${seconds} s`);
}

/** Starts a long-running process in its own group, logging to DIR/<name>.log; returns its pid. */
function start(name: string, cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): number {
  const log = openSync(join(DIR, `${name}.log`), "w");
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ["ignore", log, log] });
  child.unref();
  return child.pid!;
}

function mint(owner: string): string {
  return execFileSync(join(ROOT, "scripts", "create-token.sh"), ["--owner", owner, "--label", "e2e", "--persist-to", join(DIR, "state")], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  }).trim();
}

/** Stops a stack a previous run left (its fleet, Gemini server and site). */
export function stopStack(): void {
  execFileSync(join(ROOT, "scripts", "fleet.sh"), ["down", "--dir", DIR], { cwd: ROOT, stdio: "ignore" });
  const pids = existsSync(join(DIR, "pids")) ? readFileSync(join(DIR, "pids"), "utf8").split("\n").filter(Boolean) : [];
  for (const pid of pids) {
    try {
      process.kill(-Number(pid), "SIGTERM");
    } catch {
      // already gone
    }
  }
}

/** Copies the built site (frontend/dist) to DIR/site, pointed at this fleet through its config.json. */
function publishSite(supervisor: string): string {
  const siteDir = join(DIR, "site");
  cpSync(join(ROOT, "frontend", "dist"), siteDir, { recursive: true });
  writeFileSync(join(siteDir, "config.json"), JSON.stringify({ supervisorUrl: supervisor }) + "\n");
  return siteDir;
}

export default async function globalSetup(): Promise<void> {
  // PARIT_E2E_KEEP=1 leaves the stack running after the suite, and a later
  // run with it set reuses that stack when it still answers (for iterating).
  if (process.env.PARIT_E2E_KEEP && existsSync(join(DIR, "stack.json"))) {
    const { supervisor, site } = JSON.parse(readFileSync(join(DIR, "stack.json"), "utf8"));
    try {
      await waitFor(`${supervisor}/health`, 1);
      await waitFor(`${site}/config.json`, 1);
      publishSite(supervisor);
      return;
    } catch {
      // Stale: start afresh.
    }
  }
  stopStack();
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const [geminiPort, apiPort, sitePort] = [await freePort(), await freePort(), await freePort()];
  const gemini = `http://127.0.0.1:${geminiPort}`;
  const site = `http://127.0.0.1:${sitePort}`;

  const pids: number[] = [];
  pids.push(start("gemini", join(ROOT, "target", "debug", "gemini-local"), ["--port", String(geminiPort)], ROOT));
  await waitFor(`${gemini}/__control/health`, 20);

  const supervisor = execFileSync(
    join(ROOT, "scripts", "fleet.sh"),
    [
      "up",
      "--dir",
      DIR,
      "--port",
      String(apiPort),
      "--gemini-url",
      gemini,
      "--timeout-ms",
      "4000",
      "--rate-limit",
      "100000",
      "--var",
      `ALLOWED_ORIGINS=${site}`,
    ],
    { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  ).trim();

  const siteDir = publishSite(supervisor);
  // The site is served by Vite's static preview server: `wrangler pages dev`
  // 4.86 exits when a browser abandons a request mid-flight (its proxy treats
  // that as fatal; fixed in later wrangler), which a suite that closes pages
  // quickly does now and then. scripts/dev.sh still serves it with Pages.
  pids.push(
    start(
      "site",
      join(ROOT, "frontend", "node_modules", ".bin", "vite"),
      ["preview", "--outDir", siteDir, "--port", String(sitePort), "--strictPort", "--host", "127.0.0.1"],
      join(ROOT, "frontend"),
    ),
  );
  writeFileSync(join(DIR, "pids"), pids.join("\n") + "\n");
  await waitFor(`${site}/config.json`, 60);

  const stack = { supervisor, site, gemini, stateDir: join(DIR, "state"), alice: mint("alice"), bob: mint("bob") };
  writeFileSync(join(DIR, "stack.json"), JSON.stringify(stack, null, 2));
}
