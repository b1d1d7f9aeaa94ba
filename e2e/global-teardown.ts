// Stops what global-setup.ts started.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DIR, ROOT } from "./global-setup";

export default async function globalTeardown(): Promise<void> {
  if (process.env.PARIT_E2E_KEEP) return;
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
