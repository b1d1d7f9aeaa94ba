"""Runs an exported API Worker the way its user first would, and checks what
a client sees. The Worker is already up under `wrangler dev` with the
export's own D1 migration applied; this drives it over HTTP from the export's
artifacts/data.json and artifacts/api.json, so every declared route is tried
against the tables the migration made:

* each entity with a create route gets a record (parents first, references
  filled with the parents' new ids): 201 with its id; read back: 200 with the
  values sent;
* a PATCH of one field changes that field and leaves every other as it was;
* a create without a required field is 400, a second record with the same
  unique value is 409, a record that does not exist is 404, a wrong token is
  401 and a declared but unserved (nested) route is 501 - each a JSON error;
* deleting a record others reference is refused (409), deleting a leaf is
  204 and reading it afterwards 404.

Usage: starter_run.py EXPORT_ROOT BASE_URL SECRET
Prints one line a check, `not ok - ...` for a failure, and exits 1 on any."""

import json
import re
import sys
import time
import urllib.error
import urllib.request

root, base, secret = sys.argv[1], sys.argv[2].rstrip("/"), sys.argv[3]
data = json.load(open(f"{root}/artifacts/data.json"))
api = json.load(open(f"{root}/artifacts/api.json"))
failures = 0


def check(ok, what):
    global failures
    print(("ok - " if ok else "not ok - ") + what)
    failures += 0 if ok else 1


def call(method, path, body=None, token=secret):
    headers = {"content-type": "application/json"}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    raw = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=raw, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, text = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    try:
        return status, json.loads(text) if text else None
    except ValueError:
        return status, text


def is_error(answer, code):
    return isinstance(answer, dict) and isinstance(answer.get("error"), dict) and answer["error"].get("code") == code


# wrangler dev is starting: poll until the Worker answers at all (any status).
deadline = time.monotonic() + 90
while True:
    try:
        call("GET", "/")
        break
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        if time.monotonic() > deadline:
            sys.exit(f"not ok - the Worker did not answer on {base} within 90 s")
        time.sleep(0.25)

entities = {e["name"]: e for e in data["entities"]}
routes = {}  # (entity, method, has_params) -> endpoint
for ep in api["endpoints"]:
    routes.setdefault((ep["entity"], ep["method"], "{" in ep["path"]), ep)
sample = {
    "string": "s", "text": "a text", "integer": 7, "decimal": 12.5, "boolean": True,
    "timestamp": "2026-12-04T10:00:00.000Z", "date": "2026-12-04", "json": {"k": [1, 2]},
}


def stored(v):
    """A value as D1 hands it back: booleans as integers, JSON as text."""
    if isinstance(v, bool):
        return int(v)
    return json.dumps(v, separators=(",", ":")) if isinstance(v, (dict, list)) else v


def one(path, key):
    return re.sub(r"\{[^}]+\}", key, path, count=1)


made, order, n = {}, [], 0  # entity -> created record; creation order
pending = [e for e in entities.values() if (e["name"], "POST", False) in routes]
while pending:
    ready = [e for e in pending if all(
        f["references"] in made for f in e["fields"]
        if f["references"] and f["name"] in routes[(e["name"], "POST", False)]["requestFields"])]
    if not ready:
        for e in pending:
            check(False, f"{e['name']}: a create route whose references cannot be filled")
        break
    for e in ready:
        pending.remove(e)
        create = routes[(e["name"], "POST", False)]
        fields = {f["name"]: f for f in e["fields"]}
        body = {}
        for name in create["requestFields"]:
            f = fields[name]
            n += 1
            if f["references"]:
                body[name] = made[f["references"]]["id"]
            elif f["fieldType"] in ("string", "text", "id"):
                body[name] = f"{name}-{n}"
            else:
                body[name] = sample[f["fieldType"]]
        status, record = call("POST", create["path"], body)
        check(status == 201 and isinstance(record, dict) and record.get("id"),
              f"POST {create['path']} creates a {e['name']}: {status} {record}")
        if status != 201 or not isinstance(record, dict):
            continue
        made[e["name"]] = record
        order.append(e["name"])
        read = routes.get((e["name"], "GET", True))
        if read:
            status, row = call("GET", one(read["path"], record["id"]))
            check(status == 200 and all(row.get(k) == stored(v) for k, v in body.items()),
                  f"GET {read['path']} reads back what was sent: {status} {row}")
        required = [k for k in body if fields[k]["required"]]
        if required:
            status, answer = call("POST", create["path"], {k: v for k, v in body.items() if k != required[0]})
            check(status == 400 and is_error(answer, "bad_request"),
                  f"POST {create['path']} without {required[0]}: 400 bad_request, got {status} {answer}")
        unique = [k for k in body if fields[k]["unique"]]
        if unique:
            status, answer = call("POST", create["path"], body)
            check(status == 409 and is_error(answer, "conflict"),
                  f"POST {create['path']} with a taken {unique[0]}: 409 conflict, got {status} {answer}")
        change = routes.get((e["name"], "PATCH", True))
        plain = [k for k in change["requestFields"] if not fields[k]["unique"] and not fields[k]["references"]
                 and fields[k]["fieldType"] in ("string", "text")] if change else []
        if plain:
            status, row = call("PATCH", one(change["path"], record["id"]), {plain[0]: "changed"})
            rest = {k: stored(v) for k, v in body.items() if k != plain[0]}
            check(status == 200 and row.get(plain[0]) == "changed" and all(row.get(k) == v for k, v in rest.items()),
                  f"PATCH {change['path']} of {plain[0]} keeps every other field: {status} {row}")

check(bool(made), f"{len(made)} of {len(entities)} entities created")
first = next(iter(made), None)
if first:
    listing = routes.get((first, "GET", False))
    if listing and listing["authRequired"]:
        status, answer = call("GET", listing["path"], token="wrong")
        check(status == 401 and is_error(answer, "unauthorized"), f"GET {listing['path']} with a wrong token: 401, got {status}")
    if listing:
        status, rows = call("GET", listing["path"])
        check(status == 200 and any(r.get("id") == made[first]["id"] for r in rows or []),
              f"GET {listing['path']} lists the new {first}: {status}")
    read = routes.get((first, "GET", True))
    if read:
        status, answer = call("GET", one(read["path"], "no-such-record"))
        check(status == 404 and is_error(answer, "not_found"), f"GET {read['path']} of a missing record: 404, got {status}")
for ep in api["endpoints"]:
    if ep["path"].count("{") >= 2 and ep["method"] == "GET" and ep["entity"] in entities:
        e = entities[ep["entity"]]
        if not (e.get("primaryKey") and len(e["primaryKey"]) == ep["path"].count("{")):
            status, answer = call("GET", re.sub(r"\{[^}]+\}", "x", ep["path"]))
            check(status == 501 and is_error(answer, "not_implemented"), f"GET {ep['path']} (nested): 501, got {status}")
referenced = {f["references"] for e in entities.values() for f in e["fields"] if f["references"]}
for name in order:
    children = [c for c in order if c != name and any(f["references"] == name for f in entities[c]["fields"])]
    delete = routes.get((name, "DELETE", True))
    if delete and children:
        status, answer = call("DELETE", one(delete["path"], made[name]["id"]))
        check(status == 409 and is_error(answer, "conflict"),
              f"DELETE {delete['path']} of a {name} a {children[0]} references: 409, got {status} {answer}")
        break
leaf = next((x for x in reversed(order) if x not in referenced and (x, "DELETE", True) in routes), None)
if leaf:
    delete = routes[(leaf, "DELETE", True)]
    status, _ = call("DELETE", one(delete["path"], made[leaf]["id"]))
    again, _ = call("GET", one(delete["path"], made[leaf]["id"])) if (leaf, "GET", True) in routes else (404, None)
    check(status == 204 and again == 404, f"DELETE {delete['path']} of a {leaf}: 204 then 404, got {status}, {again}")
sys.exit(1 if failures else 0)
