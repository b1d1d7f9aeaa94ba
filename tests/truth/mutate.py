"""Breaks an exported API Worker in one way, so that tests/truth/run.sh can
show its contract tests fail (that they bite):

* `route`: the first route the Worker serves as a table operation (not a
  501 `todo`) is taken out of its route table, so its endpoint is gone;
* `field`: every JSON answer loses one required field (not a key) of the
  first entity that has one, by the export's artifacts/data.json, as if the
  Worker dropped it from what it answers.

Usage: mutate.py EXPORT_ROOT route|field. Rewrites deployment/src/index.ts in
place and prints what it broke."""

import json
import re
import sys

root, how = sys.argv[1], sys.argv[2]
path = f"{root}/deployment/src/index.ts"
source = open(path).read()
start = source.index("const routes: readonly Route[] = [\n") + len("const routes: readonly Route[] = [\n")
end = source.index("];\n", start)
lines = source[start:end].splitlines(keepends=True)
served = [line for line in lines if "'todo'" not in line]
if not served:
    sys.exit("no route is served as a table operation")
if how == "route":
    victim = served[0]
    source = source[:start] + "".join(line for line in lines if line is not victim) + source[end:]
    print(f"removed the route {victim.strip()}")
elif how == "field":
    data = json.load(open(f"{root}/artifacts/data.json"))
    column = None
    for e in data["entities"]:
        key = e.get("primaryKey") or [f["name"] for f in e["fields"] if f["fieldType"] == "id"][:1]
        required = [f["name"] for f in e["fields"] if f["required"] and f["name"] not in key]
        if required:
            column = required[0]
            break
    if column is None:
        sys.exit("no entity has a required field that is not its key")
    old = "const json = (body: unknown, status = 200): Response => Response.json(body, { status });"
    new = (
        "const dropped = (v: unknown): unknown => Array.isArray(v) ? v.map(dropped) : typeof v === 'object' && v !== null"
        f" ? Object.fromEntries(Object.entries(v).filter(([k]) => k !== {json.dumps(column)})) : v;\n"
        "const json = (body: unknown, status = 200): Response => Response.json(dropped(body), { status });"
    )
    if old not in source:
        sys.exit("the Worker's json() is not the one this script knows")
    source = source.replace(old, new)
    print(f"every answer drops the required field {column} of {e['name']}")
else:
    sys.exit(f"unknown mutation {how}")
open(path, "w").write(source)
