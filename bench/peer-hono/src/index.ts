// Benchmark peer only (see bench/throughput.sh): what the supervisor does for
// GET /api/projects/:id and GET /api/projects/:id/artifacts/:stage — token
// lookup by SHA-256, the rate limiter, the owner check, and the same SQL and
// R2 read — written the way a TypeScript Worker on Hono would.
import { Hono } from "hono";

type Env = {
  DB: D1Database;
  STORAGE: R2Bucket;
  API_RATE_LIMIT: { limit(o: { key: string }): Promise<{ success: boolean }> };
};
type Row = Record<string, unknown>;
const app = new Hono<{ Bindings: Env }>();

async function sha256hex(s: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function owner(env: Env, header: string | undefined): Promise<string | null> {
  const token = header?.startsWith("Bearer ") ? header.slice(7).trim() : "";
  if (!token) return null;
  const row = await env.DB.prepare(
    "SELECT id, owner_id, last_used_at FROM api_tokens WHERE token_hash = ?1 AND revoked = 0",
  ).bind(await sha256hex(token)).first<Row>();
  if (!row) return null;
  const { success } = await env.API_RATE_LIMIT.limit({ key: `token:${row.id}` });
  return success ? (row.owner_id as string) : null;
}

async function ownedProject(env: Env, id: string, who: string): Promise<Row | null> {
  const p = await env.DB.prepare("SELECT * FROM projects WHERE id = ?1").bind(id).first<Row>();
  return p && p.owner_id === who ? p : null;
}

app.get("/api/projects/:id", async (c) => {
  const who = await owner(c.env, c.req.header("authorization"));
  if (!who) return c.json({ error: { code: "unauthorized" } }, 401);
  const id = c.req.param("id");
  const p = await ownedProject(c.env, id, who);
  if (!p) return c.json({ error: { code: "not_found" } }, 404);
  const db = c.env.DB;
  const settings = await db.prepare("SELECT * FROM project_settings WHERE project_id = ?1").bind(id).first();
  const checkpoints = (await db.prepare("SELECT * FROM checkpoints WHERE project_id = ?1").bind(id).all()).results;
  const latest = (
    await db.prepare(
      `SELECT a.* FROM artifacts a JOIN (
         SELECT stage, MAX(version) AS version FROM artifacts WHERE project_id = ?1 GROUP BY stage
       ) m ON a.stage = m.stage AND a.version = m.version WHERE a.project_id = ?1`,
    ).bind(id).all()
  ).results;
  const run = await db.prepare("SELECT * FROM runs WHERE project_id = ?1 ORDER BY started_at DESC LIMIT 1").bind(id).first();
  const stages = ["prd", "data", "design", "logic", "api", "frontend", "deployment"].map((stage) => {
    const a = latest.find((r) => r.stage === stage);
    const cp = checkpoints.find((r) => r.stage === stage);
    return { stage, status: a ? "done" : "pending", version: a?.version ?? null, updatedAt: cp?.updated_at ?? null };
  });
  return c.json({ id, name: p.name, idea: p.idea, settings, stages, run }, 200, { "cache-control": "no-store" });
});

app.get("/api/projects/:id/artifacts/:stage", async (c) => {
  const who = await owner(c.env, c.req.header("authorization"));
  if (!who) return c.json({ error: { code: "unauthorized" } }, 401);
  const { id, stage } = c.req.param();
  if (!(await ownedProject(c.env, id, who))) return c.json({ error: { code: "not_found" } }, 404);
  const row = await c.env.DB.prepare(
    "SELECT * FROM artifacts WHERE project_id = ?1 AND stage = ?2 ORDER BY version DESC LIMIT 1",
  ).bind(id, stage).first<Row>();
  if (!row) return c.json({ error: { code: "not_found" } }, 404);
  const object = await c.env.STORAGE.get(row.r2_key as string);
  if (!object) return c.json({ error: { code: "internal" } }, 500);
  const artifact = await object.json();
  return c.json({ ...row, projectId: id, artifact }, 200, { "cache-control": "no-store" });
});

export default app;
