#!/usr/bin/env python3
"""Record what Authentik's real importer says of blueprint sets applied together.

Runs the set oracle that ../shared/oracle sets up (`set_run.sh`: Authentik's own
discovery and apply code on a fresh install's database, each set applied alone, in
discovery order and in five seeded random orders, each followed by retry passes) over

- every case of the apply-order fixtures (fixtures/BP111, BP119, BP120, BP121: each
  folder is one set, each file a set of its own), and
- every corpus repository (its files from ../shared/corpus, laid out at the paths
  SOURCES.tsv gives them; four in a deployment's shape, see VARIANTS),

and writes tests/data/oracle_set_verdicts.tsv: one row per blueprint with its class
(`ok` in every order, `order-dependent` when it applies in some orders only or only
after a retry, `fails` in every order), whether it applies alone, and the field and
DRF error code of its first failure, never the message text. tests/oracle_sets.rs
compares bplint's BP119/BP120/BP121 with these rows; CI cannot run the oracle, so the
rows are the record.

    python3 scripts/oracle-set-verdicts.py              # fixtures + corpus (half an hour)
    python3 scripts/oracle-set-verdicts.py --reuse      # re-judge the cached raw answers

Raw answers are cached in .cache/oracle/sets/ (not committed). Options given to the
oracle: --env-placeholders --fake-http --orders 5; release 2025.12.4 unless AK_VERSION
says.
"""

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "tests" / "data" / "oracle_set_verdicts.tsv"
CACHE = ROOT / ".cache" / "oracle" / "sets"
FIXTURE_RULES = ("BP111", "BP119", "BP120", "BP121")

# Corpus sets the oracle judges in the shape a deployment gives them, so that what
# discovery or the importer refuses for reasons that have nothing to do with the
# apply order does not hide it. Each is said in the table's header; the test checks
# the same files.
VARIANTS = {
    "corpus/theepicsaxguy/homelab": {
        "drop": ["k8s/infrastructure/auth/authentik/extra/blueprints-configmap.yaml"],
        "why": "a stale copy of apps-litellm.yaml under the same blueprint name, which stops "
        "discovery (a second instance of one name)",
    },
    "corpus/DreamingRaven/authentik-manager": {
        "drop": [
            "operator/config/samples/raw_blueprints/default-auth-flow.yaml",
            "operator/config/samples/raw_blueprints/default-tenant.yaml",
        ],
        "why": "raw copies of two AkBlueprint resources under the same names, which stop discovery",
    },
    "corpus/melotic/home-ops": {
        "certificate": ["GHIDRA_LDAP_TLS_CERTIFICATE_DATA", "GHIDRA_LDAP_TLS_KEY_DATA"],
        "why": "a certificate and key from the environment: a self-signed pair, which "
        "placeholders are not",
    },
    "corpus/chrishenschel/kmu-server": {
        "fill": True,
        "why": "`__NAME__` tokens a deploy script replaces: `__DOMAIN__` by example.com, "
        "`__MATRIX_DOMAIN__` by matrix.example.com, `__EMAIL__` by admin@example.com, the "
        "others by `subst-<name>`",
    },
}

# `'field': [ErrorDetail(string='...', code='invalid')]`
ERROR = re.compile(r"'([A-Za-z_][A-Za-z0-9_]*)': \[(?:\{[^\]]*?)?ErrorDetail\(string=(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"), code='([a-z_]+)'\)")


def fixture_sets():
    """(set name, folder laid out as the set) for every apply-order fixture case."""
    for code in FIXTURE_RULES:
        for case in sorted((ROOT / "fixtures" / code).iterdir()):
            if case.name == "bplint.toml":
                continue
            if case.is_dir() or case.suffix == ".yaml":
                yield f"fixtures/{code}/{case.name}", case


def corpus_sets(shared):
    """(set name, {path in repository: saved file}) for every corpus repository."""
    corpus = shared / "corpus"
    repos = {}
    with open(corpus / "SOURCES.tsv", encoding="utf-8") as table:
        for row in list(csv.reader(table, delimiter="\t"))[1:]:
            name, repo, path = row[:3]
            saved = corpus / "files" / name
            if saved.is_file():
                repos.setdefault(repo, {})[path] = saved
    for repo in sorted(repos):
        name = f"corpus/{repo}"
        files = repos[repo]
        for path in VARIANTS.get(name, {}).get("drop", []):
            files.pop(path, None)
        yield name, files


def fill(text):
    """The deploy script's substitutions (see VARIANTS)."""
    text = text.replace("__DOMAIN__", "example.com").replace("__MATRIX_DOMAIN__", "matrix.example.com")
    text = text.replace("__EMAIL__", "admin@example.com")
    return re.sub(r"__([A-Z][A-Z0-9_]*)__", lambda m: "subst-" + m.group(1).lower(), text)


def environment(name, tmp):
    """The environment the oracle runs a set in (see VARIANTS)."""
    env = dict(os.environ)
    names = VARIANTS.get(name, {}).get("certificate")
    if names:
        key, cert = Path(tmp) / "key.pem", Path(tmp) / "cert.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        str(key), "-out", str(cert), "-days", "30", "-subj", "/CN=oracle"],
                       capture_output=True, check=True)
        env[names[0]], env[names[1]] = cert.read_text(), key.read_text()
    return env


def run_set(oracle, name, source):
    """The oracle's raw answer for one set (cached)."""
    cached = CACHE / (name.replace("/", "__") + ".json")
    if cached.exists():
        return json.loads(cached.read_text())
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / name.rsplit("/", 1)[-1]
        if isinstance(source, dict):
            for path, saved in source.items():
                (repo / path).parent.mkdir(parents=True, exist_ok=True)
                if VARIANTS.get(name, {}).get("fill"):
                    (repo / path).write_text(fill(saved.read_text(encoding="utf-8")), encoding="utf-8")
                else:
                    shutil.copy(saved, repo / path)
        elif source.is_dir():
            shutil.copytree(source, repo)
        else:
            repo.mkdir()
            shutil.copy(source, repo / source.name)
        out = Path(tmp) / "answer.json"
        cmd = [str(oracle / "set_run.sh"), "--env-placeholders", "--fake-http",
               "--orders", "5", "--out", str(out), str(repo)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False,
                              env=environment(name, tmp))
        if proc.returncode != 0 or not out.exists():
            # Discovery itself may fail (two files with one blueprint name break the
            # unique instance name): nothing of the set is applied, nothing to judge.
            last = (proc.stderr.strip().splitlines() or ["?"])[-1]
            answer = {"failed": last[:200]}
        else:
            answer = json.loads(out.read_text())
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(answer, sort_keys=True))
    print(f"{name}: {answer.get('counts', answer.get('failed'))}", file=sys.stderr)
    return answer


def klass(verdict):
    cls = verdict["class"]
    if cls == "ok":
        return "ok"
    if cls == "fails in every order":
        return "fails"
    return "order-dependent"


def errors_of(result):
    """`field/code` of a failed apply, from the first error the oracle recorded."""
    if not result or result.get("ok"):
        return "-"
    text = json.dumps(result.get("first_error") or "") + " " + (result.get("message") or "")
    pairs = []
    for field, code in ERROR.findall(text.replace('\\"', '"').replace("\\'", "'")):
        if f"{field}/{code}" not in pairs:
            pairs.append(f"{field}/{code}")
    return ",".join(pairs) or result.get("stage", "-")


def rows_of(name, answer):
    if "failed" in answer:
        return
    for verdict in answer.get("blueprints", {}).values():
        failed = next(iter(verdict.get("first_pass", {}).values()), None)
        yield "\t".join(
            [
                name,
                verdict["label"],
                answer.get("oracle", "?").split()[1],
                klass(verdict),
                "alone-ok" if verdict.get("ok_alone") else "alone-refused",
                errors_of(failed),
            ]
        )


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--reuse", action="store_true",
                    help="judge the cached raw answers; run the oracle only for sets without one")
    args = ap.parse_args()
    if not args.reuse and CACHE.exists():
        shutil.rmtree(CACHE)
    oracle = args.shared / "oracle"
    rows = []
    failed = []
    for name, source in [*fixture_sets(), *corpus_sets(args.shared)]:
        answer = run_set(oracle, name, source)
        if "failed" in answer:
            failed.append(f"# not judged: {name}: the oracle stopped ({answer['failed']})")
        rows.extend(rows_of(name, answer))
    rows.sort()
    release = os.environ.get("AK_VERSION", "2025.12.4")
    header = (
        "# Verdicts of Authentik's own importer on whole blueprint sets (scripts/oracle-set-verdicts.py; "
        f"set oracle options --env-placeholders --fake-http --orders 5; Authentik {release}, fresh install).\n"
        "# set\tblueprint\trelease\tclass\talone\tfield/code of the first failure\n"
    ) + "".join(
        f"# deployed as: {name}: {variant['why']}\n"
        + "".join(f"# without:\t{name}\t{path}\n" for path in variant.get("drop", []))
        for name, variant in sorted(VARIANTS.items())
    ) + "".join(line + "\n" for line in failed)
    OUTPUT.write_text(header + "\n".join(rows) + "\n")
    print(f"{len(rows)} verdicts -> {OUTPUT.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
