#!/usr/bin/env python3
"""Record and embed the objects Authentik's startup code creates.

Some built-in objects come from no blueprint: Authentik's apps create them when a
worker starts (the `reconcile_*` methods of each app's `apps.py`, run for every
tenant or once) or from a task that runs at startup (the outpost service
connections). A `!Find` of one of them finds it on every install, so bplint counts
them as built-ins.

Two steps, like gen-validators.py:

    # read Authentik's code at each release tag and write knowledge/startup.json
    python3 scripts/gen-startup.py --record --authentik-repo /path/to/authentik.git
    # write src/knowledge/startup_generated.rs from knowledge/startup.json
    python3 scripts/gen-startup.py
    # exit 1 if the Rust table is stale (and, with --authentik-repo, the record too)
    python3 scripts/gen-startup.py --check [--authentik-repo ...]

The record keeps, for every object and every release line, the tag read, the file,
the line of the create call, the function holding it and the condition around it,
so each fact can be looked up in Authentik's code. The reading is static (Python's
`ast`): only literal values, module constants, local assignments and class
constants of the models (`Source.MANAGED_INBUILT`) are resolved; a value computed at
run time (a generated key, a hostname) is left out, since no blueprint can look it up.
The output is deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "knowledge" / "startup.json"
OUTPUT = ROOT / "src" / "knowledge" / "startup_generated.rs"
KNOWLEDGE = ROOT / "src" / "knowledge" / "generated.rs"

CREATE_METHODS = ("update_or_create", "get_or_create", "create")

# Tasks Authentik runs when a worker starts, besides the reconcilers: (file, function,
# where the code says it runs at startup). Checked at every tag: a task that is gone
# is reported, not silently skipped.
STARTUP_TASKS = (
    (
        "authentik/outposts/tasks.py",
        "outpost_connection_discovery",
        "authentik/root/celery.py (worker_ready) up to 2025.6; "
        "ScheduleSpec(send_on_startup=True) in authentik/outposts/apps.py from 2025.8",
    ),
)


class Tree:
    """Files of one release tag, read through `git cat-file --batch`."""

    def __init__(self, git_dir: str, tag: str):
        self.git_dir = git_dir
        self.tag = tag
        self._cache: dict[str, str | None] = {}
        listing = subprocess.run(
            ["git", "--git-dir", git_dir, "ls-tree", "-r", "--name-only", tag, "--", "authentik"],
            check=True, capture_output=True, text=True).stdout
        self.paths = sorted(listing.splitlines())

    def read(self, path: str) -> str | None:
        if path not in self._cache:
            out = subprocess.run(["git", "--git-dir", self.git_dir, "show", f"{self.tag}:{path}"],
                                 capture_output=True)
            self._cache[path] = out.stdout.decode("utf-8", "replace") if out.returncode == 0 else None
        return self._cache[path]


class DictTree:
    """A tree made of a dict path -> text (tests)."""

    def __init__(self, files: dict[str, str], tag: str = "version/2099.1.0"):
        self.files = files
        self.tag = tag
        self.paths = sorted(files)

    def read(self, path: str) -> str | None:
        return self.files.get(path)


def parse(tree, path: str) -> ast.Module | None:
    text = tree.read(path)
    if text is None:
        return None
    try:
        return ast.parse(text)
    except SyntaxError:
        return None


def module_path(module: str) -> str:
    return module.replace(".", "/") + ".py"


def app_label(tree, module: str) -> str | None:
    """`authentik_core` for `authentik.core.models`: the `label` of the package's AppConfig."""
    package = module.rsplit(".", 1)[0]
    mod = parse(tree, package.replace(".", "/") + "/apps.py")
    if mod is None:
        return None
    for node in ast.walk(mod):
        if isinstance(node, ast.ClassDef):
            for stmt in node.body:
                if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                        and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == "label"
                        and isinstance(stmt.value, ast.Constant)):
                    return stmt.value.value
    return None


def constants(body) -> dict[str, object]:
    """Names bound to literals by plain assignments in `body`."""
    out = {}
    for stmt in body:
        if (isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None
                and isinstance(stmt.value, ast.Constant)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    out[t.id] = stmt.value.value
    return out


def imports(body) -> dict[str, str]:
    """Local name -> module for `from X import Y` statements in `body` (nested included)."""
    out = {}
    for node in body:
        for sub in ast.walk(node):
            if isinstance(sub, ast.ImportFrom) and sub.module:
                for alias in sub.names:
                    out[alias.asname or alias.name] = sub.module
    return out


class Scope:
    """What a name in one function means: its local literals, the module's constants,
    and the classes it imports (for `Model.objects` and `Model.CONSTANT`)."""

    def __init__(self, tree, module: ast.Module, func: ast.AST):
        self.tree = tree
        self.module_constants = constants(module.body)
        self.local_constants = constants(ast.walk(func))
        self.names = imports(module.body)
        self.names.update(imports(func.body))

    def class_constant(self, cls: str, attr: str):
        module = self.names.get(cls)
        if module is None:
            return None
        mod = parse(self.tree, module_path(module))
        if mod is None:
            return class_constant_in_text(self.tree.read(module_path(module)) or "", cls, attr)
        for node in mod.body:
            if isinstance(node, ast.ClassDef) and node.name == cls:
                return constants(node.body).get(attr)
        return None

    def value(self, node: ast.AST):
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bool, int)):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in self.local_constants:
                return self.local_constants[node.id]
            return self.module_constants.get(node.id)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            return self.class_constant(node.value.id, node.attr)
        return None

    def model(self, cls: str) -> str | None:
        module = self.names.get(cls)
        if module is None:
            return None
        label = app_label(self.tree, module)
        return f"{label}.{cls.lower()}" if label else None


def class_constant_in_text(text: str, cls: str, attr: str):
    """`ATTR = "literal"` in the body of `class Cls`, read from the text: for a models
    file this Python cannot parse (newer syntax, such as PEP 695 generics)."""
    block = re.search(rf"^class {re.escape(cls)}\b.*?:\n((?:[ \t]+.*\n|\n)*)", text, re.M)
    if block is None:
        return None
    found = re.search(rf"^[ \t]+{re.escape(attr)}\s*=\s*(\"[^\"\n]*\"|'[^'\n]*')\s*$", block.group(1), re.M)
    return ast.literal_eval(found.group(1)) if found else None


def as_text(value) -> str:
    """The value as the string Django compares a lookup with (what BuiltinDef holds)."""
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


def create_calls(func: ast.AST):
    """`(call, model class name, conditions)` for every `Model.objects...create(...)` in
    `func`, with the source of the `if` tests around it."""
    found = []

    def visit(node, conditions):
        if isinstance(node, ast.If):
            visit_all([node.test], conditions)
            visit_all(node.body, conditions + [ast.unparse(node.test)])
            visit_all(node.orelse, conditions + [f"not ({ast.unparse(node.test)})"])
            return
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in CREATE_METHODS:
            base = node.func.value
            # Model.objects.create / Model.objects.using(db).update_or_create
            while isinstance(base, ast.Call) and isinstance(base.func, ast.Attribute):
                base = base.func.value
            if isinstance(base, ast.Attribute) and base.attr == "objects" \
                    and isinstance(base.value, ast.Name):
                found.append((node, base.value.id, conditions))
        for child in ast.iter_child_nodes(node):
            visit(child, conditions)

    def visit_all(nodes, conditions):
        for n in nodes:
            visit(n, conditions)

    visit_all(func.body, [])
    return found


def fields_of(call: ast.Call, scope: Scope) -> list[tuple[str, str]]:
    """The literal fields the call gives the object: its lookup keywords first (what
    the object is found by), then `defaults`."""
    lookup, defaults = [], []
    for kw in call.keywords:
        if kw.arg is None:
            continue
        if kw.arg == "defaults" and isinstance(kw.value, ast.Dict):
            for k, v in zip(kw.value.keys, kw.value.values):
                if isinstance(k, ast.Constant) and isinstance(k.value, str):
                    val = scope.value(v)
                    if val is not None:
                        defaults.append((k.value, as_text(val)))
            continue
        val = scope.value(kw.value)
        if val is not None:
            lookup.append((kw.arg, as_text(val)))
    names = {k for k, _ in lookup}
    return lookup + [(k, v) for k, v in defaults if k not in names]


def is_reconciler(func: ast.FunctionDef) -> str | None:
    """`tenant` or `global` when Authentik runs `func` at startup: decorated with
    `ManagedAppConfig.reconcile_tenant/global` (2024.10 on) or named
    `reconcile_tenant_*` / `reconcile_global_*` (before)."""
    for dec in func.decorator_list:
        name = dec.attr if isinstance(dec, ast.Attribute) else getattr(dec, "id", None)
        if name in ("reconcile_tenant", "reconcile_global"):
            return name.split("_", 1)[1]
    for kind in ("tenant", "global"):
        if func.name.startswith(f"reconcile_{kind}_"):
            return kind
    return None


def reachable(module: ast.Module, roots: list[ast.FunctionDef]) -> list[ast.FunctionDef]:
    """`roots` and the functions of the same module they call (`self.helper()`,
    `module_function()`), in order of discovery."""
    by_name: dict[str, ast.FunctionDef] = {}
    for node in ast.walk(module):
        if isinstance(node, ast.FunctionDef):
            by_name.setdefault(node.name, node)
    seen, order, todo = set(), [], list(roots)
    while todo:
        func = todo.pop(0)
        if id(func) in seen:
            continue
        seen.add(id(func))
        order.append(func)
        for sub in ast.walk(func):
            if isinstance(sub, ast.Call):
                f = sub.func
                name = f.id if isinstance(f, ast.Name) else (
                    f.attr if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
                    and f.value.id == "self" else None)
                if name in by_name:
                    todo.append(by_name[name])
    return order


def objects_in(tree, path: str, roots_of, kind_of) -> list[dict]:
    module = parse(tree, path)
    if module is None:
        return []
    funcs = [n for n in ast.walk(module) if isinstance(n, ast.FunctionDef)]
    roots = [f for f in funcs if roots_of(f)]
    out = []
    for root in roots:
        for func in reachable(module, [root]):
            scope = Scope(tree, module, func)
            for call, cls, conditions in create_calls(func):
                model = scope.model(cls)
                fields = fields_of(call, scope)
                if model is None or not fields:
                    continue
                out.append({
                    "model": model,
                    "fields": [list(f) for f in fields],
                    "path": path,
                    "line": call.lineno,
                    "function": root.name if func is root else f"{root.name} -> {func.name}",
                    "runs": kind_of(root),
                    "conditions": conditions,
                })
    return out


def startup_objects(tree) -> tuple[list[dict], list[str]]:
    """Every object the release's startup code creates, and problems met (a listed
    startup task that is gone)."""
    out, problems = [], []
    for path in tree.paths:
        if path.endswith("/apps.py"):
            if parse(tree, path) is None:
                problems.append(f"{tree.tag}: {path} does not parse; its reconcilers are unread")
                continue
            out += objects_in(tree, path, is_reconciler, lambda f: f"reconcile ({is_reconciler(f)})")
    for path, name, why in STARTUP_TASKS:
        found = objects_in(tree, path, lambda f, n=name: f.name == n, lambda f, w=why: f"startup task: {w}")
        if not found:
            problems.append(f"{tree.tag}: startup task {path} {name} creates nothing")
        out += found
    # one object per (model, fields): a reconciler that runs per tenant and a helper
    # it calls may both reach the same call
    unique, seen = [], set()
    for obj in out:
        key = (obj["path"], obj["line"])
        if key not in seen:
            seen.add(key)
            unique.append(obj)
    return unique, problems


# --------------------------------------------------------------------------------------
# Releases

def version_key(text: str) -> tuple:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def embedded_lines(knowledge_rs: str) -> list[tuple[str, str]]:
    """(line, newest known patch) of every release line the knowledge base embeds."""
    return re.findall(r'VersionDef \{ name: "([0-9.]+)", release: "[^"]*", latest: "([0-9.]+)"', knowledge_rs)


def pick_tag(line: str, latest: str, tags: list[str]) -> tuple[str, bool]:
    """The tag read for a release line: its newest known patch, else the line's newest
    final tag, else (a line newer than every tag) the newest tag, borrowed."""
    finals = sorted((t for t in tags if re.fullmatch(r"version/\d+\.\d+\.\d+", t)), key=version_key)
    if f"version/{latest}" in finals:
        return f"version/{latest}", False
    own = [t for t in finals if t.startswith(f"version/{line}.")]
    if own:
        return own[-1], False
    older = [t for t in finals if version_key(t)[:2] < version_key(line)[:2]]
    if older:
        return older[-1], True
    return finals[0], True


def record(git_dir: str) -> dict:
    lines = embedded_lines(KNOWLEDGE.read_text(encoding="utf-8"))
    tags = subprocess.run(["git", "--git-dir", git_dir, "tag", "--list", "version/*"],
                          check=True, capture_output=True, text=True).stdout.split()
    releases, problems = {}, []
    by_tag: dict[str, list[dict]] = {}
    for line, latest in lines:
        tag, borrowed = pick_tag(line, latest, tags)
        releases[line] = {"tag": tag, "borrowed": borrowed}
        if tag not in by_tag:
            objs, probs = startup_objects(Tree(git_dir, tag))
            by_tag[tag] = objs
            problems += probs
    return merge(releases, by_tag), problems


def merge(releases: dict, by_tag: dict[str, list[dict]]) -> dict:
    """One entry per object (model and fields), with where each release line creates it."""
    objects: dict[tuple, dict] = {}
    for line, rel in releases.items():
        for obj in by_tag[rel["tag"]]:
            key = (obj["model"], tuple(tuple(f) for f in obj["fields"]))
            entry = objects.setdefault(key, {"model": obj["model"], "fields": obj["fields"], "origins": []})
            entry["origins"].append({"line": line, "tag": rel["tag"], "path": obj["path"], "lineno": obj["line"],
                                     "function": obj["function"], "runs": obj["runs"],
                                     "conditions": obj["conditions"]})
    return {
        "about": "Objects Authentik's startup code creates, read by scripts/gen-startup.py "
                 "from Authentik's code at each release tag.",
        "releases": releases,
        "objects": sorted(objects.values(), key=lambda o: (o["model"], o["fields"])),
    }


# --------------------------------------------------------------------------------------
# Rust output

def rust_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def render(rec: dict) -> str:
    lines = list(rec["releases"])
    out = ["// @generated by scripts/gen-startup.py from knowledge/startup.json — do not edit",
           "use super::types::{BuiltinDef, StartupDef};", "",
           "// Release lines and the Authentik tag whose code was read:"]
    for line, rel in rec["releases"].items():
        note = " (no tag of its own: borrowed)" if rel["borrowed"] else ""
        out.append(f"//   {line}: {rel['tag']}{note}")
    out += ["", "pub static STARTUP: &[StartupDef] = &["]
    for obj in rec["objects"]:
        have = [o["line"] for o in obj["origins"]]
        versions = "&[]" if have == lines else "&[" + ", ".join(rust_str(v) for v in have) + "]"
        pairs = ", ".join(f"({rust_str(k)}, {rust_str(v)})" for k, v in obj["fields"])
        newest = obj["origins"][-1]
        oldest = obj["origins"][0]
        tags = newest["tag"] if oldest["tag"] == newest["tag"] else f"{oldest['tag']} .. {newest['tag']}"
        condition = " and ".join(newest["conditions"])
        out.append(
            f"    StartupDef {{ builtin: BuiltinDef {{ model: {rust_str(obj['model'])}, fields: &[{pairs}], "
            f"versions: {versions}, source: \"startup\" }}, code: {rust_str(newest['path'])}, "
            f"function: {rust_str(newest['function'])}, tags: {rust_str(tags)}, "
            f"condition: {rust_str(condition)} }},")
    out += ["];", ""]
    return "\n".join(out)


def dump(rec: dict) -> str:
    return json.dumps(rec, indent=1, ensure_ascii=False, sort_keys=False) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--authentik-repo", metavar="GIT_DIR", help="Authentik's git repository with its release tags")
    ap.add_argument("--record", action="store_true", help="read the repository and rewrite knowledge/startup.json")
    ap.add_argument("--check", action="store_true", help="exit 1 if an output is not up to date")
    args = ap.parse_args()

    if args.record or (args.check and args.authentik_repo):
        if not args.authentik_repo:
            ap.error("--record needs --authentik-repo")
        rec, problems = record(args.authentik_repo)
        for p in problems:
            print(p, file=sys.stderr)
        if problems:
            return 1
        if args.check:
            if RECORD.read_text(encoding="utf-8") != dump(rec):
                print(f"{RECORD} differs from Authentik's code; run with --record", file=sys.stderr)
                return 1
        else:
            RECORD.write_text(dump(rec), encoding="utf-8")
    rec = json.loads(RECORD.read_text(encoding="utf-8"))
    text = render(rec)
    if args.check:
        if not OUTPUT.exists() or OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT} is stale; run python3 scripts/gen-startup.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"{len(rec['objects'])} startup objects over {len(rec['releases'])} release lines -> {OUTPUT}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
