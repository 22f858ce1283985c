#!/usr/bin/env python3
"""Report import cycles between the crate's top-level modules.

Each file under src/ belongs to the module named by its first path component
(src/rules/foo.rs -> rules, src/pipeline.rs -> pipeline). A module depends on
another when its code names `crate::<other>` (in a `use` or inline). Test code
(from a `#[cfg(test)]` line to the end of the file) is left out: tests may reach
anywhere. Exits 1 and prints each cycle when there is one.

usage: scripts/import-cycles.py [SRC_DIR]   (default: src next to this script)
"""

import re
import sys
from pathlib import Path

# The binary's entry and the crate root wire everything together.
ROOTS = {"main", "lib"}


def module_of(src: Path, path: Path) -> str:
    first = path.relative_to(src).parts[0]
    return first[:-3] if first.endswith(".rs") else first


def graph(src: Path) -> dict[str, set[str]]:
    deps: dict[str, set[str]] = {}
    for path in sorted(src.rglob("*.rs")):
        module = module_of(src, path)
        if module in ROOTS:
            continue
        text = path.read_text(encoding="utf-8")
        test = re.search(r"^\s*#\[cfg\(test\)\]", text, re.M)
        if test:
            text = text[: test.start()]
        text = re.sub(r"//[^\n]*", "", text)
        names = set(re.findall(r"\bcrate::(\w+)", text))
        # `use crate::{a, b::c}` groups.
        for group in re.findall(r"\bcrate::\{([^}]*)\}", text):
            names.update(re.findall(r"(?:^|,)\s*(\w+)", group))
        deps.setdefault(module, set()).update(n for n in names if n != module)
    return deps


def cycles(deps: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(deps.get(v, ())):
            if w not in deps:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(deps):
        if v not in index:
            visit(v)
    return found


def main() -> int:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent.parent / "src"
    deps = graph(src)
    found = cycles(deps)
    for component in found:
        edges = [
            f"{a} -> {b}" for a in component for b in sorted(deps[a]) if b in component
        ]
        print(f"import cycle among {', '.join(component)}: {'; '.join(edges)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
