#!/usr/bin/env python3
"""Write tests/data/pyyaml_core_tags.tsv: how PyYAML's SafeLoader builds each
standard tag (`!!int`, `!!set`, ...) on each kind of value.

Run from the repository root with the PyYAML Authentik pins (6.0.3):
    python3 scripts/pyyaml-core-tags.py > tests/data/pyyaml_core_tags.tsv
src/yaml/construct.rs tests bplint's parse against every row.
"""

import yaml

SCALARS = [
    "x", "1", "-1", "+1", "0", "00", "08", "0o17", "0b101", "0b12", "0x1F", "0xg",
    "1_000", "_1", "1__0", "1:30", "1:x", "--1", "+-1", '" 12 "', '""', '"+"', "-",
    "1.5", "1e5", ".5", "5.", ".inf", "-.Inf", ".NaN", "nan", "inf", "infinity",
    "-infinity", "1:30.5", "1e", "e5", '"1 2"', "yes", "No", "ON", "off", "y", "n",
    "true", "TRUE", "tRue", "maybe", "~", "null", "2024-01-01", "2024-1-1",
    "2024-01-01 10:00:00", "2024-01-01t10:00:00Z", "2024-02-30", "2024-01-01 10:00",
    "24-01-01", '"2024-01-01 "', "abcd", "abc", "ab", "a", "abcd=", "ab==", "ab=",
    "a===", "abc=", '"ab=cd"', '"ab==cd=="', '"%%"', '"é"', '"YWJj\\nZA=="', "abcde",
    '"ab cd"',
]
NON_SCALARS = [
    "[a]", "[]", "{a: 1}", "{}", "[{a: 1}]", "[{a: 1, b: 2}]", "[a, {b: 1}]",
    "[{a: 1}, {a: 2}]", "{a, b}", "[[a, 1]]",
]
TAGS = [
    "null", "bool", "int", "float", "binary", "timestamp", "str", "seq", "map", "set",
    "omap", "pairs", "value", "merge",
]

print("# Explicit standard tags as PyYAML 6.0.3's SafeLoader builds them: tag, the value written after")
print("# `k: !!<tag> `, and ok or the exception PyYAML raised. Made by scripts/pyyaml-core-tags.py;")
print("# src/yaml/construct.rs tests bplint against every row.")
for tag in TAGS:
    for value in SCALARS + NON_SCALARS:
        try:
            yaml.safe_load(f"k: !!{tag} {value}\n")
            verdict = "ok"
        except Exception as e:  # every exception is a refusal for the importer
            verdict = "error:" + type(e).__name__
        print(f"{tag}\t{value}\t{verdict}")
