"""Validates policy files against the JSON Schema of `sortie schema`, as an editor does: each
YAML document is read with YAML 1.2's core schema (yaml-language-server's default, so `NO` and
`yes` are strings but `0123` is a number) and checked with a draft 2020-12 validator.
Usage: validate_policy_schema.py SCHEMA.json FILE...
Prints one line per file, "valid FILE" or "invalid FILE: problem", and exits 0."""
import json
import re
import sys

import jsonschema
import yaml


class Core12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 core-schema typing of plain scalars."""


Core12Loader.yaml_implicit_resolvers = {}
for tag, pattern, first in [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", list("~nN") + [""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     list("-+.0123456789")),
]:
    Core12Loader.add_implicit_resolver(tag, re.compile(pattern), first)


def construct_int(loader, node):
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


Core12Loader.add_constructor("tag:yaml.org,2002:int", construct_int)

with open(sys.argv[1]) as f:
    validator = jsonschema.Draft202012Validator(json.load(f))
for path in sys.argv[2:]:
    try:
        with open(path, encoding="utf-8-sig") as f:
            documents = [d for d in yaml.load_all(f, Loader=Core12Loader) if d is not None]
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        print(f"unreadable {path}: {type(error).__name__}")
        continue
    problems = [e for d in documents for e in validator.iter_errors(d)]
    if problems:
        first = min(problems, key=lambda e: list(e.absolute_path).__len__())
        print(f"invalid {path}: {'/'.join(map(str, first.absolute_path))}: {first.message}")
    else:
        print(f"valid {path}")
