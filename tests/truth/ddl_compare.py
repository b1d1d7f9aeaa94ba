#!/usr/bin/env python3
"""Compares the tables, columns and foreign keys of databases made from an
original schema and from Parit's rendering of its import.

    ddl_compare.py --port PORT --import import.json --original DB --rendered DB [DB ...]

A DB is sqlite:PATH (read with PRAGMA table_info / foreign_key_list:
https://www.sqlite.org/pragma.html), pg:DATABASE (every schema but the
system's, read from pg_catalog over psql: an install script may create its
tables in schemas of their own), or json:IMPORT (the imported model itself,
for an original no database here runs: MySQL's). What the import lists as not imported (a table,
a foreign key) may be missing from a rendered database; anything else that
differs is printed, one line each. Names are compared exactly: the importer
keeps them as the database stores them.
"""
import argparse
import json
import sqlite3
import subprocess
import sys


def sqlite_schema(path):
    db = sqlite3.connect(path)
    tables = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    columns, keys, fks = {}, {}, set()
    for t in tables:
        info = db.execute(f'PRAGMA table_info("{t}")').fetchall()
        columns[t] = {r[1] for r in info}
        keys[t] = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5] > 0]
    for t in tables:
        for r in db.execute(f'PRAGMA foreign_key_list("{t}")'):
            # A REFERENCES without columns means the parent's primary key.
            parent = next((x for x in tables if x.lower() == r[2].lower()), r[2])
            pk = keys.get(parent) or []
            to = r[4] if r[4] is not None else (pk[r[1]] if r[1] < len(pk) else None)
            fks.add((t, r[3], parent, to))
    return columns, fks


def pg_rows(port, database, sql):
    out = subprocess.run(
        ["psql", "-X", "-q", "-At", "-F", "\t", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
         "-d", database, "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def pg_schema(port, database):
    columns = {}
    for t, c in pg_rows(port, database, """
        SELECT c.relname, a.attname FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_%' AND c.relkind IN ('r', 'p')"""):
        columns.setdefault(t, set()).add(c)
    fks = {tuple(r) for r in pg_rows(port, database, """
        SELECT cl.relname, a.attname, rc.relname, ra.attname FROM pg_constraint c
        JOIN pg_class cl ON cl.oid = c.conrelid
        JOIN pg_namespace n ON n.oid = cl.relnamespace
        JOIN pg_class rc ON rc.oid = c.confrelid
        CROSS JOIN LATERAL unnest(c.conkey, c.confkey) AS k(col, rcol)
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col
        JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.rcol
        WHERE c.contype = 'f' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_%'""")}
    return columns, fks


def json_schema(path):
    data = json.load(open(path))["artifact"]
    by_name = {e["name"]: e for e in data["entities"]}
    columns, fks = {}, set()
    for e in data["entities"]:
        columns[e["table"]] = {f["name"] for f in e["fields"]}
        for f in e["fields"]:
            target = by_name.get(f.get("references") or "")
            if target:
                key = next((k["name"] for k in target["fields"] if k["fieldType"] == "id"), None)
                fks.add((e["table"], f["name"], target["table"], key))
    return columns, fks


def read(db, port):
    kind, _, where = db.partition(":")
    if kind == "json":
        return json_schema(where)
    return sqlite_schema(where) if kind == "sqlite" else pg_schema(port, where)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", required=True)
    p.add_argument("--import", dest="imported", required=True)
    p.add_argument("--original", required=True)
    p.add_argument("--rendered", nargs="+", required=True)
    a = p.parse_args()
    report = json.load(open(a.imported))
    whats = [n["what"] for n in report["notImported"]]
    left_tables = {w[len('table "'):-1] for w in whats if w.startswith('table "') and w.endswith('"')}
    left_fks = {w for w in whats if w.startswith("foreign key ") and not w.endswith(" actions")}
    columns, fks = read(a.original, a.port)
    name = a.imported.rsplit("/", 2)[-2]
    for db in a.rendered:
        got_columns, got_fks = read(db, a.port)
        where = f"{name} {db.split(':')[0]}"
        want_tables = set(columns) - left_tables
        for t in sorted(want_tables ^ set(got_columns)):
            print(f"{where}: table {t} is {'missing' if t in want_tables else 'extra'}")
        for t in sorted(want_tables & set(got_columns)):
            if columns[t] != got_columns[t]:
                print(f"{where}: table {t} columns differ: missing {sorted(columns[t] - got_columns[t])}, "
                      f"extra {sorted(got_columns[t] - columns[t])}")
        for fk in sorted(fks - got_fks, key=str):
            t, c, rt, _ = fk
            listed = any(w.startswith(f'foreign key "{t}" (') and f'→ "{rt}"' in w and c in w for w in left_fks)
            if t not in left_tables and not listed:
                print(f"{where}: foreign key {t}.{c} → {rt} is missing")
        for fk in sorted(got_fks - fks, key=str):
            print(f"{where}: foreign key {fk[0]}.{fk[1]} → {fk[2]}.{fk[3]} is extra")


if __name__ == "__main__":
    sys.exit(main())
