#!/usr/bin/env python3
"""Load every .yaml/.yml file under the given paths the way Authentik's worker
does first: `yaml.load(text, BlueprintLoader)`, where BlueprintLoader subclasses
PyYAML's pure-Python SafeLoader and constructs Authentik's custom tags.

Each tag is constructed from its node's value (scalar, list or mapping), as
Authentik's tag classes do in their constructors; nothing is resolved. Like
Authentik, one document per file: a multi-document file fails. Prints how many
files were loaded and how many failed.

Usage: pyyaml_load.py PATH...
"""

import os
import sys

import yaml

TAGS = ("!KeyOf", "!Find", "!FindObject", "!Context", "!Format", "!Condition", "!If",
        "!Env", "!File", "!Enumerate", "!Value", "!Index", "!AtIndex", "!ParseJSON")


class BlueprintLoader(yaml.SafeLoader):
    """The pure-Python SafeLoader with Authentik's tags (not the C loader)."""


def construct_tag(loader, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return (node.tag, value)


for tag in TAGS:
    BlueprintLoader.add_constructor(tag, construct_tag)


def files(paths):
    for path in paths:
        if os.path.isfile(path):
            yield path
            continue
        for folder, dirs, names in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if name.endswith((".yaml", ".yml")):
                    yield os.path.join(folder, name)


def main():
    loaded = failed = 0
    for path in files(sys.argv[1:]):
        try:
            with open(path, encoding="utf-8") as f:
                yaml.load(f.read(), Loader=BlueprintLoader)
            loaded += 1
        except (yaml.YAMLError, UnicodeDecodeError, ValueError):
            failed += 1
    print(f"{loaded + failed} files, {failed} failed to load")


if __name__ == "__main__":
    main()
