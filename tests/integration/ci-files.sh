#!/usr/bin/env bash
# Checks the Forgejo action, the Woodpecker pipeline and the README's CI snippets
# outside their CI (ci-files.py says how), with check-jsonschema and PyYAML from
# PyPI in a throwaway virtualenv.
#
# Needs python3 (skipped without it), cargo and the PyPI registry. Run it by hand
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
"$work/venv/bin/pip" install --quiet --disable-pip-version-check check-jsonschema pyyaml
"$work/venv/bin/python" "$root/tests/integration/ci-files.py" "$root" "$work"
