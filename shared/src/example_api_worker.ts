// Generated API Worker: each declared endpoint, routed to its table in D1.
export interface Env {
  DB: D1Database;
  AUTH_SECRET: string;
}

type Kind = 'list' | 'read' | 'create' | 'update' | 'delete';
type Route = [method: string, pattern: RegExp, table: string, kind: Kind, fields: string[]];

const routes: Route[] = [
__ROUTES__];

const json = (body: unknown, status = 200) => Response.json(body, { status });

export default {
  async fetch(req: Request, env: Env): Promise<Response> {
    if (req.headers.get('authorization') !== `Bearer ${env.AUTH_SECRET}`) {
      return json({ error: { code: 'unauthorized', message: 'a bearer token is required' } }, 401);
    }
    const path = new URL(req.url).pathname;
    for (const [method, pattern, table, kind, fields] of routes) {
      const m = path.match(pattern);
      if (!m || req.method !== method) continue;
      const id = m[1];
      if (kind === 'list') {
        return json((await env.DB.prepare(`SELECT * FROM ${table} ORDER BY created_at DESC LIMIT 100`).all()).results);
      }
      if (kind === 'read') {
        const row = await env.DB.prepare(`SELECT * FROM ${table} WHERE id = ?`).bind(id).first();
        return row ? json(row) : json({ error: { code: 'not_found', message: 'no such record' } }, 404);
      }
      if (kind === 'delete') {
        await env.DB.prepare(`DELETE FROM ${table} WHERE id = ?`).bind(id).run();
        return new Response(null, { status: 204 });
      }
      const body = (await req.json()) as Record<string, unknown>;
      const values = fields.map((f) => body[f] ?? null);
      if (kind === 'create') {
        const newId = crypto.randomUUID();
        const cols = ['id', ...fields, 'created_at'];
        await env.DB.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`)
          .bind(newId, ...values, new Date().toISOString())
          .run();
        return json({ id: newId, ...body }, 201);
      }
      await env.DB.prepare(`UPDATE ${table} SET ${fields.map((f) => `${f} = ?`).join(', ')} WHERE id = ?`)
        .bind(...values, id)
        .run();
      return json({ id, ...body });
    }
    return json({ error: { code: 'not_found', message: 'no such route' } }, 404);
  },
};
