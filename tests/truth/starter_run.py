"""Runs an exported API Worker the way its user first would, and checks what
a client sees. The Worker is already up under `wrangler dev` with the
export's own D1 migration applied; this drives it over HTTP from the export's
artifacts/data.json and artifacts/api.json, so its list, create, read, PATCH and
delete routes are tried
against the tables the migration made:

* each entity with a create route gets a record (parents first, required
  references filled with the parents' new keys, optional ones left out):
  201 with its key (one generated id, or the columns of a composite key);
  read back: 200 with the values sent;
* a PATCH of one field changes that field and leaves every other as it was;
* a create without a required field is 400, a second record with the same
  unique value or key is 409, a record that does not exist is 404 and a
  wrong token is 401 - each a JSON error;
* deleting a record others reference is refused (409), deleting a leaf is
  204 and it is gone afterwards (404).

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


def key_of(e):
    """The key columns, as the data model declares them: a composite primary
    key, else the one field of type id that references nothing."""
    if e.get("primaryKey") and len(e["primaryKey"]) > 1:
        return e["primaryKey"]
    return [f["name"] for f in e["fields"] if f["fieldType"] == "id" and not f["references"]][:1]


def stored(v):
    """A value as D1 hands it back: booleans as integers, JSON as text."""
    if isinstance(v, bool):
        return int(v)
    return json.dumps(v, separators=(",", ":")) if isinstance(v, (dict, list)) else v


def at(path, record, key):
    """A record's path: each {parameter} in turn by its key's value."""
    values = iter(str(record[k]) for k in key)
    return re.sub(r"\{[^}]+\}", lambda _: next(values, "x"), path)


made, order, n = {}, [], 0  # entity -> created record; creation order
pending = [e for e in entities.values() if (e["name"], "POST", False) in routes]
creatable = len(pending)
while pending:
    def waits(e):
        """A required reference to an entity not made yet (optional ones are left out)."""
        fields = {f["name"]: f for f in e["fields"]}
        return any(fields[k]["references"] and fields[k]["required"] and fields[k]["references"] not in made
                   for k in routes[(e["name"], "POST", False)]["requestFields"])
    ready = [e for e in pending if not waits(e)]
    if not ready:
        for e in pending:
            check(False, f"{e['name']}: a create route whose required references cannot be filled")
        break
    for e in ready:
        pending.remove(e)
        create, key = routes[(e["name"], "POST", False)], key_of(e)
        fields = {f["name"]: f for f in e["fields"]}
        body = {}
        for name in create["requestFields"]:
            f = fields[name]
            n += 1
            if f["references"]:
                if f["references"] in made:
                    parent = entities[f["references"]]
                    body[name] = made[f["references"]][key_of(parent)[0]]
            elif f["fieldType"] in ("string", "text", "id"):
                body[name] = f"{name}-{n}"
            else:
                body[name] = sample[f["fieldType"]]
        status, record = call("POST", create["path"], body)
        check(status == 201 and isinstance(record, dict) and all(record.get(k) for k in key),
              f"POST {create['path']} creates a {e['name']} with its key {key}: {status} {record}")
        if status != 201 or not isinstance(record, dict):
            continue
        made[e["name"]] = record
        order.append(e["name"])
        read = routes.get((e["name"], "GET", True))
        if read:
            status, row = call("GET", at(read["path"], record, key))
            check(status == 200 and all(row.get(k) == stored(v) for k, v in body.items()),
                  f"GET {read['path']} reads back what was sent: {status} {row}")
        required = [k for k in body if fields[k]["required"]]
        if required:
            status, answer = call("POST", create["path"], {k: v for k, v in body.items() if k != required[0]})
            check(status == 400 and is_error(answer, "bad_request"),
                  f"POST {create['path']} without {required[0]}: 400 bad_request, got {status} {answer}")
        taken = [k for k in body if fields[k]["unique"]] or [k for k in key if k in body]
        if taken:
            status, answer = call("POST", create["path"], body)
            check(status == 409 and is_error(answer, "conflict"),
                  f"POST {create['path']} with a taken {taken[0]}: 409 conflict, got {status} {answer}")
        change = routes.get((e["name"], "PATCH", True))
        plain = [k for k in change["requestFields"] if not fields[k]["unique"] and not fields[k]["references"]
                 and fields[k]["fieldType"] in ("string", "text")] if change else []
        if plain:
            status, row = call("PATCH", at(change["path"], record, key), {plain[0]: "changed"})
            rest = {k: stored(v) for k, v in body.items() if k != plain[0]}
            check(status == 200 and row.get(plain[0]) == "changed" and all(row.get(k) == v for k, v in rest.items()),
                  f"PATCH {change['path']} of {plain[0]} keeps every other field: {status} {row}")

check(creatable > 0 and len(made) == creatable, f"{len(made)} of the {creatable} entities with a create route created")
first = next(iter(made), None)
if first:
    key = key_of(entities[first])
    listing = routes.get((first, "GET", False))
    if listing and listing["authRequired"]:
        status, answer = call("GET", listing["path"], token="wrong")
        check(status == 401 and is_error(answer, "unauthorized"), f"GET {listing['path']} with a wrong token: 401, got {status}")
    if listing:
        status, rows = call("GET", listing["path"])
        check(status == 200 and any(all(r.get(k) == made[first][k] for k in key) for r in rows or []),
              f"GET {listing['path']} lists the new {first}: {status}")
    read = routes.get((first, "GET", True))
    if read:
        status, answer = call("GET", at(read["path"], {k: "no-such-record" for k in key}, key))
        check(status == 404 and is_error(answer, "not_found"), f"GET {read['path']} of a missing record: 404, got {status}")
referenced = {f["references"] for e in entities.values() for f in e["fields"] if f["references"]}
for name in order:
    children = [c for c in order if c != name and any(f["references"] == name and made[c].get(f["name"])
                                                      for f in entities[c]["fields"])]
    delete = routes.get((name, "DELETE", True))
    if delete and children:
        status, answer = call("DELETE", at(delete["path"], made[name], key_of(entities[name])))
        check(status == 409 and is_error(answer, "conflict"),
              f"DELETE {delete['path']} of a {name} a {children[0]} references: 409, got {status} {answer}")
        break
leaf = next((x for x in reversed(order) if x not in referenced and (x, "DELETE", True) in routes), None)
if leaf:
    delete, key = routes[(leaf, "DELETE", True)], key_of(entities[leaf])
    status, _ = call("DELETE", at(delete["path"], made[leaf], key))
    read = routes.get((leaf, "GET", True))
    again, _ = call("GET", at(read["path"], made[leaf], key)) if read else call("DELETE", at(delete["path"], made[leaf], key))
    check(status == 204 and again == 404, f"DELETE {delete['path']} of a {leaf}: 204, then 404, got {status}, {again}")
sys.exit(1 if failures else 0)
