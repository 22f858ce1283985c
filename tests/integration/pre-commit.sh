#!/usr/bin/env bash
# Runs bplint's pre-commit hooks (.pre-commit-hooks.yaml) the way a user does: the
# README's `.pre-commit-config.yaml` snippet, pointed at a snapshot of this checkout,
# in a throwaway git repository made from tests/integration/pre-commit/, with
# pre-commit from PyPI in a throwaway virtualenv. The run must fail while the broken
# blueprint is there and pass without it.
#
# The snapshot holds the working tree as it is (uncommitted changes included),
# because pre-commit builds a hook repository from a commit, never from a folder.
#
# pre-commit's `cargo install` builds in the project's target folder (or
# $CARGO_TARGET_DIR), reusing what `cargo build --release` compiled: seconds instead
# of minutes. To time the build a user's first commit waits for, give it an empty
# one: CARGO_TARGET_DIR=$(mktemp -d) bash tests/integration/pre-commit.sh
#
# Then it builds the wheel (pyproject.toml) with maturin, checks that its binary
# asks for no newer glibc than its tag says (scripts/wheel-glibc.py), installs it
# into a fresh virtualenv, runs it, runs the `bplint-system` hook through it,
# checks that `pip install` without cargo fails at once with
# MATURIN_NO_INSTALL_RUST=1, and runs the `bplint-python` hook (pip installing the
# package). With BPLINT_ZIG_WHEEL=1 it builds the wheel as the release does, with
# zig for manylinux2014, and checks that the binary needs glibc 2.17 at most: a
# second full release build, so CI leaves it out (ci-files.py checks that the
# release workflow builds it so).
#
# Needs python3 (skipped without it), git, cargo, objdump (binutils), the PyPI
# registry (maturin, pre-commit, and ziglang with BPLINT_ZIG_WHEEL=1) and crates.io (`cargo install` without
# --locked, as pre-commit runs it, resolves the dependencies afresh). Run it by
# hand from anywhere:
# bash tests/integration/pre-commit.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}

if ! command -v python3 > /dev/null; then
  echo "pre-commit integration test: SKIPPED, python3 is not installed"
  exit 0
fi

# Git variables from a calling hook would point every git command below elsewhere.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
work=$(mktemp -d "${TMPDIR:-/tmp}/bplint-pre-commit.XXXXXX")
trap 'rm -rf "$work"' EXIT
step() { printf '\n== %s\n' "$*"; }
fail() { printf 'pre-commit integration test: FAILED: %s\n' "$*" >&2; exit 1; }
# Runs the configured hook on every file of the test repository; sets $output and
# $status. --verbose shows bplint's output when it passes too.
run_hooks() {
  status=0
  output=$("$work/venv/bin/pre-commit" run --all-files --verbose --color never 2>&1) || status=$?
  printf '%s\n' "$output"
}
commit_all() {
  git -C "$1" add -A
  git -C "$1" -c user.name=bplint-test -c user.email=bplint-test@localhost \
    -c commit.gpgsign=false commit -q -m "$2"
}

step "installing pre-commit into a virtualenv in $work"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check pre-commit
"$work/venv/bin/pre-commit" --version
export PRE_COMMIT_HOME=$work/cache

step "snapshotting the checkout $root (with uncommitted changes) as a git repository"
snapshot=$work/bplint
mkdir "$snapshot"
git -C "$root" ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' file; do
    # A tracked file deleted in the working tree is listed but gone.
    if [ -e "$root/$file" ]; then printf '%s\0' "$file"; fi
  done |
  tar -C "$root" --null -T - -cf - | tar -C "$snapshot" -xf -
git -C "$snapshot" init -q
commit_all "$snapshot" "snapshot"
rev=$(git -C "$snapshot" rev-parse HEAD)
echo "$snapshot at $rev"

step "making the test repository from tests/integration/pre-commit/"
repo=$work/repo
cp -R "$root/tests/integration/pre-commit" "$repo"
git -C "$repo" init -q
# The README's snippet, with `repo:` and `rev:` pointed at the snapshot.
python3 - "$root/README.md" "$snapshot" "$rev" > "$repo/.pre-commit-config.yaml" << 'EOF'
import re, sys
readme, repo, rev = sys.argv[1:]
section = open(readme, encoding="utf-8").read().split("\n### pre-commit\n", 1)[1]
snippet = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
snippet, repos = re.subn(r"(?m)^(\s*- repo: ).*$", lambda m: m.group(1) + repo, snippet)
snippet, revs = re.subn(r"(?m)^(\s*rev: ).*$", lambda m: m.group(1) + rev, snippet)
if (repos, revs) != (1, 1):
    sys.exit("README.md: the pre-commit snippet needs exactly one `- repo:` and one `rev:` line")
sys.stdout.write(snippet)
EOF
cat "$repo/.pre-commit-config.yaml"
commit_all "$repo" "blueprints"

cd "$repo"
step "building the hook (pre-commit runs cargo install, in $CARGO_TARGET_DIR)"
started=$(date +%s)
"$work/venv/bin/pre-commit" install-hooks
echo "hook environment built in $(($(date +%s) - started)) s"

step "pre-commit run --all-files, with the broken blueprint: must fail with BP101"
run_hooks
[ "$status" -eq 1 ] || fail "pre-commit exited $status, expected 1"
grep -q 'dashboard.yaml:6:12' <<< "$output" || fail "no BP101 finding at dashboard.yaml:6:12"
grep -q 'BP101(missing-invalidation-flow)' <<< "$output" || fail "no BP101 finding"

step "pre-commit run --all-files, clean blueprints only: must pass, in one bplint run"
git rm -q blueprints/dashboard.yaml
run_hooks
[ "$status" -eq 0 ] || fail "pre-commit exited $status, expected 0"
# One summary for all four blueprints: one bplint run, so that files-app.yaml's
# !Find resolves against scope-mappings.yaml. (Without require_serial, pre-commit
# splits five files over two processes on two cores.)
grep -q '^No problems in 4 files (Authentik [0-9.]*, the newest bplint knows)\.$' <<< "$output" || fail "the blueprints were not checked in one run"

python3 -m venv "$work/maturin"
if [ "${BPLINT_ZIG_WHEEL:-}" = 1 ]; then
  step "building the wheel (pyproject.toml) as the release does: maturin and zig from PyPI, manylinux2014"
  # .forgejo/workflows/release.yml builds the glibc wheel this way, so that it
  # installs on glibc 2.17 and newer. Linking with zig rebuilds every crate once
  # (in $CARGO_TARGET_DIR/x86_64-unknown-linux-gnu: two to three minutes of both
  # cores), which is why CI builds the plain wheel below instead.
  started=$(date +%s)
  "$work/maturin/bin/pip" install --quiet --disable-pip-version-check "maturin>=1.9,<2" "ziglang==0.17.1"
  # maturin finds zig as `python -m ziglang`, with the python on PATH.
  PATH="$work/maturin/bin:$PATH" "$work/maturin/bin/maturin" build --quiet --release --locked \
    --target x86_64-unknown-linux-gnu --zig --compatibility manylinux2014 \
    --manifest-path "$root/Cargo.toml" --out "$work/wheels"
  wheel=$(ls "$work"/wheels/bplint-*.whl)
  echo "built $(basename "$wheel") in $(($(date +%s) - started)) s"
  case $(basename "$wheel") in
    *manylinux_2_17_x86_64*) ;;
    *) fail "the wheel is not tagged manylinux_2_17: $(basename "$wheel")" ;;
  esac
  python3 "$root/scripts/wheel-glibc.py" "$wheel" 2.17 || fail "the wheel's binary needs a glibc newer than 2.17"
else
  step "building the wheel (pyproject.toml) with maturin from PyPI, in $CARGO_TARGET_DIR"
  # Linked against this machine's glibc, reusing the release build; its tag says
  # which glibc, and scripts/wheel-glibc.py checks that the binary asks for no
  # newer one. (BPLINT_ZIG_WHEEL=1 builds the release's manylinux2014 wheel.)
  started=$(date +%s)
  "$work/maturin/bin/pip" install --quiet --disable-pip-version-check "maturin>=1.9,<2"
  "$work/maturin/bin/maturin" build --quiet --release --locked \
    --manifest-path "$root/Cargo.toml" --out "$work/wheels"
  wheel=$(ls "$work"/wheels/bplint-*.whl)
  echo "built $(basename "$wheel") in $(($(date +%s) - started)) s"
  python3 "$root/scripts/wheel-glibc.py" "$wheel" || fail "the wheel's binary needs a newer glibc than its tag says"
fi

step "installing the wheel into a fresh virtualenv: no cargo on PATH"
python3 -m venv "$work/wheel-venv"
"$work/wheel-venv/bin/pip" install --quiet --disable-pip-version-check "$wheel"
[ -x "$work/wheel-venv/bin/bplint" ] || fail "the wheel installed no bin/bplint"
version=$(env PATH="$work/wheel-venv/bin:/usr/bin:/bin" bplint --version)
[ "$version" = "bplint $(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)" ] ||
  fail "the wheel's bplint says \`$version\`"
wheel_output=$(env PATH="$work/wheel-venv/bin:/usr/bin:/bin" bplint check --color never blueprints) ||
  fail "the wheel's bplint failed on the clean blueprints: $wheel_output"
grep -q '^No problems in 4 files (Authentik [0-9.]*, the newest bplint knows)\.$' <<< "$wheel_output" || fail "the wheel's bplint: $wheel_output"

step "the bplint-system hook, with the wheel's bplint on PATH"
export PATH="$work/wheel-venv/bin:$PATH"
sed -i 's/- id: bplint$/- id: bplint-system/' .pre-commit-config.yaml
grep -q 'id: bplint-system' .pre-commit-config.yaml || fail "could not switch to bplint-system"
git add .pre-commit-config.yaml
run_hooks
[ "$status" -eq 0 ] || fail "bplint-system: pre-commit exited $status, expected 0"
grep -q '^No problems in 4 files (Authentik [0-9.]*, the newest bplint knows)\.$' <<< "$output" || fail "bplint-system: the blueprints were not checked in one run"

step "pip install without cargo and with MATURIN_NO_INSTALL_RUST=1: fails at once, downloads no toolchain"
# Without cargo on PATH, maturin's build backend downloads a Rust toolchain
# before building (README.md, Installation); MATURIN_NO_INSTALL_RUST, as README
# and .pre-commit-hooks.yaml say, turns that into a plain failure.
python3 -m venv "$work/nocargo-venv"
status=0
nocargo=$(env PATH="$work/nocargo-venv/bin:/usr/bin:/bin" MATURIN_NO_INSTALL_RUST=1 \
  "$work/nocargo-venv/bin/pip" install --disable-pip-version-check "$snapshot" 2>&1) || status=$?
printf '%s\n' "$nocargo" | tail -n 15
[ "$status" -ne 0 ] || fail "pip install without cargo succeeded"
grep -qi 'cargo' <<< "$nocargo" || fail "pip install without cargo failed without naming cargo"
! grep -q 'Rust not found, installing' <<< "$nocargo" || fail "maturin tried to install Rust"

step "the bplint-python hook: pre-commit installs the package with pip (maturin builds it)"
sed -i 's/- id: bplint-system$/- id: bplint-python/' .pre-commit-config.yaml
git add .pre-commit-config.yaml
started=$(date +%s)
"$work/venv/bin/pre-commit" install-hooks
echo "hook environment built in $(($(date +%s) - started)) s"
cp "$root/fixtures/BP101/bad.yaml" blueprints/dashboard.yaml
git add blueprints/dashboard.yaml
run_hooks
[ "$status" -eq 1 ] || fail "bplint-python: pre-commit exited $status, expected 1"
grep -q 'BP101(missing-invalidation-flow)' <<< "$output" || fail "bplint-python: no BP101 finding"

echo
echo "pre-commit integration test: passed"
