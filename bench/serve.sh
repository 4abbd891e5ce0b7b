#!/usr/bin/env bash
# `docsite serve`: save -> visible latency in headless Chromium (examples/live_latency.rs)
# on the real corpus (53 pages) and the ~10k-page scaled corpus, with the server's own
# incremental rebuild time; then `wrk` against the server for 20 s while a page is edited
# every 200 ms (requests/s, and how many responses were not 2xx/3xx).
# Targets (issue "docsite serve"): median latency <= 100 ms at 53 pages, <= 150 ms at 10k;
# 0 non-2xx/3xx responses under wrk.
#
#   bench/serve.sh            (needs Debian's chromium and wrk: apt-get install chromium wrk)
#
# Environment: EDITS (default 20), WRK_SECONDS (20), WRK_CONNECTIONS (32), BENCH_TMP.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
SHARED="$(cd "$REPO/../shared" && pwd)"
command -v wrk >/dev/null || { echo "bench/serve.sh: wrk missing (apt-get install wrk)" >&2; exit 2; }
[ -x /usr/bin/chromium ] || [ -n "${DOCSITE_CHROMIUM:-}" ] || { echo "bench/serve.sh: chromium missing" >&2; exit 2; }
cd "$REPO"
cargo build --release --quiet --bin docsite --example live_latency
BIN="$REPO/target/release/docsite"
LAT="$REPO/target/release/examples/live_latency"
TMP="${BENCH_TMP:-$(mktemp -d)}"
CORPUS="$SHARED/corpus/coder-docs/docs"
EDITS="${EDITS:-20}"
PAGE="ai-coder/ai-gateway/monitoring"

# Scratch copies: the benchmark edits the pages.
rm -rf "$TMP/serve-1x" "$TMP/serve-10k"
mkdir -p "$TMP/serve-1x" "$TMP/serve-10k"
cp -R "$CORPUS" "$TMP/serve-1x/docs"
python3 "$SHARED/bench/scale.py" "$CORPUS" "$TMP/serve-10k/docs" --pages 10000 --no-check >/dev/null

echo "== live reload latency, 53 pages"
DOCSITE_BIN="$BIN" "$LAT" "$TMP/serve-1x/docs" "$PAGE" "$EDITS"
echo "== live reload latency, ~10k pages"
DOCSITE_BIN="$BIN" "$LAT" "$TMP/serve-10k/docs" "copy-100/$PAGE" "$EDITS"

echo "== peak RSS of serve, ~10k pages (first build, then idle)"
/usr/bin/time -f "%M KB peak RSS" timeout -s INT 60 "$BIN" serve --port 0 --docs "$TMP/serve-10k/docs" \
  >/dev/null 2>"$TMP/serve-10k.err" || true
grep -E "^built|peak RSS" "$TMP/serve-10k.err"

echo "== wrk: ${WRK_SECONDS:-20} s, ${WRK_CONNECTIONS:-32} connections, a page edited every 200 ms (53 pages)"
"$BIN" serve --port 0 --docs "$TMP/serve-1x/docs" >"$TMP/serve.out" 2>"$TMP/serve.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q http "$TMP/serve.out" 2>/dev/null && break; sleep 0.1; done
URL="$(grep -o 'http://[^ ]*' "$TMP/serve.out")"
(
  end=$((SECONDS + ${WRK_SECONDS:-20}))
  i=0
  while [ $SECONDS -lt $end ]; do
    i=$((i + 1))
    printf '\nEdited under load, %s.\n' "$i" >> "$TMP/serve-1x/docs/$PAGE.md"
    sleep 0.2
  done
) &
EDITOR_PID=$!
wrk -t2 -c"${WRK_CONNECTIONS:-32}" -d"${WRK_SECONDS:-20}s" --latency "$URL$PAGE/" | tee "$TMP/wrk.txt"
wait "$EDITOR_PID"
echo "rebuilds during the run: $(grep -c '^rebuilt' "$TMP/serve.err")"
if grep -q "Non-2xx or 3xx" "$TMP/wrk.txt"; then
  grep "Non-2xx or 3xx" "$TMP/wrk.txt"
else
  echo "non-2xx/3xx responses: 0"
fi
