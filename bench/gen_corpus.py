#!/usr/bin/env python3
"""Generate a corpus of N Authentik blueprints for the whole-process comparison.

The files are copies of real blueprints: Authentik's own releases and the
third-party corpus under the shared reference folder. Each copy gets its own
names, so the set has no duplicate-name findings beyond those of the originals
and references still resolve: every string identifier an entry defines (name,
slug, managed, ...), every `metadata.name` and every entry `id` gets the suffix
`-c<copy>g<group>`, and so does each reference to them (`!Find` conditions,
attrs repeating an identifier, `!KeyOf`, `metaapplyblueprint` names); UUIDs and
integer primary keys that identify entries are replaced by per-copy ones.
Blueprints embedded in a literal block scalar (ConfigMap `data`, an operator's
`spec.blueprint`) are renamed too. Objects that were Authentik's own built-ins
are new objects in a copy, so a copy has a few more findings of that kind
(BP103, BP204) than its original.

Sources are grouped (one group per Authentik release folder, one per corpus
repository): names are renamed consistently within a copy of a group, as the
blueprints of one repository refer to each other. Copies are made group by group
until N files exist; the last group may be cut short.

Usage: bench/gen_corpus.py OUT_DIR [--count 10000] [--shared ../shared]
"""

import argparse
import collections
import pathlib
import re
import sys
import uuid

import yaml

UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
# Identifier fields that hold names; others (`intent`, `mode`) hold enum values a
# suffix would make invalid.
NAME_FIELDS = {"name", "slug", "managed", "username", "domain", "identifier", "key", "label", "field_key"}
MAP = yaml.MappingNode
SEQ = yaml.SequenceNode
SCALAR = yaml.ScalarNode


def sources(shared):
    """(group, relative path, text) of every source blueprint file."""
    out = []
    authentik = shared / "authentik"
    for release in sorted(p for p in authentik.iterdir() if p.is_dir() and p.name != "openapi"):
        for path in sorted(release.rglob("*")):
            if path.suffix in (".yaml", ".yml") and path.is_file():
                out.append((f"authentik-{release.name}", path.relative_to(release), path))
    tsv = shared / "corpus" / "SOURCES.tsv"
    for row in tsv.read_text().splitlines()[1:]:
        name, repo = row.split("\t")[:2]
        path = shared / "corpus" / "files" / name
        if path.suffix in (".yaml", ".yml") and path.is_file():
            out.append((repo.replace("/", "__"), pathlib.Path(name), path))
    return [(g, rel, p.read_text(encoding="utf-8")) for g, rel, p in out]


def compose(text):
    """The documents of `text` as PyYAML nodes (tags kept, nothing constructed)."""
    try:
        return [d for d in yaml.compose_all(text, Loader=yaml.SafeLoader) if d is not None]
    except yaml.YAMLError:
        return None


def get(node, key):
    if isinstance(node, MAP):
        for k, v in node.value:
            if isinstance(k, SCALAR) and k.value == key:
                return v
    return None


def is_name(node):
    """A one-line string scalar that a suffix keeps a string (not a UUID)."""
    return (
        isinstance(node, SCALAR)
        and node.tag == STR
        and node.style in (None, "", "'", '"')
        and "\n" not in node.value
        and node.value != ""
        and not UUID.match(node.value)
    )


class Blueprint:
    """Where the names sit in one blueprint document (positions in its own text)."""

    def __init__(self, root):
        self.root = root

    def entries(self):
        entries = get(self.root, "entries")
        if isinstance(entries, SEQ):
            return [e for e in entries.value if isinstance(e, MAP)]
        if isinstance(entries, MAP):
            return [e for _, s in entries.value if isinstance(s, SEQ) for e in s.value if isinstance(e, MAP)]
        return []

    def defines(self, defined):
        name = get(get(self.root, "metadata"), "name")
        if name is not None and is_name(name):
            defined.add(("metadata.name", name.value))
        for entry in self.entries():
            ids = get(entry, "identifiers")
            if isinstance(ids, MAP):
                for k, v in ids.value:
                    if not isinstance(k, SCALAR):
                        continue
                    if k.value in NAME_FIELDS and is_name(v):
                        defined.add((k.value, v.value))
                    elif is_uuid(v):
                        defined.add(("uuid", v.value))
                    elif k.value == "pk" and is_int(v):
                        defined.add(("pk", v.value))

    def sites(self, defined):
        """(scalar node, how to vary it): "name" gets the suffix, "uuid" becomes
        another UUID, "int" another integer."""
        out = []
        name = get(get(self.root, "metadata"), "name")
        if name is not None and is_name(name):
            out.append((name, "name"))
        for entry in self.entries():
            entry_id = get(entry, "id")
            if entry_id is not None and is_name(entry_id):
                out.append((entry_id, "name"))
            for section in ("identifiers", "attrs"):
                fields = get(entry, section)
                if not isinstance(fields, MAP):
                    continue
                for k, v in fields.value:
                    if isinstance(k, SCALAR) and is_name(v) and (k.value, v.value) in defined:
                        out.append((v, "name"))
                    elif isinstance(k, SCALAR) and k.value == "pk" and is_int(v) and ("pk", v.value) in defined:
                        out.append((v, "int"))
            model = get(entry, "model")
            if model is not None and model.value == "authentik_blueprints.metaapplyblueprint":
                target = get(get(get(entry, "attrs"), "identifiers"), "name")
                if target is not None and is_name(target) and ("metadata.name", target.value) in defined:
                    out.append((target, "name"))
        walk(self.root, defined, out)
        return out


def walk(node, defined, out, depth=0):
    """`!Find` condition values naming a defined object, `!KeyOf` ids, and every
    UUID some entry is identified by."""
    if depth > 100:
        return
    if node.tag in ("!Find", "!FindObject") and isinstance(node, SEQ):
        for cond in node.value[1:]:
            if isinstance(cond, SEQ) and len(cond.value) == 2:
                field, value = cond.value
                if not isinstance(field, SCALAR):
                    continue
                key = field.value.split("__")[0]
                if is_name(value) and (key, value.value) in defined:
                    out.append((value, "name"))
                elif key == "pk" and is_int(value) and ("pk", value.value) in defined:
                    out.append((value, "int"))
    if node.tag == "!KeyOf" and is_name_tagged(node):
        out.append((node, "name"))
    if is_uuid(node) and ("uuid", node.value) in defined:
        out.append((node, "uuid"))
    if isinstance(node, SEQ):
        for child in node.value:
            walk(child, defined, out, depth + 1)
    elif isinstance(node, MAP):
        for k, v in node.value:
            walk(k, defined, out, depth + 1)
            walk(v, defined, out, depth + 1)


def is_uuid(node):
    return isinstance(node, SCALAR) and node.tag == STR and node.style in (None, "", "'", '"') and bool(UUID.match(node.value))


def is_int(node):
    return isinstance(node, SCALAR) and node.tag == INT and node.style in (None, "") and node.value.isdigit()


def is_name_tagged(node):
    return isinstance(node, SCALAR) and node.style in (None, "", "'", '"') and node.value and "\n" not in node.value


def embedded(root, text):
    """Blueprints in literal block scalars (ConfigMap `data`, `spec.blueprint`):
    (blueprint root, function mapping its marks to offsets in `text`)."""
    out = []
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def visit(node, depth=0):
        if depth > 50:
            return
        if isinstance(node, SCALAR) and node.style == "|" and "entries:" in node.value:
            docs = compose(node.value)
            if not docs:
                return
            # The content starts on the line after the `|` header; every content
            # line carries the same indentation.
            first = node.start_mark.line + 1
            lines = text[line_starts[first]:].split("\n", 1)[0] if first < len(line_starts) else ""
            indent = len(lines) - len(lines.lstrip(" "))

            def position(mark, first=first, indent=indent):
                return line_starts[first + mark.line] + indent + mark.column

            out.extend((d, position) for d in docs if isinstance(d, MAP))
        elif isinstance(node, SEQ):
            for child in node.value:
                visit(child, depth + 1)
        elif isinstance(node, MAP):
            for _, v in node.value:
                visit(v, depth + 1)

    visit(root)
    return out


def blueprints_of(text):
    """(Blueprint, mark -> offset) for every blueprint in the file, or None."""
    docs = compose(text)
    if docs is None:
        return None
    out = []
    for doc in docs:
        if get(doc, "entries") is not None or (get(doc, "version") is not None and get(doc, "metadata") is not None):
            out.append((Blueprint(doc), lambda m: m.index))
        else:
            out.extend((Blueprint(d), pos) for d, pos in embedded(doc, text))
    return out


def plan(files):
    """Per file: the edits that vary it, as (start, end, how, original text),
    sorted by position."""
    by_group = collections.defaultdict(list)
    for i, (group, _, text) in enumerate(files):
        by_group[group].append(i)
    edits = [[] for _ in files]
    for members in by_group.values():
        parsed = {i: blueprints_of(files[i][2]) for i in members}
        defined = set()
        for bps in parsed.values():
            for bp, _ in bps or []:
                bp.defines(defined)
        for i, bps in parsed.items():
            at = {}
            for bp, position in bps or []:
                for node, how in bp.sites(defined):
                    # Single-line scalars without escapes: the value is the text
                    # before the end mark (and its closing quote).
                    end = position(node.end_mark) - (1 if node.style in ("'", '"') else 0)
                    start = end if how == "name" else end - len(node.value)
                    at[start, end] = (how, node.value)
            edits[i] = sorted((start, end, how, value) for (start, end), (how, value) in at.items())
    return by_group, edits


def varied(text, edits, copy, group):
    """`text` with this copy's names, UUIDs and integer keys."""
    parts = []
    last = 0
    for start, end, how, value in edits:
        parts.append(text[last:start])
        if how == "name":
            parts.append(f"-c{copy}g{group}")
        elif how == "uuid":
            new = str(uuid.uuid5(uuid.NAMESPACE_OID, f"{value}/{copy}/{group}"))
            parts.append(new if "-" in value else new.replace("-", ""))
        else:
            parts.append(str(int(value) + (copy * 1000 + group + 1) * 1_000_000))
        last = end
    parts.append(text[last:])
    return "".join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--shared", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parents[2] / "shared")
    args = parser.parse_args()
    if not (args.shared / "authentik").is_dir():
        sys.exit(f"no reference blueprints under {args.shared}; pass --shared")
    files = sources(args.shared)
    by_group, edits = plan(files)
    groups = sorted(by_group)
    written = 0
    copy = 0
    while written < args.count:
        for g, group in enumerate(groups):
            for i in by_group[group]:
                if written == args.count:
                    break
                _, rel, text = files[i]
                path = args.out / f"c{copy:04d}" / group / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(varied(text, edits[i], copy, g), encoding="utf-8")
                written += 1
        copy += 1
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"{written} files, {size / 1e6:.1f} MB, {copy} copies of {len(files)} sources in {args.out}")


if __name__ == "__main__":
    main()
