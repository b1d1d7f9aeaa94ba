// Builds the static site into dist/. The supervisor's URL is written into
// dist/config.json, which the app reads at start: PARIT_WEB_SUPERVISOR_URL at
// build time, else the local fleet's. A deployment can also edit the file
// after the build without rebuilding.
import { defineConfig } from "vite";

const supervisorUrl = process.env.PARIT_WEB_SUPERVISOR_URL || "http://127.0.0.1:8787";

export default defineConfig({
  base: "./",
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 4000 },
  plugins: [
    {
      name: "parit-config",
      generateBundle() {
        this.emitFile({
          type: "asset",
          fileName: "config.json",
          source: JSON.stringify({ supervisorUrl }, null, 2) + "\n",
        });
      },
      configureServer(server) {
        server.middlewares.use("/config.json", (_req, res) => {
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify({ supervisorUrl }));
        });
      },
    },
  ],
});
