"""Validates the OpenAPI document the server served (JSON) with openapi-spec-validator, and
checks it is the committed YAML, value for value. Usage: validate_openapi.py SERVED.json DOC.yaml"""
import json
import sys

import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.validation import OpenAPIV31SpecValidator

with open(sys.argv[1]) as f:
    served = json.load(f)
with open(sys.argv[2]) as f:
    committed = yaml.safe_load(f)
validate(served, cls=OpenAPIV31SpecValidator)
if served != committed:
    for key in sorted(set(served) | set(committed)):
        if served.get(key) != committed.get(key):
            print("differs under", key)
    sys.exit("the served document is not docs/openapi.yaml")
print("valid OpenAPI 3.1:", sum(len(v) for v in served["paths"].values()), "operations")
