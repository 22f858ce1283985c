#!/usr/bin/env bash
# Builds the VS Code extension (editors/vscode/) as its users would: npm
# installs vscode-languageclient and the TypeScript compiler, tsc compiles it
# against VS Code's API types. VS Code itself cannot run on these machines, so
# nothing starts it; the protocol is tested in tests/server.rs and neovim.sh.
# Skipped, with a message, when npm is missing or its registry unreachable.
# Run it by hand from anywhere: bash tests/integration/vscode.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

if ! command -v npm > /dev/null; then
  echo "vscode: skipped: npm is not installed"
  exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/bplint-vscode.XXXXXX")
trap 'rm -rf "$work"' EXIT
# A copy, so the repository gets no node_modules/ or out/.
cp -r "$root/editors/vscode/." "$work/"
rm -rf "$work/node_modules" "$work/out"
cd "$work"
if ! npm ci --no-audit --no-fund > "$work/npm.log" 2>&1; then
  if grep -qiE 'ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|network' "$work/npm.log"; then
    echo "vscode: skipped: the npm registry cannot be reached"
    exit 0
  fi
  tail -n 30 "$work/npm.log" >&2
  echo "vscode: npm ci failed" >&2
  exit 1
fi
npm run --silent compile
test -s out/extension.js
echo "vscode: the extension compiles (out/extension.js)"
