#!/usr/bin/env python3
"""Validates SARIF logs against the SARIF 2.1.0 JSON schema, with the
`jsonschema` validator (pinned in tests/python-requirements.lock).

The schema is not copied here by hand: it is the one Microsoft ships in its
npm package @microsoft/jest-sarif (lib/schemas/sarif-2.1.0-rtm.5.json, the
2.1.0 schema the SARIF SDK validates with), installed from
tests/truth/package-lock.json. It is a draft-04 schema; `validator_for`
picks the validator its `$schema` names.

Usage: sarif_check.py FILE...   exit 0 when every file is valid, else 1 with
each error's JSON path and message.
"""
import json
import pathlib
import sys

import jsonschema

SCHEMA = (pathlib.Path(__file__).resolve().parent / "node_modules" / "@microsoft" / "jest-sarif"
          / "lib" / "schemas" / "sarif-2.1.0-rtm.5.json")


def main(paths):
    if not paths:
        print("usage: sarif_check.py FILE...", file=sys.stderr)
        return 2
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    failed = 0
    for path in paths:
        log = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
        for e in errors:
            where = "/".join(str(p) for p in e.absolute_path) or "(root)"
            print(f"{path}: {where}: {e.message}")
        if errors:
            failed += 1
        else:
            print(f"{path}: valid SARIF 2.1.0 ({validator_class.__name__})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
