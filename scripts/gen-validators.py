#!/usr/bin/env python3
"""Write src/knowledge/serializers_generated.rs from the recorded serializer facts.

Input: every knowledge/serializers/<release>.json, as scripts/introspect-serializers.py
recorded it by running that Authentik release's own serializers. Output: one Rust
table per release (the types are in src/knowledge/serializers.rs). Each model keeps
where its facts came from (the model class, the serializer class, its `validate()`),
so a finding can cite Authentik's code.

    python3 scripts/gen-validators.py            # rewrite the Rust file
    python3 scripts/gen-validators.py --check    # exit 1 if it is not up to date

The output is deterministic: the same inputs give the same bytes.
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPUT = ROOT / "knowledge" / "serializers"
OUTPUT = ROOT / "src" / "knowledge" / "serializers_generated.rs"
VERDICTS = INPUT / "verdicts.tsv"
DOC = ROOT / "docs" / "serializers.md"

# Bounds wider than these are the ones every 64-bit integer meets: not worth a check,
# and not representable in the table's i64.
I64 = (-(2**63), 2**63 - 1)


def rust_str(text):
    """A Rust string literal for `text`."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F or 0xD800 <= code <= 0xDFFF or code > 0x7E:
            out.append("\\u{%x}" % code)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def opt_str(value):
    return "None" if value is None else f"Some({rust_str(value)})"


def opt_int(value, bits=64):
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return "None"
    value = int(value)
    low, high = (0, 2**32 - 1) if bits == 32 else I64
    if not low <= value <= high:
        return "None"
    return f"Some({value})"


def str_list(values):
    return "&[" + ", ".join(rust_str(v) for v in values) + "]"


class Writer:
    """Collects shared constants (long patterns, validator lists) so each is written once."""

    def __init__(self):
        self.consts = {}
        self.lines = []

    def const(self, kind, ty, body):
        key = (ty, body)
        if key not in self.consts:
            self.consts[key] = f"{kind}{len(self.consts)}"
            self.lines.append(f"const {self.consts[key]}: {ty} = {body};")
        return self.consts[key]

    def static(self, kind, ty, body):
        """A `&NAME` reference to a static holding `body`, written once."""
        key = ("static " + ty, body)
        if key not in self.consts:
            self.consts[key] = f"{kind}{len(self.consts)}"
            self.lines.append(f"static {self.consts[key]}: {ty} = {body};")
        return "&" + self.consts[key]

    def pattern(self, text):
        return self.const("S", "&str", rust_str(text))


# Authentik's own validator functions that bplint runs, by qualified name. Others
# (file names, crontabs, durations, which BP203 checks) are recorded but not run.
FUNCTIONS = {
    # authentik/providers/oauth2/api/scopes.py: a scope name has no space.
    "authentik.providers.oauth2.api.scopes.no_space": "Validator::NoSpace",
    # authentik/core/api/utils.py: a JSON field that takes a mapping only.
    "authentik.core.api.utils.is_dict": "Validator::Dict",
}


def validator(w, v):
    kind = v.get("kind")
    if kind == "other" and v.get("class") in FUNCTIONS:
        return FUNCTIONS[v["class"]]
    if kind == "ip":
        return "Validator::IpAddress"
    if kind == "url":
        return (
            f"Validator::Url {{ class: {rust_str(v['class'])}, domainless: {str(bool(v.get('domainless'))).lower()}, "
            f"schemes: {str_list(v['schemes'])}, "
            f"pattern: {w.pattern(v['pattern'])}, flags: {rust_str(v.get('flags', ''))}, "
            f"max_length: {int(v.get('max_length') or 2048)} }}"
        )
    if kind == "email":
        return (
            f"Validator::Email {{ user: {w.pattern(v['user_pattern'])}, "
            f"domain: {w.pattern(v['domain_pattern'])}, literal: {w.pattern(v['literal_pattern'])}, "
            f"flags: {rust_str(v.get('flags', ''))}, allowlist: {str_list(v.get('allowlist', []))} }}"
        )
    if kind == "regex":
        return (
            f"Validator::Regex {{ class: {rust_str(v['class'])}, pattern: {w.pattern(v['pattern'])}, "
            f"flags: {rust_str(v.get('flags', ''))}, inverse: {str(bool(v.get('inverse_match'))).lower()} }}"
        )
    if kind == "no-null-characters":
        return "Validator::NoNullCharacters"
    # Length and value bounds are folded into the field; `unique` is a model fact;
    # anything else is listed for the serializer audit, not run.
    return None


def bound(field, key, kind):
    """A bound from the field itself or from one of its validators (the tightest)."""
    values = [field[key]] if isinstance(field.get(key), (int, float)) and not isinstance(field.get(key), bool) else []
    for v in field.get("validators", []):
        if v.get("kind") == kind and isinstance(v.get("limit"), (int, float)):
            values.append(v["limit"])
    if not values:
        return None
    return min(values) if key.startswith("max") else max(values)


def field_check(w, name, field, depth=0):
    validators = [x for x in (validator(w, v) for v in field.get("validators", [])) if x]
    vlist = w.const("V", "&[Validator]", "&[" + ", ".join(validators) + "]") if validators else "&[]"
    child = "None"
    if isinstance(field.get("child"), dict) and depth == 0:
        child_body = field_check(w, name, field["child"], depth + 1)
        child = "Some(&" + w.const("C", "FieldCheck", child_body) + ")"
    model = field.get("model") or {}
    # The choices of a list's items (a role's or user's `permissions`): those of a
    # plain choice field are the release's enums, which BP203 checks already.
    choices = "&[]"
    if depth == 1 and field.get("choices"):
        choices = w.const("K", "&[&str]", str_list(sorted(field["choices"])))
    return (
        "FieldCheck { "
        f"name: {rust_str(name)}, class: {rust_str(field.get('class', ''))}, "
        f"text: {str(bool(field.get('text'))).lower()}, "
        f"trim: {str(bool(field.get('trim_whitespace', False))).lower()}, "
        f"allow_blank: {str(bool(field.get('allow_blank', True))).lower()}, "
        f"max_length: {opt_int(bound(field, 'max_length', 'max-length'), 32)}, "
        f"min_length: {opt_int(bound(field, 'min_length', 'min-length'), 32)}, "
        f"min_value: {opt_int(bound(field, 'min_value', 'min-value'))}, "
        f"max_value: {opt_int(bound(field, 'max_value', 'max-value'))}, "
        f"validators: {vlist}, choices: {choices}, child: {child}, "
        f"related: {opt_str(field.get('related'))}, "
        f"many: {str(bool(field.get('many'))).lower()}, "
        f"unique: {opt_str(model.get('declared_on') if model.get('unique') else None)}, "
        f"has_default: {str('default' in model).lower()}, "
        f"validate_method: {opt_str(field.get('validate_method'))} "
        "}"
    )


def release_key(name):
    return tuple(int(p) if p.isdigit() else 0 for p in name.split("."))


def generate(inputs):
    """The Rust source for the given {release: introspection} data."""
    w = Writer()
    releases = []
    for release in sorted(inputs, key=release_key):
        data = inputs[release]
        line = ".".join(release.split(".")[:2])
        models = []
        for label in sorted(data["models"]):
            m = data["models"][label]
            if "fields" not in m:
                continue
            fields = [
                field_check(w, name, fld)
                for name, fld in sorted(m["fields"].items())
                if "error" not in fld and not fld.get("read_only")
            ]
            validate = m.get("validate") or {}
            perms = w.const("P", "&[&str]", str_list(sorted(m.get("permissions") or [])))
            models.append(
                "&SerializerModel { "
                f"name: {rust_str(label)}, source: {rust_str(m.get('source') or '')}, "
                f"permissions: {perms}, "
                f"serializer: {rust_str((m.get('serializer') or {}).get('class', ''))}, "
                f"validate: {opt_str(validate.get('source'))}, "
                f"pk_kept: {'true' if m.get('pk_kept', True) else 'false'}, "
                "fields: &[\n        " + ",\n        ".join(fields) + "] }"
            )
        # A model whose facts are the same in two releases is written once.
        models = [w.static("M", "SerializerModel", m[1:]) for m in models]
        config = data.get("outpost_config") or {"fields": {}, "source": ""}
        settings = ", ".join(
            f"({rust_str(name)}, {rust_str(kind)})" for name, kind in sorted(config["fields"].items())
        )
        releases.append(
            f"SerializerRelease {{ release: {rust_str(release)}, line: {rust_str(line)}, "
            f"outpost_config: &[{settings}], outpost_config_source: {rust_str(config['source'] or '')}, "
            "models: &[\n    "
            + ",\n    ".join(models)
            + "] }"
        )
    head = [
        "// @generated by scripts/gen-validators.py from knowledge/serializers/*.json — do not edit",
        "use super::*;",
        "",
        "// Sources: " + ", ".join(
            f"{r} ({inputs[r].get('tool', '?')} on Authentik {inputs[r].get('authentik', r)})"
            for r in sorted(inputs, key=release_key)
        ),
        "",
    ]
    body = ["pub static RELEASES: &[SerializerRelease] = &[", "    " + ",\n    ".join(releases), "];", ""]
    return "\n".join(head + w.lines + [""] + body)


def methods(inputs):
    """Every hand-written method a blueprint reaches: key -> {release: source}, models."""
    found = {}
    for release in sorted(inputs, key=release_key):
        for label, m in sorted(inputs[release]["models"].items()):
            v = m.get("validate")
            if v:
                path = v["source"].rsplit(":", 1)[0]
                key = f"{path}:{v['class'].rsplit('.', 1)[1]}.validate"
                slot = found.setdefault(key, {"sources": {}, "models": set()})
                slot["sources"][release] = v["source"]
                slot["models"].add(label)
            for name, fld in (m.get("fields") or {}).items():
                src = fld.get("validate_method") if isinstance(fld, dict) else None
                if src:
                    key = f"{src.rsplit(':', 1)[0]}:validate_{name}"
                    slot = found.setdefault(key, {"sources": {}, "models": set()})
                    slot["sources"][release] = src
                    slot["models"].add(f"{label}.{name}")
    return found


def load_verdicts(path):
    verdicts = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if line.startswith("#") or not line.strip():
                continue
            key, _, verdict = line.partition("\t")
            verdicts[key] = verdict
    return verdicts


def document(inputs, verdicts):
    """docs/serializers.md: every method, where it is per release, and its verdict."""
    found = methods(inputs)
    releases = sorted(inputs, key=release_key)
    lines = [
        "# Serializer methods a blueprint reaches",
        "",
        "<!-- @generated by scripts/gen-validators.py from knowledge/serializers/*.json and",
        "     knowledge/serializers/verdicts.tsv; edit the verdicts there -->",
        "",
        "Authentik's importer hands each entry to the model's serializer, whose hand-written",
        "`validate()` and `validate_<field>()` methods can refuse it. This page lists every",
        "such method of the serializers a blueprint can use, in the releases whose",
        f"serializers were recorded ({', '.join(releases)}), with what bplint does about it:",
        "the rule that checks it, or why the files alone cannot decide it.",
        "",
        f"{sum(1 for k in found if k in verdicts and verdicts[k].startswith('BP'))} of {len(found)} "
        "methods are checked by a rule.",
        "",
        "| method | models (fields) | where | verdict |",
        "|---|---|---|---|",
    ]
    missing = []
    for key in sorted(found):
        slot = found[key]
        where = "; ".join(f"{r}: `{src}`" for r, src in sorted(slot["sources"].items(), key=lambda x: release_key(x[0])))
        models = ", ".join(f"`{m}`" for m in sorted(slot["models"])[:4])
        if len(slot["models"]) > 4:
            models += f" and {len(slot['models']) - 4} more"
        verdict = verdicts.get(key)
        if verdict is None:
            missing.append(key)
            verdict = "**no verdict yet**"
        lines.append(f"| `{key.split(':', 1)[1]}` | {models} | {where} | {verdict} |")
    return "\n".join(lines) + "\n", missing


def load(folder):
    inputs = {}
    for path in sorted(folder.glob("*.json")):
        inputs[path.stem] = json.loads(path.read_text())
    return inputs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the Rust file is stale")
    parser.add_argument("--input", type=Path, default=INPUT)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    inputs = load(args.input)
    text = generate(inputs)
    doc, missing = document(inputs, load_verdicts(args.input / "verdicts.tsv"))
    if missing:
        print(
            "serializer methods without a verdict in knowledge/serializers/verdicts.tsv:\n  "
            + "\n  ".join(missing),
            file=sys.stderr,
        )
    if args.check:
        stale = [p for p, t in ((args.output, text), (DOC, doc)) if not p.exists() or p.read_text() != t]
        for path in stale:
            print(f"{path} is stale: run python3 scripts/gen-validators.py", file=sys.stderr)
        return 1 if stale or missing else 0
    args.output.write_text(text)
    DOC.write_text(doc)
    print(f"{len(text)} bytes -> {args.output.relative_to(ROOT)}; {DOC.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
