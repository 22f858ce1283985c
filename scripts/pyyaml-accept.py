#!/usr/bin/env python3
"""Say whether PyYAML loads each YAML text the way Authentik's importer does.

Input on stdin: JSON lines `{"name": ..., "text": ...}`. Output on stdout: one JSON
line per input, in order: `{"name": ..., "accept": true|false, "error": "..."}`,
where `error` is the exception's class and its problem (with PyYAML's 1-based
line and column when it gives one) or the first line of its message.

The loader is a `SafeLoader` subclass with a constructor for every tag Authentik's
`BlueprintLoader` registers (authentik/blueprints/v1/common.py). Each one builds
its node's children, as Authentik's constructors do with their arguments, and
returns a placeholder, so a bad child still fails the load while the tag's own
argument checks (bplint's BP005) stay out of it. `yaml.load` is
`get_single_data`: a stream of two or more documents is refused, as Authentik
refuses it. Any exception counts as a refusal, since Authentik's importer treats
every one as "cannot load" (ValueError from `!!int x` or `2024-02-30` included).

tests/pyyaml_diff.rs runs this with every input in one process.
"""

import json
import sys

import yaml

AUTHENTIK_TAGS = [
    "!KeyOf",
    "!Find",
    "!FindObject",
    "!Context",
    "!Format",
    "!Condition",
    "!If",
    "!Env",
    "!File",
    "!Enumerate",
    "!Value",
    "!Index",
    "!AtIndex",
    "!ParseJSON",
]


class Placeholder:
    """What an Authentik tag constructs here: an object, hashable like Authentik's."""

    def __init__(self, tag, value):
        self.tag = tag
        self.value = value


def construct_tag(loader, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return Placeholder(node.tag, value)


class BlueprintLoader(yaml.SafeLoader):
    pass


for tag in AUTHENTIK_TAGS:
    BlueprintLoader.add_constructor(tag, construct_tag)


def verdict(text):
    try:
        yaml.load(text, BlueprintLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return False, f"{type(exc).__name__}: {exc.problem or exc.context}{where}"
    except Exception as exc:  # noqa: BLE001 - every failure is a refusal
        first = str(exc).strip().splitlines()
        return False, f"{type(exc).__name__}: {first[0] if first else ''}"
    return True, ""


def main():
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        item = json.loads(line)
        accept, error = verdict(item["text"])
        out.write(json.dumps({"name": item["name"], "accept": accept, "error": error}))
        out.write("\n")
    out.flush()


if __name__ == "__main__":
    main()
