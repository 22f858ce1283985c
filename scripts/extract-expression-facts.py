#!/usr/bin/env python3
"""Record, per Authentik release line, what an expression may import and name.

Authentik runs policy and property-mapping expressions with `exec` (see
authentik/lib/expression/evaluator.py): the text becomes the body of a function
whose parameters are the evaluator's context, run with the evaluator's globals and
Python's builtins. An `import` in it imports from the server's own environment.
bplint judges two things from that (rules BP226 and BP227), and this script
records the facts they need, each with the file it was read from:

  * every module of the `authentik` package at the line's newest release tag and
    the names bound at its top level (what `from authentik.x import y` can take);
  * the names an expression policy can use without defining them: the globals of
    `BaseEvaluator.__init__`, the context `PolicyEvaluator` fills in, and, for
    property mappings, the context `PropertyMappingEvaluator.set_context` fills in;
    their callers add keyword arguments per mapping kind, so for mappings the
    table also holds every name any module of any release could pass (`K`);
  * Python's builtins and standard-library module names of the interpreter that
    runs this script, and, for the releases installed by the oracle
    (../shared/oracle), the top-level modules of their environment.

Everything is read with `ast` from `git show` of the release tag, never imported.
A module Python cannot parse is recorded as `open` (its names are not judged).
Tests and migrations are left out: an expression has no business importing them,
and bplint stays quiet about modules it did not record under those paths.

Usage:
  python3 scripts/extract-expression-facts.py --mirror <authentik git dir> \\
      [--oracle-root /opt/ak-oracle] [--out knowledge/expressions.tsv]
Run it with the Python of Authentik's newest release (3.13), so that every module
parses. The output is deterministic: running it twice gives the same bytes.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENERATED = os.path.join(ROOT, "src", "knowledge", "generated.rs")

# The evaluator files, relative to the repository root, and what is read from each.
BASE_EVALUATOR = "authentik/lib/expression/evaluator.py"
POLICY_EVALUATOR = "authentik/policies/expression/evaluator.py"
MAPPING_EVALUATOR = "authentik/core/expression/evaluator.py"


def release_lines(generated: str) -> list[str]:
    """The release lines bplint embeds, oldest first, from its generated table."""
    return re.findall(r'VersionDef \{ name: "([0-9.]+)"', generated)


def newest_tag(tags: list[str], line: str) -> str | None:
    """The newest final (not -rc) `version/<line>.N` tag."""
    best: tuple[int, str] | None = None
    for tag in tags:
        m = re.fullmatch(r"version/" + re.escape(line) + r"\.(\d+)", tag)
        if m and (best is None or int(m.group(1)) > best[0]):
            best = (int(m.group(1)), tag)
    return best[1] if best else None


def module_name(path: str) -> str | None:
    """`authentik/core/models.py` -> `authentik.core.models`; packages by their
    `__init__.py`; `None` for tests, migrations and files that are not modules."""
    if not path.endswith(".py"):
        return None
    parts = path[:-3].split("/")
    if any(p in ("tests", "migrations") or p.startswith("test_") for p in parts):
        return None
    if parts[-1] in ("tests", "test"):
        return None
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


def _bind_target(target: ast.AST, names: set[str]) -> None:
    if isinstance(target, ast.Name):
        names.add(target.id)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            _bind_target(elt, names)
    elif isinstance(target, ast.Starred):
        _bind_target(target.value, names)


def top_level_names(source: str) -> tuple[set[str], bool] | None:
    """The names a module binds at its top level (also inside top-level `if`,
    `try` and `with` blocks), and whether it has a `from x import *` (then its
    names are open). `None` when Python cannot parse it."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    names: set[str] = set()
    star = False

    def walk(body: list[ast.stmt]) -> None:
        nonlocal star
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(stmt.name)
            elif isinstance(stmt, ast.Assign):
                for t in stmt.targets:
                    _bind_target(t, names)
            elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
                _bind_target(stmt.target, names)
            elif isinstance(stmt, ast.Import):
                for alias in stmt.names:
                    names.add(alias.asname or alias.name.split(".")[0])
            elif isinstance(stmt, ast.ImportFrom):
                for alias in stmt.names:
                    if alias.name == "*":
                        star = True
                    else:
                        names.add(alias.asname or alias.name)
            elif isinstance(stmt, ast.If):
                walk(stmt.body)
                walk(stmt.orelse)
            elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
                walk(stmt.body)
                for handler in stmt.handlers:
                    if handler.name:
                        names.add(handler.name)
                    walk(handler.body)
                walk(stmt.orelse)
                walk(stmt.finalbody)
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                for item in stmt.items:
                    if item.optional_vars is not None:
                        _bind_target(item.optional_vars, names)
                walk(stmt.body)
            elif isinstance(stmt, (ast.For, ast.AsyncFor)):
                _bind_target(stmt.target, names)
                walk(stmt.body)
                walk(stmt.orelse)
            elif isinstance(stmt, ast.While):
                walk(stmt.body)
                walk(stmt.orelse)
            elif type(stmt).__name__ == "TypeAlias":
                _bind_target(stmt.name, names)  # type: ignore[attr-defined]
    walk(tree.body)
    return names, star


def _string_key(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def evaluator_names(source: str, cls: str, attribute: str) -> list[str]:
    """The string keys class `cls` puts into `self.<attribute>`: keys of a dict
    literal assigned to it, `self.<attribute>["key"] = ...` and
    `self.<attribute>.update(key=...)` / `.update({"key": ...})`, in any method."""
    tree = ast.parse(source)
    keys: set[str] = set()

    def is_self_attr(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Attribute)
            and node.attr == attribute
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
        )

    for klass in tree.body:
        if not (isinstance(klass, ast.ClassDef) and klass.name == cls):
            continue
        for node in ast.walk(klass):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if is_self_attr(target) and isinstance(node.value, ast.Dict):
                        keys.update(k for k in map(_string_key, node.value.keys) if k)
                    if isinstance(target, ast.Subscript) and is_self_attr(target.value):
                        key = _string_key(target.slice)
                        if key:
                            keys.add(key)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "update"
                and is_self_attr(node.func.value)
            ):
                keys.update(k.arg for k in node.keywords if k.arg)
                for arg in node.args:
                    if isinstance(arg, ast.Dict):
                        keys.update(k for k in map(_string_key, arg.keys) if k)
    return sorted(keys)


def git(mirror: str, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", mirror, *args], check=True, capture_output=True, text=True
    ).stdout


def read_blobs(mirror: str, tag: str, paths: list[str]) -> dict[str, str]:
    """The text of `paths` at `tag`, through one `git cat-file --batch`."""
    request = "".join(f"{tag}:{p}\n" for p in paths).encode()
    out = subprocess.run(
        ["git", "-C", mirror, "cat-file", "--batch"],
        input=request,
        check=True,
        capture_output=True,
    ).stdout
    texts: dict[str, str] = {}
    at = 0
    for path in paths:
        header_end = out.index(b"\n", at)
        header = out[at:header_end].split()
        size = int(header[2])
        body = out[header_end + 1 : header_end + 1 + size]
        texts[path] = body.decode("utf-8", errors="replace")
        at = header_end + 1 + size + 1
    return texts


# `name=` (a keyword argument, or an assignment) and a quoted identifier.
KEYWORD = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)")
QUOTED = re.compile(r"""["']([A-Za-z_][A-Za-z0-9_]*)["']""")


def passable_names(text: str) -> set[str]:
    """Every name a module of Authentik could hand a property mapping as context:
    a keyword argument (`evaluate(provider=...)`) or a string key (`{"info": ...}`,
    `context_keys = ["user"]`). Read from the raw text, so that a module Python
    cannot parse still counts; it over-collects on purpose (any `name =` counts)."""
    return set(KEYWORD.findall(text)) | set(QUOTED.findall(text))


def modules_at(
    mirror: str, tag: str, passable: set[str] | None = None
) -> dict[str, tuple[list[str], bool] | None]:
    """Every recorded module of the `authentik` package at `tag`; adds to
    `passable` the names its modules could pass a property mapping."""
    files = git(mirror, "ls-tree", "-r", "--name-only", tag, "--", "authentik").split("\n")
    wanted = {p: m for p in files if (m := module_name(p))}
    texts = read_blobs(mirror, tag, sorted(wanted))
    if passable is not None:
        for text in texts.values():
            passable |= passable_names(text)
    modules: dict[str, tuple[list[str], bool] | None] = {}
    for path, name in wanted.items():
        parsed = top_level_names(texts[path])
        modules[name] = None if parsed is None else (sorted(parsed[0]), parsed[1])
    # A package's submodules are importable from it (`from authentik.core import models`).
    for name in list(modules):
        parent, _, child = name.rpartition(".")
        if parent in modules and modules[parent] is not None:
            names, star = modules[parent]  # type: ignore[misc]
            if child not in names:
                modules[parent] = (sorted([*names, child]), star)
    return modules


def environment_modules(python: str) -> list[str]:
    """Top-level importable modules of an installed environment (its site-packages
    and the standard library), asked of that environment's own interpreter."""
    code = (
        "import pkgutil, sys\n"
        "names = {m.name for m in pkgutil.iter_modules()} | set(sys.builtin_module_names)"
        " | set(sys.stdlib_module_names)\n"
        "print('\\n'.join(sorted(n for n in names if n.isidentifier())))\n"
    )
    out = subprocess.run(
        [python, "-I", "-c", code], check=True, capture_output=True, text=True, cwd="/"
    )
    return out.stdout.split()


def spans(indexes: list[int]) -> str:
    """`[0, 1, 2, 5]` -> `0-2,5`: release-line indexes, short."""
    runs: list[tuple[int, int]] = []
    for i in indexes:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def render(
    lines: list[tuple[str, str | None]],
    per_line: dict,
    context: dict,
    env: dict,
    passable: set[str] | None = None,
) -> str:
    """The TSV bplint embeds. Rows:
    `L <line> <tag or ->`                     one per release line, in order;
    `B <names>`                               Python builtins;
    `G <lines> <names>`                       base evaluator globals (source in a comment);
    `P <lines> <names>` / `M <lines> <names>` policy / property-mapping context;
    `E <line> <names>`                        modules of the oracle's environment;
    `K <names>`                               names any release's code could pass a
                                              property mapping (see `passable_names`);
    `m <module> <lines> <unjudged lines or -> <names>`   a module: the release
    lines (indexes, `0-2,5`) that have it, those where its names are not known
    (Python could not parse it, or it has `import *`), and the names it binds at
    the top level; `name:<lines>` when a name is not bound in all of them."""
    out = [
        "# What an Authentik expression may import and name, per release line.",
        "# Generated by scripts/extract-expression-facts.py; do not edit.",
        f"# Modules: the `authentik` package read with ast at each tag (tests and migrations left out).",
        f"# Globals: {BASE_EVALUATOR} BaseEvaluator; policy context: {POLICY_EVALUATOR}"
        f" PolicyEvaluator; mapping context: {MAPPING_EVALUATOR} PropertyMappingEvaluator.",
        f"# Builtins and environment modules: Python {sys.version_info[0]}.{sys.version_info[1]}"
        " and the oracle's installed releases.",
    ]
    for line, tag in lines:
        out.append(f"L\t{line}\t{tag or '-'}")
    out.append("B\t" + " ".join(sorted(n for n in dir(__builtins__) if n.isidentifier())))
    for kind in ("G", "P", "M"):
        groups: dict[tuple[str, ...], list[int]] = {}
        for i, (line, tag) in enumerate(lines):
            if tag and kind in context.get(line, {}):
                groups.setdefault(tuple(context[line][kind]), []).append(i)
        for names, idx in sorted(groups.items(), key=lambda g: g[1]):
            out.append(f"{kind}\t{spans(idx)}\t{' '.join(names)}")
    if passable:
        out.append("K\t" + " ".join(sorted(passable)))
    for line, names in sorted(env.items()):
        out.append(f"E\t{line}\t{' '.join(names)}")
    modules = sorted({m for mods in per_line.values() for m in mods})
    for module in modules:
        present: list[int] = []
        unjudged: list[int] = []
        holders: dict[str, list[int]] = {}
        for i, (line, _) in enumerate(lines):
            mods = per_line.get(line)
            if mods is None or module not in mods:
                continue
            present.append(i)
            entry = mods[module]
            if entry is None or entry[1]:
                unjudged.append(i)
                continue
            for name in entry[0]:
                holders.setdefault(name, []).append(i)
        judged = [i for i in present if i not in unjudged]
        names = [
            name if where == judged else f"{name}:{spans(where)}"
            for name, where in sorted(holders.items())
        ]
        out.append(
            f"m\t{module}\t{spans(present)}\t{spans(unjudged) or '-'}\t{' '.join(names)}"
        )
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirror", required=True, help="git directory of Authentik's repository")
    parser.add_argument("--oracle-root", default="/opt/ak-oracle")
    parser.add_argument("--out", default=os.path.join(ROOT, "knowledge", "expressions.tsv"))
    args = parser.parse_args()
    with open(GENERATED, encoding="utf-8") as f:
        line_names = release_lines(f.read())
    tags = git(args.mirror, "tag", "-l", "version/*").split()
    lines = [(line, newest_tag(tags, line)) for line in line_names]
    per_line: dict = {}
    context: dict = {}
    passable: set[str] = set()
    for line, tag in lines:
        if tag is None:
            print(f"{line}: no release tag in the mirror; its expressions are not judged", file=sys.stderr)
            continue
        per_line[line] = modules_at(args.mirror, tag, passable)
        texts = read_blobs(args.mirror, tag, [BASE_EVALUATOR, POLICY_EVALUATOR, MAPPING_EVALUATOR])
        context[line] = {
            "G": evaluator_names(texts[BASE_EVALUATOR], "BaseEvaluator", "_globals"),
            "P": evaluator_names(texts[POLICY_EVALUATOR], "PolicyEvaluator", "_context"),
            "M": sorted(
                set(evaluator_names(texts[MAPPING_EVALUATOR], "PropertyMappingEvaluator", "_context"))
                | set(evaluator_names(texts[MAPPING_EVALUATOR], "PropertyMappingEvaluator", "_globals"))
            ),
        }
        print(f"{line}: {tag}, {len(per_line[line])} modules", file=sys.stderr)
    env: dict[str, list[str]] = {}
    for line, tag in lines:
        if not tag:
            continue
        python = os.path.join(args.oracle_root, f"venv-{tag.removeprefix('version/')}", "bin", "python3")
        if os.path.exists(python):
            env[line] = environment_modules(python)
    text = render(lines, per_line, context, env, passable)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {args.out}: {len(text)} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
