"""Validates the OpenAPI document the server served (JSON) with openapi-spec-validator, checks
it is the committed YAML, value for value, and that every example matches the schema beside it.
Usage: validate_openapi.py SERVED.json DOC.yaml"""
import json
import sys

import jsonschema
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


def pointer(*parts):
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def check(example, *schema_path):
    # The document itself is the root schema, so "#/components/..." references resolve in it.
    root = dict(served, **{"$ref": pointer(*schema_path)})
    errors = list(jsonschema.Draft202012Validator(root).iter_errors(example))
    if errors:
        sys.exit(f"an example does not match {pointer(*schema_path)}: {errors[0].message}")


examples = 0
for path, item in served["paths"].items():
    for method, operation in item.items():
        bodies = [("requestBody", operation.get("requestBody", {}))]
        bodies += [("responses", status, response) for status, response in operation.get("responses", {}).items()]
        for where in bodies:
            body = where[-1]
            for media, content in body.get("content", {}).items():
                for example in content.get("examples", {}).values():
                    check(example["value"], "paths", path, method, *where[:-1], "content", media, "schema")
                    examples += 1
print("examples match their schemas:", examples)
print("valid OpenAPI 3.1:", sum(len(v) for v in served["paths"].values()), "operations")
