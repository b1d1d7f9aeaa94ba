"""Validates OpenAPI documents with openapi-spec-validator (which resolves
every $ref). Usage: python openapi_check.py FILE...; prints {"checked", "failed"}."""
import json
import sys

from openapi_spec_validator import validate

failed = []
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as f:
            validate(json.load(f))
    except Exception as e:  # every kind of failure is a finding
        failed.append([path, str(e).splitlines()[0][:300]])
print(json.dumps({"checked": len(sys.argv) - 1, "failed": failed}))
