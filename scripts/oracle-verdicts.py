#!/usr/bin/env python3
"""Record what Authentik's real importer says of the fixtures and the corpus.

Runs the oracle that ../shared/oracle/setup.sh installs (Authentik's own importer on
a fresh install's database; see its README) over every fixture blueprint and every
corpus file, each checked alone, and writes tests/data/oracle_verdicts.tsv: one row
per blueprint with the verdict and the fields and DRF error codes the importer named,
never its message text. tests/oracle.rs compares bplint with these rows; CI cannot run
the oracle, so the rows are the record.

    python3 scripts/oracle-verdicts.py                  # fixtures + ../shared/corpus
    python3 scripts/oracle-verdicts.py --shared PATH    # another shared folder

Options given to the oracle: --unwrap (ConfigMaps, Secrets and AkBlueprint objects
hold blueprints) and --env-placeholders (an unset `!Env` gets a value of the right
shape, as a deployment would set one), release 2025.12.4 unless AK_VERSION says.
"""

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "tests" / "data" / "oracle_verdicts.tsv"

# `'field': [ErrorDetail(string='...', code='invalid')]`, nested for list items.
ERROR = re.compile(r"'([A-Za-z_][A-Za-z0-9_]*)': \[(?:\{[^\]]*?)?ErrorDetail\(string=(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"), code='([a-z_]+)'\)")
# Causes the file alone cannot decide: another blueprint's objects, the environment.
ENVIRONMENT = (
    "Required blueprint does not exist",
    "One of 'group', 'policy', 'user' must be set",
    'Invalid pk "None"',
    "Invalid pk \\\"None\\\"",
)


def errors_of(result):
    """`field/code` pairs the importer's messages name, in order, without repeats."""
    found = []
    for line in result.get("logs", []) + [result.get("cause", "")]:
        for field, code in ERROR.findall(line or ""):
            pair = f"{field}/{code}"
            if pair not in found:
                found.append(pair)
    return found


# Text a deploy tool replaces before Authentik reads the file: Flux's `${VAR}`,
# `__VAR__` tokens, Helm/Jinja/gotmpl `{{ }}`. A refusal of such a file may be the
# placeholder's, which the deployment never submits.
PLACEHOLDER = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}|__[A-Z][A-Z0-9_]*__|\{\{.*?\}\}")


def verdict(result, text):
    """accepted, refused, environment (refused for a reason outside the file: another
    blueprint's objects, a file `!File` reads, a value a deploy tool fills in), or none."""
    if result.get("valid") is None:
        return "none"
    if result.get("valid"):
        return "accepted"
    logs = " ".join(result.get("logs", [])) + " " + result.get("cause", "")
    if any(marker in logs for marker in ENVIRONMENT) or "Failed to read file" in logs:
        return "environment"
    if PLACEHOLDER.search(text):
        return "environment"
    # Every field refused holds an `!Env` value, which the oracle filled with a
    # placeholder of the right shape only (a certificate is not one).
    fields = [pair.split("/")[0] for pair in errors_of(result)]
    if fields and all(
        re.search(rf"^\s*{re.escape(f)}:\s*!Env\b", text, re.MULTILINE) for f in fields
    ):
        return "environment"
    return "refused"


def cause(result):
    """A short, message-free label of why: the stage and the first exception class."""
    if result.get("valid"):
        return "-"
    first = (result.get("cause") or (result.get("logs") or [""])[0] or "").strip()
    kind = re.match(r"(?:warning: |error: )?([A-Za-z]+(?:Error|Exception|Invalid)?)", first)
    return f"{result.get('stage')}:{kind.group(1) if kind else '?'}"


def run_once(oracle, paths, unwrap=True):
    flags = ["--unwrap"] if unwrap else []
    cmd = [str(oracle / "run.sh"), *flags, "--env-placeholders", *map(str, paths)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return None
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def loads(path):
    """Whether PyYAML loads every document of the file (any tag accepted), as the
    oracle's unwrapping needs: it stops the whole run on a file that does not."""
    import yaml  # PyYAML, as CI installs it

    class AnyTag(yaml.SafeLoader):
        pass

    AnyTag.add_multi_constructor("", lambda loader, suffix, node: None)
    try:
        list(yaml.load_all(path.read_text(encoding="utf-8"), AnyTag))  # noqa: S506
    except Exception:  # noqa: BLE001
        return False
    return True


def run(oracle, paths, batch=80):
    """Results for every path: files PyYAML loads are unwrapped (ConfigMaps and the
    like hold blueprints); the others are given to Authentik as they are, which is
    what a file in the blueprints folder gets."""
    plain = [p for p in paths if not loads(p)]
    wrapped = [p for p in paths if p not in plain]
    results = []
    for group, unwrap in ((wrapped, True), (plain, False)):
        for start in range(0, len(group), batch):
            chunk = group[start : start + batch]
            got = run_once(oracle, chunk, unwrap)
            if got is None:
                raise SystemExit(f"oracle failed on one of {chunk[0]} .. {chunk[-1]}")
            results.extend(got)
            print(f"{min(start + batch, len(group))}/{len(group)} files", file=sys.stderr)
    return results


def relative(label, roots):
    path, _, key = label.partition("#")
    for name, root in roots:
        try:
            rel = Path(path).resolve().relative_to(root.resolve())
        except ValueError:
            continue
        return f"{name}/{rel}" + (f"#{key}" if key else "")
    return label


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--output", type=Path, default=OUTPUT)
    ap.add_argument(
        "--reuse",
        action="store_true",
        help="re-judge the oracle's last raw answers (.cache/oracle/verdicts.jsonl, not committed) "
        "instead of running it again",
    )
    args = ap.parse_args()
    oracle = args.shared / "oracle"
    release = os.environ.get("AK_VERSION", "2025.12.4")
    fixtures = sorted(p for p in (ROOT / "fixtures").rglob("*.yaml") if p.is_file())
    corpus = sorted(p for p in (args.shared / "corpus" / "files").rglob("*") if p.is_file())
    raw = ROOT / ".cache" / "oracle" / "verdicts.jsonl"
    raw.parent.mkdir(parents=True, exist_ok=True)
    if args.reuse and raw.exists():
        results = [json.loads(line) for line in raw.read_text().splitlines()]
    else:
        results = run(oracle, fixtures + corpus)
    raw.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in results))
    roots = [("fixtures", ROOT / "fixtures"), ("corpus", args.shared / "corpus" / "files")]
    rows = []
    for r in results:
        rows.append(
            "\t".join(
                [
                    relative(r["file"], roots),
                    release,
                    verdict(r, Path(r["file"].partition("#")[0]).read_text(encoding="utf-8")),
                    cause(r),
                    ",".join(errors_of(r)) or "-",
                ]
            )
        )
    rows.sort()
    header = (
        "# Verdicts of Authentik's own importer (scripts/oracle-verdicts.py; oracle options "
        f"--unwrap --env-placeholders; Authentik {release}, fresh install, each file alone).\n"
        "# file\trelease\tverdict\tstage:cause\tfield/code,...\n"
    )
    args.output.write_text(header + "\n".join(rows) + "\n")
    print(f"{len(rows)} verdicts -> {args.output.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
