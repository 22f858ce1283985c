#!/usr/bin/env bash
# `bplint graph` output as the tools that draw it read it: every DOT file must be
# accepted by Graphviz (`dot -Tsvg`, no warning), and every Mermaid diagram, bare
# or in a Markdown comment, must parse with Mermaid's own parser. The inputs are
# the graph fixtures (names that are syntax in Mermaid, DOT and Markdown), the
# README's examples, a diff in a throwaway git repository and, when ../shared is
# there, Authentik's shipped blueprints and the third-party corpus.
#
# Installs what it needs: Graphviz with apt-get when `dot` is missing, and
# Mermaid with jsdom from npm into a throwaway folder (skipped, with a message,
# when npm or its registry cannot be reached). Run it by hand from anywhere:
# bash tests/integration/graph.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

# Mermaid's parser as the check pins it (jsdom 26 still runs on Node 20).
MERMAID=mermaid@11.17.2
JSDOM=jsdom@26.1.0

work=$(mktemp -d "${TMPDIR:-/tmp}/bplint-graph.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "== building bplint"
cargo build --locked --quiet
bplint="${CARGO_TARGET_DIR:-$root/target}/debug/bplint"

if ! command -v dot > /dev/null; then
  echo "== installing Graphviz (dot is missing)"
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz) > "$work/apt.log" 2>&1 \
      || { tail -n 20 "$work/apt.log" >&2; echo "graph: cannot install Graphviz with apt-get" >&2; exit 1; }
  else
    echo "graph: Graphviz's dot is missing; install it (apt-get install graphviz) and run again" >&2
    exit 1
  fi
fi

# Every input drawn in every diagram format: out/NAME.{mmd,md,dot}.
mkdir -p "$work/out"
draw() {
  local name=$1
  shift
  "$bplint" graph --quiet --format mermaid "$@" > "$work/out/$name.mmd"
  "$bplint" graph --quiet --format markdown "$@" > "$work/out/$name.md"
  "$bplint" graph --quiet --format dot "$@" > "$work/out/$name.dot"
}
echo "== drawing"
for case in flows apps names; do
  draw "fixture-$case" --isolated "fixtures/graph/$case"
done
draw fixtures-all --isolated fixtures/graph
draw examples examples/blueprints
draw examples-flow --flow company-login examples/blueprints
draw examples-app --application grafana examples/blueprints
draw builtin-flow --isolated --flow default-authentication-flow fixtures/graph/names
if [ -d ../shared/authentik/2026.2.2 ]; then
  draw shipped --authentik-version 2026.2.2 ../shared/authentik/2026.2.2
fi
if [ -d ../shared/corpus/files ]; then
  draw corpus ../shared/corpus/files
fi
# A change in a repository of its own: a stage bound, a binding moved, a file gone.
repo="$work/repo"
mkdir -p "$repo/blueprints"
cp fixtures/graph/flows/*.yaml "$repo/blueprints/"
git -C "$repo" init -q
git -C "$repo" add -A
git -C "$repo" -c user.name=bplint -c user.email=bplint@example.com -c commit.gpgsign=false \
  commit -q -m flows
sed -i 's/order: 20/order: 25/; s/title: Welcome/title: "Sign in, \\"please\\""/' "$repo/blueprints/login.yaml"
rm "$repo/blueprints/mfa.yaml"
(cd "$repo" && draw diff --diff HEAD)
ls "$work/out"

echo "== Graphviz ($(dot -V 2>&1))"
dot_files=0
for file in "$work"/out/*.dot; do
  if ! dot -Tsvg "$file" -o "$work/out.svg" 2> "$work/dot.err" || [ -s "$work/dot.err" ]; then
    cat "$work/dot.err" >&2
    echo "graph: Graphviz does not accept $(basename "$file")" >&2
    exit 1
  fi
  dot_files=$((dot_files + 1))
done
echo "graphviz: $dot_files DOT files drawn without a warning"

echo "== Mermaid ($MERMAID, with $JSDOM)"
if ! command -v npm > /dev/null || ! command -v node > /dev/null; then
  echo "graph: Mermaid check SKIPPED: node and npm are not installed"
  exit 0
fi
if ! npm view "$MERMAID" version > /dev/null 2>&1; then
  echo "graph: Mermaid check SKIPPED: the npm registry cannot be reached"
  exit 0
fi
mkdir -p "$work/npm"
cp tests/integration/graph-parse.mjs "$work/npm/"
(cd "$work/npm" && echo '{"private": true, "type": "module"}' > package.json \
  && npm install --silent --no-audit --no-fund "$MERMAID" "$JSDOM" > "$work/npm.log" 2>&1) \
  || { tail -n 20 "$work/npm.log" >&2; echo "graph: cannot install $MERMAID and $JSDOM from npm" >&2; exit 1; }
node "$work/npm/graph-parse.mjs" "$work"/out/*.mmd "$work"/out/*.md
