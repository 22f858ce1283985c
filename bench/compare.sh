#!/usr/bin/env bash
# Whole-process comparison of `bplint check` with its peers on a generated corpus
# of real blueprints; see bench/README.md. Prints a table of median wall times,
# ratios and peak memory. Nothing is written into the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

count=10000
runs=10
peer_runs=3
cj_subset=1000
shared=../shared
corpus=
keep=0
venv=${BPLINT_BENCH_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/bplint-bench/venv}

usage() {
  cat <<USAGE
usage: bench/compare.sh [-n FILES] [--runs N] [--peer-runs N] [--cj-subset N]
                        [--shared DIR] [--corpus DIR] [--keep]
  -n FILES        blueprints to generate (default 10000)
  --runs N        runs of bplint and of the bare parse (default 10)
  --peer-runs N   runs of each peer (default 3)
  --cj-subset N   files check-jsonschema is timed on, scaled up (default 1000)
  --shared DIR    reference blueprints to vary (default ../shared)
  --corpus DIR    use this corpus instead of generating one
  --keep          keep the generated corpus and print where it is
USAGE
}

while [ $# -gt 0 ]; do
  case $1 in
    -n) count=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --peer-runs) peer_runs=$2; shift 2 ;;
    --cj-subset) cj_subset=$2; shift 2 ;;
    --shared) shared=$2; shift 2 ;;
    --corpus) corpus=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

# check-jsonschema validates against Authentik's published blueprint schema.
schema=$shared/authentik/2024.8.3/schema.json
if [ ! -f "$schema" ]; then
  echo "bench: no $schema; pass --shared DIR (the reference data)" >&2
  exit 2
fi

echo "bench: building bplint and the bare parse" >&2
cargo build --release --locked --quiet
cargo build --release --locked --quiet --example bare_parse
target=${CARGO_TARGET_DIR:-target}

if [ ! -x /usr/bin/time ]; then
  echo "bench: installing GNU time (peak memory)" >&2
  apt-get install -y time >&2 || { echo "bench: install GNU time (/usr/bin/time)" >&2; exit 2; }
fi

if [ ! -x "$venv/bin/yamllint" ] || [ ! -x "$venv/bin/check-jsonschema" ]; then
  echo "bench: installing yamllint and check-jsonschema into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet yamllint check-jsonschema
fi

if [ -z "$corpus" ]; then
  corpus=$(mktemp -d "${TMPDIR:-/tmp}/bplint-corpus.XXXXXX")
  if [ "$keep" = 0 ]; then
    trap 'rm -rf "$corpus"' EXIT
  fi
  "$venv/bin/python" bench/gen_corpus.py "$corpus" --count "$count" --shared "$shared" >&2
fi

# The pre-commit case: one blueprint of 1 to 3 KB (most real ones are).
single=$(find "$corpus" -name '*.yaml' -size +1k -size -3k | sort | sed -n 1p)

"$venv/bin/python" bench/compare.py \
  --corpus "$corpus" \
  --bplint "$target/release/bplint" \
  --bare "$target/release/examples/bare_parse" \
  --venv "$venv" \
  --schema "$schema" \
  --single "$single" \
  --runs "$runs" --peer-runs "$peer_runs" --cj-subset "$cj_subset"

if [ "$keep" = 1 ]; then
  echo "bench: corpus kept in $corpus" >&2
fi
