#!/usr/bin/env python3
"""Record what Authentik's own evaluator does with the expressions of BP226 and
BP227's fixtures, for tests/expressions.rs to hold bplint to.

Runs inside the oracle that ../shared/oracle/setup.sh installs (Authentik's whole
Django project on a fresh install's database). Each expression policy runs through
`PolicyEvaluator` with a policy request for an unsaved user and an HTTP request, as
a flow runs it. A scope mapping runs through `PropertyMappingEvaluator` with the names
the OAuth views give it (`provider`, `token`), a prompt's expression with the prompt
context; of other property mappings only the `import` statements run, in the
evaluator's globals. A row says what happened:

    ran                      no NameError or ImportError
    name-error:<name>        Python raised NameError for <name>
    import-error:<name>      an import failed on module or name <name>

    python3 scripts/oracle-expression-verdicts.py   # writes tests/data/expression_verdicts.tsv

CI cannot run the oracle, so the rows are the record. The release is each fixture
folder's `authentik_version` (its bplint.toml), run with the oracle set up for it.
"""

import argparse
import ast
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "tests" / "data" / "expression_verdicts.tsv"
FOLDERS = ["fixtures/BP226", "fixtures/BP227"]
RELEASES = {"2025.12": "2025.12.4", "2026.2": "2026.2.2"}
ORACLE = Path(os.environ.get("AK_ORACLE", ROOT.parent / "shared" / "oracle"))


def expressions(path):
    """(entry name, kind, expression) of every plain-string expression in a file,
    blueprints inside a ConfigMap's `data` included."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    docs = list(yaml.load_all(path.read_text(), Loader=Loader))
    blueprints = []
    for doc in docs:
        if isinstance(doc, dict) and doc.get("kind") in ("ConfigMap", "Secret"):
            blueprints += [yaml.load(v, Loader=Loader) for v in (doc.get("data") or {}).values()]
        else:
            blueprints.append(doc)
    for bp in blueprints:
        for entry in (bp or {}).get("entries") or []:
            attrs = entry.get("attrs") or {}
            name = (entry.get("identifiers") or {}).get("name") or (entry.get("identifiers") or {}).get("managed")
            if entry["model"] == "authentik_stages_prompt.prompt":
                for field in ("placeholder", "initial_value"):
                    if attrs.get(f"{field}_expression") is True and isinstance(attrs.get(field), str):
                        yield name, "prompt", attrs[field]
                continue
            expr = attrs.get("expression")
            if not isinstance(expr, str):
                continue
            if entry["model"].endswith("expressionpolicy"):
                yield name, "policy", expr
            elif entry["model"].endswith("scopemapping"):
                yield name, "scope-mapping", expr
            else:
                yield name, "mapping", expr


def classify(message):
    m = re.search(r"name '([^']+)' is not defined", message)
    if m:
        return f"name-error:{m.group(1)}"
    m = re.search(r"No module named '([^']+)'", message)
    if m:
        return f"import-error:{m.group(1)}"
    m = re.search(r"cannot import name '([^']+)'", message)
    if m:
        return f"import-error:{m.group(1)}"
    return "ran"


def inside(files):
    """Evaluate in the oracle's Django project (called with its Python)."""
    # Rows go to the real stdout; whatever Authentik prints goes to stderr.
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.path.insert(0, os.getcwd())  # the release's source tree, as the oracle runs it
    from authentik.root.setup import setup

    setup()
    import django

    django.setup()
    from django.test import RequestFactory

    from authentik.core.expression.evaluator import PropertyMappingEvaluator
    from authentik.core.models import User
    from authentik.providers.oauth2.models import ScopeMapping
    from authentik.stages.prompt.models import Prompt
    from authentik.lib.expression.evaluator import BaseEvaluator
    from authentik.policies.exceptions import PolicyException
    from authentik.policies.expression.evaluator import PolicyEvaluator
    from authentik.policies.types import PolicyRequest

    for file in files:
        for name, kind, expr in expressions(Path(file)):
            if kind == "policy":
                evaluator = PolicyEvaluator(name)
                request = PolicyRequest(User(username="oracle"))
                request.http_request = RequestFactory().get("/")
                evaluator.set_policy_request(request)
                # The evaluator raises PolicyException around the expression's own
                # error (policies/process.py turns it into the binding's failure
                # result); older releases return a failing result with the message.
                try:
                    messages = [str(m) for m in evaluator.evaluate(expr).messages]
                except PolicyException as exc:
                    messages = [str(exc.src_exc or exc)]
                verdict = "ran"
                for message in messages:
                    verdict = classify(message)
                    if verdict != "ran":
                        break
            elif kind in ("scope-mapping", "prompt"):
                # Run as the OAuth views run a scope mapping (with `provider` and
                # `token`), or as a prompt runs its placeholder.
                if kind == "prompt":
                    model, extra = Prompt(name=name, field_key="f"), {"prompt_context": {}}
                else:
                    model, extra = ScopeMapping(name=name), {"provider": None, "token": None}
                evaluator = PropertyMappingEvaluator(model, User(username="oracle"), None, **extra)
                try:
                    evaluator.evaluate(expr)
                    verdict = "ran"
                except Exception as exc:  # noqa: BLE001 - any failure is recorded
                    verdict = classify(str(exc))
            else:
                verdict = "ran"
                globals_ = BaseEvaluator("oracle")._globals
                for node in ast.parse(expr).body:
                    if isinstance(node, (ast.Import, ast.ImportFrom)):
                        try:
                            exec(compile(ast.Module([node], []), "x", "exec"), dict(globals_))  # noqa: S102
                        except ImportError as exc:
                            verdict = classify(str(exc))
                            break
            print(f"{file}\t{name}\t{kind}\t{verdict}", file=out)


def release_of(folder):
    text = (ROOT / folder / "bplint.toml").read_text()
    return RELEASES[re.search(r'authentik_version = "([0-9.]+)"', text).group(1)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inside", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside is not None:
        inside(args.inside)
        return 0
    rows = []
    for folder in FOLDERS:
        release = release_of(folder)
        files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / folder).glob("*.yaml"))
        script = (
            f'source "{ORACLE}/env.sh"; ak_pg_start >/dev/null; cd "$AK_SRC"; '
            f'"$AK_VENV/bin/python" "{Path(__file__).resolve()}" --inside '
            + " ".join(str(ROOT / f) for f in files)
        )
        run = subprocess.run(
            ["bash", "-c", script],
            env={**os.environ, "AK_VERSION": release},
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            sys.exit(f"the oracle failed on {folder}:\n{run.stderr[-3000:]}")
        for line in run.stdout.splitlines():
            file, name, kind, verdict = line.split("\t")
            rows.append(f"{Path(file).relative_to(ROOT)}\t{release}\t{name}\t{kind}\t{verdict}")
    header = (
        "# What Authentik's evaluator did with each fixture expression"
        " (scripts/oracle-expression-verdicts.py).\n"
        "# file\trelease\tentry\tkind\tverdict\n"
    )
    OUTPUT.write_text(header + "\n".join(rows) + "\n")
    print(f"wrote {OUTPUT}: {len(rows)} rows", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
