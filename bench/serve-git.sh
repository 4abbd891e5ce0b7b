#!/usr/bin/env bash
# `docsite serve --repo`: time to first byte of a preview whose commit is not built yet
# ("cold"), then of the same page again ("warm"), on a git repository holding the real
# corpus (53 pages) and one holding the ~10k-page scaled corpus; then `wrk` for 20 s
# across three refs of the real corpus (requests/s, non-2xx/3xx responses).
#
#   bench/serve-git.sh          (needs git, curl and wrk: apt-get install git curl wrk)
#
# Environment: WRK_SECONDS (20), WRK_CONNECTIONS (32), BENCH_TMP.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
SHARED="$(cd "$REPO/../shared" && pwd)"
for tool in git curl wrk; do
  command -v "$tool" >/dev/null || { echo "bench/serve-git.sh: $tool missing" >&2; exit 2; }
done
cd "$REPO"
cargo build --release --quiet --bin docsite
BIN="$REPO/target/release/docsite"
TMP="${BENCH_TMP:-$(mktemp -d)}"
CORPUS="$SHARED/corpus/coder-docs/docs"
PAGE="ai-coder/ai-gateway/monitoring/"

# A repository whose `docs/` is DOCS on main, with branches b1 and b2 that each edit PAGE_MD.
make_repo() {
  local dir=$1 docs=$2 page_md=$3
  rm -rf "$dir"; mkdir -p "$dir"
  cp -R "$docs" "$dir/docs"
  (
    cd "$dir"
    export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
    export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
    git init -q -b main . && git add -A && git commit -q -m docs
    for b in b1 b2; do
      git checkout -q -b "$b" main
      printf '\nEdited on %s.\n' "$b" >> "docs/$page_md"
      git commit -q -am "$b"
    done
    git checkout -q main
  )
}

# Starts the server on repo $1; sets URL and SERVER.
start() {
  "$BIN" serve --repo "$1" --docs docs --port 0 >"$TMP/out" 2>"$TMP/err" &
  SERVER=$!
  for _ in $(seq 600); do grep -q http "$TMP/out" 2>/dev/null && break; sleep 0.1; done
  URL="$(grep -o 'http://[^ ]*' "$TMP/out")"
}

ttfb() { curl -s -o /dev/null -w '%{http_code} %{time_starttransfer}' "$1"; }

make_repo "$TMP/repo-1x" "$CORPUS" "${PAGE%/}.md"
python3 "$SHARED/bench/scale.py" "$CORPUS" "$TMP/docs-10k" --pages 10000 --no-check >/dev/null
make_repo "$TMP/repo-10k" "$TMP/docs-10k" "copy-100/${PAGE%/}.md"
trap 'kill ${SERVER:-0} 2>/dev/null || true' EXIT

for scale in 1x 10k; do
  start "$TMP/repo-$scale"
  page=$PAGE; [ "$scale" = 10k ] && page="copy-100/$PAGE"
  echo "== $scale: time to first byte, /@b1/$page"
  for run in cold warm warm; do
    read -r code t <<<"$(ttfb "$URL@b1/$page")"
    echo "  $run: HTTP $code, $(python3 -c "print(round($t * 1000, 1))") ms"
  done
  grep "built preview" "$TMP/err" | sed 's/^/  server: /'
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
done

echo "== wrk: ${WRK_SECONDS:-20} s, ${WRK_CONNECTIONS:-32} connections, /@main/ /@b1/ /@b2/ in turn (53 pages)"
start "$TMP/repo-1x"
for ref in main b1 b2; do curl -s -o /dev/null "$URL@$ref/$PAGE"; done
cat >"$TMP/refs.lua" <<LUA
local paths = { "/@main/$PAGE", "/@b1/$PAGE", "/@b2/$PAGE" }
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % 3) + 1])
end
LUA
wrk -t2 -c"${WRK_CONNECTIONS:-32}" -d"${WRK_SECONDS:-20}s" --latency -s "$TMP/refs.lua" "$URL" | tee "$TMP/wrk.txt"
if grep -q "Non-2xx or 3xx" "$TMP/wrk.txt"; then grep "Non-2xx or 3xx" "$TMP/wrk.txt"; else echo "non-2xx/3xx responses: 0"; fi
