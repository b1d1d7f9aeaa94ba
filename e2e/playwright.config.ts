// The browser suite: Debian's Chromium against the built frontend, the real
// local fleet and the local Gemini server, all started by global-setup.ts.
import { defineConfig, devices } from "@playwright/test";

export default defineConfig({
  testDir: "tests",
  globalSetup: "./global-setup.ts",
  globalTeardown: "./global-teardown.ts",
  timeout: 180_000,
  // Bounds that only end a broken run: a fresh-clone run sharing two cores
  // with three other suites once spent over 20 s drawing a Mermaid diagram.
  expect: { timeout: 60_000 },
  fullyParallel: true,
  workers: Number(process.env.PARIT_E2E_WORKERS ?? 2),
  retries: 0,
  reporter: [["list"], ["html", { outputFolder: "report", open: "never" }]],
  outputDir: "test-results",
  use: {
    ...devices["Desktop Chrome"],
    viewport: { width: 1280, height: 860 },
    launchOptions: {
      executablePath: process.env.PARIT_CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
    acceptDownloads: true,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
});
