#!/usr/bin/env python3
"""Run bplint over the shared reference data and compare with the triage.

- Authentik's own releases must be error-free at their own version
  (2024.8.3 at 2024.8, 2026.2.2 at 2026.2).
- `newest/` (main-branch snapshots newer than any release) at the default version
  and the third-party corpus (one blueprint set per source repository) must report
  exactly the findings listed in docs/triage/*.txt, each of which docs/triage.md
  explains.

Usage: scripts/check-reference.py [--shared ../shared] [--bplint target/release/bplint]
       [--write]   (rewrite the expected lists from the current output)
"""

import argparse
import collections
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def run(bplint, paths, version=None):
    cmd = [bplint, "check", "--format", "json", *map(str, paths)]
    if version:
        cmd += ["--authentik-version", version]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.exit(f"bplint failed ({proc.returncode}) on {paths}:\n{proc.stderr}")
    return json.loads(proc.stdout)


def lines(report, strip):
    out = []
    for d in report["diagnostics"]:
        name = d["file"].replace(strip, "", 1)
        out.append(f"{name}:{d['line']}:{d['column']} {d['code']} {d['severity']}")
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--bplint", default=str(ROOT / "target/release/bplint"))
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    shared = pathlib.Path(args.shared)
    failed = False

    for release, version in [("2024.8.3", "2024.8.3"), ("2026.2.2", "2026.2.2")]:
        report = run(args.bplint, [shared / "authentik" / release], version)
        errors = [l for l in lines(report, str(shared) + "/") if " error" in l]
        print(f"authentik/{release} at {version}: {report['files_checked']} files, "
              f"{report['summary']['errors']} errors, {report['summary']['warnings']} warnings")
        if errors:
            failed = True
            print("  unexpected errors:\n  " + "\n  ".join(errors))

    found = {}
    report = run(args.bplint, [shared / "authentik" / "newest"])
    found["newest"] = lines(report, str(shared) + "/")

    sources = shared / "corpus" / "SOURCES.tsv"
    by_repo = collections.defaultdict(list)
    for row in sources.read_text().splitlines()[1:]:
        name, repo = row.split("\t")[:2]
        path = shared / "corpus" / "files" / name
        if path.exists() and path.suffix in (".yaml", ".yml"):
            by_repo[repo].append(path)
    corpus = []
    for repo in sorted(by_repo):
        report = run(args.bplint, sorted(by_repo[repo]))
        corpus += lines(report, str(shared / "corpus" / "files") + "/")
    found["corpus"] = corpus

    for name, got in found.items():
        expected_path = ROOT / "docs" / "triage" / f"{name}.txt"
        if args.write:
            expected_path.parent.mkdir(parents=True, exist_ok=True)
            expected_path.write_text("".join(l + "\n" for l in got))
            continue
        expected = expected_path.read_text().splitlines() if expected_path.exists() else []
        missing = sorted(set(expected) - set(got))
        extra = sorted(set(got) - set(expected))
        print(f"{name}: {len(got)} findings, triage lists {len(expected)}")
        if missing or extra:
            failed = True
            for l in extra:
                print(f"  not in the triage: {l}")
            for l in missing:
                print(f"  triaged but not reported: {l}")
    if failed:
        sys.exit("reference check failed; see docs/triage.md")


if __name__ == "__main__":
    main()
