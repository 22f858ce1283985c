#!/usr/bin/env bash
# Record one Authentik release's serializer facts into knowledge/serializers/<release>.json,
# using the oracle that ../shared/oracle/setup.sh installs (AK_VERSION picks the release).
#   AK_VERSION=2025.12.4 scripts/introspect-serializers.sh
# Then `python3 scripts/gen-validators.py` regenerates src/knowledge/validators.rs.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ORACLE="${ORACLE:-$HERE/../../shared/oracle}"
# shellcheck source=/dev/null
source "$ORACLE/env.sh"
[ -x "$AK_VENV/bin/python" ] || { echo "no oracle for $AK_VERSION: run $ORACLE/setup.sh first" >&2; exit 2; }
ak_pg_start
OUT="$HERE/../knowledge/serializers/$AK_VERSION.json"
mkdir -p "$(dirname "$OUT")"
(cd "$AK_SRC" && "$AK_VENV/bin/python" "$HERE/introspect-serializers.py") > "$OUT.tmp" 2> "$OUT.log" || {
  tail -20 "$OUT.log" >&2; rm -f "$OUT.tmp"; exit 1; }
mv "$OUT.tmp" "$OUT"
rm -f "$OUT.log"
echo "wrote $OUT"
