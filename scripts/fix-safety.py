#!/usr/bin/env python3
"""What PyYAML makes of a fix, for tests/fix_safety.rs.

Reads one JSON list of cases on standard input, each
`{"id": ..., "before": TEXT, "after": TEXT, "edits": [[start, end, text], ...]}`
with edit ranges as character offsets into `before`, and prints one JSON object per
case: whether `before` and `after` load, every path of the loaded data that
changed outside the nodes the edits touch (`outside`), and the aliases an edit
rewrites (`alias_edits`).

The loader is PyYAML's SafeLoader (what Authentik's importer builds on) with a
permissive constructor for every local tag (`!Find`, `!KeyOf`, ...): a tagged
node loads as `{"!Tag": value}`, so the data can be compared without knowing
what each tag means. `--dump FILE` prints a file's data as canonical JSON.

A changed path is announced when it lies under the node an edit falls in (the
smallest node whose text holds the edit; for a mapping key, its mapping), or
under any path holding that same node: PyYAML shares an anchored node with its
aliases, so editing the anchor may change every alias.
"""

import json
import sys

import yaml


class Tagged:
    """A node with a local tag, kept as tag and constructed value."""

    def __init__(self, tag, value):
        self.tag = tag
        self.value = value

    def __eq__(self, other):
        return isinstance(other, Tagged) and (self.tag, self.value) == (other.tag, other.value)

    def __hash__(self):
        return hash((self.tag, repr(self.value)))

    def __repr__(self):
        return f"{{{self.tag!r}: {self.value!r}}}"


class PermissiveLoader(yaml.SafeLoader):
    pass


def construct_tagged(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return Tagged("!" + suffix, value)


PermissiveLoader.add_multi_constructor("!", construct_tagged)


def plain(data):
    """The data with tags as `{"!Tag": value}`, for JSON."""
    if isinstance(data, Tagged):
        return {data.tag: plain(data.value)}
    if isinstance(data, dict):
        return {str(k): plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [plain(v) for v in data]
    return data


def documents(text):
    """Each document's node and data."""
    loader = PermissiveLoader(text)
    try:
        out = []
        while loader.check_node():
            node = loader.get_node()
            out.append((node, loader.construct_document(node)))
        return out
    finally:
        loader.dispose()


def key_of(loader, node):
    try:
        return repr(loader.construct_object(node, deep=True))
    except Exception:
        return repr(("unhashable", node.start_mark.index))


def index_nodes(text, docs):
    """Spans of every node (`(start, end, depth, node, path)`, keys with their
    mapping's path and node) and the node at each path."""
    loader = PermissiveLoader("")
    spans, at = [], {}

    def walk(node, path, depth, stack):
        if id(node) in stack:
            return
        at.setdefault(path, node)
        spans.append((node.start_mark.index, node.end_mark.index, depth, node, path))
        stack = stack | {id(node)}
        if isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, path + (repr(i),), depth + 1, stack)
        elif isinstance(node, yaml.MappingNode):
            merged = []
            for key, value in node.value:
                spans.append((key.start_mark.index, key.end_mark.index, depth + 1, node, path))
                if key.tag == "tag:yaml.org,2002:merge":
                    merged += value.value if isinstance(value, yaml.SequenceNode) else [value]
                    walk(value, path + ("<<",), depth + 1, stack)
                    continue
                walk(value, path + (key_of(loader, key),), depth + 1, stack)
            # Merged keys appear in the mapping's data under its own path.
            for source in merged:
                if isinstance(source, yaml.MappingNode):
                    for key, value in source.value:
                        child = path + (key_of(loader, key),)
                        if child not in at:
                            walk(value, child, depth + 1, stack)

    for i, (node, _) in enumerate(docs):
        walk(node, (repr(i),), 0, frozenset())
    return spans, at


def block_indent(text):
    """The indentation of a block insertion (`\n    key: value`), else None."""
    if not text.startswith(("\n", "\r\n")):
        return None
    line = text.lstrip("\r\n")
    return len(line) - len(line.lstrip(" "))


def touched(spans, start, end, replacement):
    """The node and path an edit falls in: the smallest node holding it (an
    insertion strictly inside), the deepest on ties. A block insertion joins the
    smallest such collection whose keys or `- ` items sit at its indentation (at
    the end of a last value, the offset is also inside the nested values)."""
    indent = block_indent(replacement) if start == end else None
    best = None
    for s, e, depth, node, path in spans:
        inside = s < start and end < e if start == end else s <= start and end <= e
        if indent is not None and not (
            isinstance(node, (yaml.MappingNode, yaml.SequenceNode))
            and not node.flow_style
            and node.start_mark.column == indent
            and s == node.start_mark.index
        ):
            continue
        if inside:
            rank = (e - s, -depth)
            if best is None or rank < best[0]:
                best = (rank, node, path)
    return (None, ()) if best is None else best[1:]


def differences(a, b, path, out):
    if isinstance(a, Tagged) and isinstance(b, Tagged) and a.tag == b.tag:
        differences(a.value, b.value, path, out)
    elif type(a) is not type(b):
        out.append(path)
    elif isinstance(a, dict):
        ka = {repr(k): k for k in a}
        kb = {repr(k): k for k in b}
        for k in sorted(set(ka) | set(kb)):
            if k in ka and k in kb:
                differences(a[ka[k]], b[kb[k]], path + (k,), out)
            else:
                out.append(path + (k,))
    elif isinstance(a, list):
        if len(a) != len(b):
            out.append(path)
        else:
            for i, (x, y) in enumerate(zip(a, b)):
                differences(x, y, path + (repr(i),), out)
    elif a != b and not (a != a and b != b):
        out.append(path)


def judge(case):
    result = {"id": case["id"], "before_loads": True, "loads": True, "outside": []}
    try:
        before = documents(case["before"])
    except yaml.YAMLError as e:
        result["before_loads"] = False
        result["error"] = str(e)
        return result
    try:
        after = documents(case["after"])
    except yaml.YAMLError as e:
        result["loads"] = False
        result["error"] = str(e)
        return result
    # An edit on an alias rewrites what the alias stands for (quoting `*perm`
    # makes the string "*perm"): only an edit that removes more than the alias
    # (a whole entry holding it) may touch one.
    aliases = [(e.start_mark.index, e.end_mark.index)
               for e in yaml.parse(case["before"], Loader=PermissiveLoader)
               if isinstance(e, yaml.AliasEvent)]
    result["alias_edits"] = [
        case["before"][a:b] for start, end, _ in case["edits"] for a, b in aliases
        if start < b and a < end and not (start <= a and b <= end and end - start > b - a)
    ]
    spans, at = index_nodes(case["before"], before)
    announced = [touched(spans, *edit) for edit in case["edits"]]
    nodes = {id(node) for node, _ in announced if node is not None}
    changed = []
    if len(before) != len(after):
        changed.append(())
    for i, ((_, a), (_, b)) in enumerate(zip(before, after)):
        differences(a, b, (repr(i),), changed)
    for path in changed:
        if any(path[: len(p)] == p for _, p in announced):
            continue
        prefixes = (path[:n] for n in range(len(path), 0, -1))
        if any(id(at.get(p)) in nodes for p in prefixes if p in at):
            continue
        result["outside"].append("/".join(path))
    return result


def main():
    if sys.argv[1:2] == ["--dump"]:
        with open(sys.argv[2], encoding="utf-8") as f:
            data = [d for _, d in documents(f.read())]
        print(json.dumps(plain(data), sort_keys=True, default=str, indent=1))
        return
    for case in json.load(sys.stdin):
        try:
            result = judge(case)
        except Exception as e:  # a crash here is a finding, not a skip
            result = {"id": case["id"], "before_loads": True, "loads": False,
                      "outside": [], "alias_edits": [],
                      "error": f"{type(e).__name__}: {e}"}
        print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
