// The contract tests' harness: starts this Worker under `wrangler dev` (the
// wrangler package.json pins) with its D1 migration applied to a fresh local
// database, and gives the tests a client and a way to make records of any
// entity through the API's own create routes. Rendered by Parit with the
// tests; no dependency beyond wrangler and Node's own test runner.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const WRANGLER = join('node_modules', '.bin', process.platform === 'win32' ? 'wrangler.cmd' : 'wrangler');

/** A TCP port nobody listens on now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the Worker and answers the API the tests use; `stop()` ends it. */
export async function startWorker(model) {
  const state = mkdtempSync(join(tmpdir(), 'contract-tests-'));
  const secret = `test-${randomUUID()}`;
  const env = {
    ...process.env,
    CI: 'true',
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_SEND_ERROR_REPORTS: 'false',
    WRANGLER_HIDE_BANNER: 'true',
    WRANGLER_REGISTRY_PATH: join(state, 'registry'),
    WRANGLER_LOG_PATH: join(state, 'logs'),
  };
  const migrate = spawnSync(WRANGLER, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state], {
    env,
    encoding: 'utf8',
  });
  if (migrate.status !== 0) {
    rmSync(state, { recursive: true, force: true });
    throw new Error(`wrangler d1 migrations apply failed:\n${migrate.stdout}\n${migrate.stderr}`);
  }
  const port = await freePort();
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(await freePort())];
  args.push('--persist-to', state, '--var', `AUTH_SECRET:${secret}`, '--show-interactive-dev-session=false');
  // Its own process group, so that stopping it stops workerd too.
  const child = spawn(WRANGLER, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  // Ends wrangler and workerd, waits for wrangler to exit, then removes the
  // state (retried while workerd still closes its files).
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await exited;
    }
    rmSync(state, { recursive: true, force: true, maxRetries: 10 });
  };
  const base = `http://127.0.0.1:${port}`;
  // Poll until the Worker answers at all (any status).
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev exited with ${child.exitCode}:\n${log}`);
    }
    try {
      await fetch(`${base}/`);
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`the Worker did not answer on ${base} within 120 s:\n${log}`);
      }
      await pause(200);
    }
  }
  return new Api(base, secret, model, stop);
}

/** A value of a field's type; `n` makes it differ from every other made. */
function sample(type, n) {
  switch (type) {
    case 'integer':
      return n;
    case 'decimal':
      return n + 0.5;
    case 'boolean':
      return true;
    case 'timestamp':
      return new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString();
    case 'date':
      return new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
    case 'json':
      return { n, k: [1, 2] };
    default:
      return `v${n}`;
  }
}

/** A value as D1 hands it back: booleans as integers, JSON as text. */
export function stored(v) {
  if (typeof v === 'boolean') return v ? 1 : 0;
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : v;
}

class Api {
  constructor(base, secret, model, stop) {
    this.base = base;
    this.secret = secret;
    this.model = model;
    this.stop = stop;
    this.n = 0;
  }

  /** `{ status, body }` of a call to a path from `path()`; the token unless
   * `token` says otherwise (null: none). */
  async call(method, path, { body, token = this.secret, raw } = {}) {
    const headers = { 'content-type': 'application/json' };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const sent = method === 'GET' ? undefined : raw !== undefined ? raw : body === undefined ? undefined : JSON.stringify(body);
    const res = await fetch(this.base + path, { method, headers, body: sent });
    const text = await res.text();
    let parsed = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: kept as text for the failure message
    }
    return { status: res.status, body: parsed };
  }

  /** A path as it goes on the wire: each literal segment percent-encoded,
   * each `{parameter}` in turn the record's key, encoded whole (a missing
   * record's when `record` is null; `x` when no entity is named). */
  path(template, entity, record) {
    const key = entity ? this.model[entity].key : [];
    const literal = (text) => text.split('/').map(encodeURIComponent).join('/');
    const parts = template.split(/\{[^}]*\}/);
    return parts
      .map((part, i) => {
        if (i === 0) return literal(part);
        const k = key[i - 1];
        const value = !entity ? 'x' : record ? String(record[k]) : `no-such-record-${i}`;
        return encodeURIComponent(value) + literal(part);
      })
      .join('');
  }

  /** A body for `fields` of `entity`: each a fresh value, required references
   * to records made first, optional ones left out; `values` override. */
  async body(entity, fields, values = {}) {
    const spec = this.model[entity];
    const out = {};
    for (const name of fields) {
      if (name in values) {
        out[name] = values[name];
        continue;
      }
      const f = spec.fields.find((x) => x.name === name);
      if (!f) continue;
      if (f.references) {
        if (!f.required) continue;
        const { record } = await this.make(f.references);
        out[name] = record[this.model[f.references].key[0]];
      } else {
        out[name] = sample(f.type, ++this.n);
      }
    }
    return out;
  }

  /** A new record of `entity`, made through its create route: `{ record, sent }`,
   * the record the route answered and the body sent. */
  async make(entity, values = {}) {
    const spec = this.model[entity];
    const body = await this.body(entity, spec.create.fields, values);
    const { status, body: record } = await this.call('POST', this.path(spec.create.path), { body });
    assert.equal(status, 201, `making a ${entity} through POST ${spec.create.path}: ${JSON.stringify(record)}`);
    return { record, sent: body };
  }

  /** Whether two records have the same key. */
  same(entity, a, b) {
    return this.model[entity].key.every((k) => a?.[k] === b?.[k]);
  }
}

/** The answer has this status and is a JSON error `{ error: { code, message } }`
 * (the blueprint declares the status; the code is the Worker's to choose). */
export function assertError(answer, status) {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  const code = answer.body?.error?.code;
  assert.ok(typeof code === 'string' && code !== '', `a JSON error: ${JSON.stringify(answer.body)}`);
}

/** The record carries every field named (a value may be null). */
export function assertFields(record, fields) {
  assert.ok(record && typeof record === 'object' && !Array.isArray(record), `not a record: ${JSON.stringify(record)}`);
  for (const f of fields) assert.ok(f in record, `no field ${JSON.stringify(f)} in ${JSON.stringify(record)}`);
}

/** The record holds what was sent, as the database stores it. */
export function assertHolds(record, sent) {
  for (const [k, v] of Object.entries(sent)) assert.deepEqual(record?.[k], stored(v), `field ${JSON.stringify(k)}`);
}
