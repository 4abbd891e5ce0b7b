#!/usr/bin/env bash
# Search benchmark (issue #7): index size on the real corpus, first-query transfer and
# latency in headless Chromium on the real and the ~10k-page scaled corpus, and build
# time with and without the index (hyperfine).
#
#   bench/search.sh [OUT]      (OUT default: a mktemp -d folder, removed at exit)
#
# Environment:
#   DOCSITE_BIN   use this docsite binary instead of `cargo build --release`
#   CORPUS        the 1x docs folder (default ../shared/corpus/coder-docs/docs)
#   PAGES         size of the scaled corpus (default 10000; scale.py --pages)
#   RUNS          hyperfine runs per command (default 5 at 1x, 3 at scale)
#   QUERIES       the queries typed, in order, space-separated, `+` for a space
#                 (default "replicas replcias repli gateway+key workspace")
#   CHROMIUM      default /usr/bin/chromium
#   TIMES=0       skip the hyperfine build times (only sizes and the browser probe)
#   BASE_BIN      also time this binary (e.g. built from the commit before search), to
#                 include what DOCSITE_NO_SEARCH does not skip (the markdown pass
#                 collecting section text)
#   An existing OUT/scaled/docs is reused.
#
# Without virtual time: the probe (tests/search_probe.html) runs in a real headless
# Chromium, timing with performance.now() from the input event to the rendered list
# (expansion, shard and entry loads from a loopback server, ranking, rendering), and
# POSTs its result to the small server this script starts. Transfer = encoded body bytes
# of the search files the page loaded (search.js counted apart).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
CORPUS="${CORPUS:-$(cd "$REPO/.." && pwd)/shared/corpus/coder-docs/docs}"
SCALE_PY="$(cd "$REPO/.." && pwd)/shared/bench/scale.py"
PAGES="${PAGES:-10000}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
QUERIES="${QUERIES:-replicas replcias repli gateway+key workspace}"

for tool in hyperfine python3 "$CHROMIUM"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench/search.sh: $tool not found" >&2; exit 2; }
done
[ -f "$CORPUS/manifest.json" ] || { echo "bench/search.sh: no manifest.json in $CORPUS (set CORPUS)" >&2; exit 2; }
[ -f "$SCALE_PY" ] || { echo "bench/search.sh: $SCALE_PY not found" >&2; exit 2; }

if [ $# -ge 1 ]; then
  OUT="$1"
  mkdir -p "$OUT"
else
  OUT="$(mktemp -d)"
  trap 'rm -rf "$OUT"' EXIT
fi

if [ -z "${DOCSITE_BIN:-}" ]; then
  (cd "$REPO" && cargo build --release --quiet)
  DOCSITE_BIN="${CARGO_TARGET_DIR:-$REPO/target}/release/docsite"
fi
echo "docsite: $DOCSITE_BIN ($(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo '?'))"

# One server for every probe: serves a site folder, answers POST /__result by writing
# the body to $OUT/result.json.
serve() { # serve SITE PORTFILE
  python3 - "$1" "$2" "$OUT/result.json" <<'PY' &
import http.server, socketserver, sys, os
site, portfile, result = sys.argv[1:4]
class H(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k): super().__init__(*a, directory=site, **k)
    def log_message(self, *a): pass
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(result + ".tmp", "wb") as f: f.write(body)
        os.replace(result + ".tmp", result)
        self.send_response(204); self.end_headers()
class S(socketserver.ThreadingMixIn, http.server.HTTPServer): daemon_threads = True
s = S(("127.0.0.1", 0), H)
open(portfile, "w").write(str(s.server_address[1]))
s.serve_forever()
PY
  SERVER_PID=$!
  for _ in $(seq 100); do [ -s "$2" ] && break; sleep 0.05; done
  PORT="$(cat "$2")"
}

probe() { # probe SITE PAGE LABEL
  local site="$1" page="$2" label="$3" qs="" q
  cp "$REPO/tests/search_probe.html" "$site/__search.html"
  for q in $QUERIES; do qs="$qs&q=$q"; done
  rm -f "$OUT/result.json" "$OUT/port"
  serve "$site" "$OUT/port"
  local profile; profile="$(mktemp -d)"
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$profile" \
    "http://127.0.0.1:$PORT/__search.html?post&page=$page$qs" >/dev/null 2>&1 &
  local chrome=$!
  for _ in $(seq 600); do [ -s "$OUT/result.json" ] && break; sleep 0.1; done
  kill "$chrome" "$SERVER_PID" 2>/dev/null || true
  wait "$chrome" "$SERVER_PID" 2>/dev/null || true
  sleep 0.5; rm -rf "$profile" 2>/dev/null || true
  [ -s "$OUT/result.json" ] || { echo "bench/search.sh: no probe result for $label" >&2; exit 1; }
  cp "$OUT/result.json" "$OUT/probe-$label.json"
  python3 - "$OUT/probe-$label.json" "$label" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); label = sys.argv[2]
if r.get("error"): sys.exit(f"probe error ({label}): {r['error']}")
script = sum(f["bytes"] for f in r["files"] if f["name"] == "search.js")
index = sum(f["bytes"] for f in r["onFocus"] if f["name"] != "search.js")
print(f"\n{label}: on focus search.js {script/1024:.1f} KB + index.js {index/1024:.1f} KB")
print("| query | results | first result | ms | index transfer so far (KB, without search.js) |")
print("|---|---|---|---|---|")
for q in r["queries"]:
    first = q["results"][0]["href"] if q["results"] else "-"
    print(f"| `{q['q']}` | {q['count']} | `{first}` | {q['ms']} | {(q['transfer'] - script)/1024:.1f} |")
PY
}

size_line() { # size_line SITE
  local d="$1/_docsite/search"
  local idx shards pages largest_page
  idx=$(stat -c %s "$d/index.js")
  shards=$(cat "$d"/s*.js | wc -c)
  # Page entries live in folders of 100: p/<page / 100>/<page>.js.
  pages=$(find "$d/p" -type f -name '*.js' -printf '%s\n' | awk '{s += $1} END {print s}')
  largest_page=$(find "$d/p" -type f -name '*.js' -printf '%s\n' | sort -n | tail -1)
  printf 'index.js %.1f KB, %d shards %.1f KB (largest %.1f KB), page entries %.1f KB (largest %.1f KB)\n' \
    "$(echo "$idx/1024" | bc -l)" "$(ls "$d"/s*.js | wc -l)" "$(echo "$shards/1024" | bc -l)" \
    "$(echo "$(ls -S "$d"/s*.js | head -1 | xargs stat -c %s)/1024" | bc -l)" \
    "$(echo "$pages/1024" | bc -l)" "$(echo "$largest_page/1024" | bc -l)"
}

build_times() { # build_times LABEL DOCS RUNS: wall, user and system time of full builds
  local label="$1" docs="$2" runs="$3"
  local cmds=(-n "with search" "$DOCSITE_BIN build --docs $docs --out $OUT/h-$label"
    -n "DOCSITE_NO_SEARCH=1" "DOCSITE_NO_SEARCH=1 $DOCSITE_BIN build --docs $docs --out $OUT/h-$label")
  [ -z "${BASE_BIN:-}" ] || cmds+=(-n "BASE_BIN" "$BASE_BIN build --docs $docs --out $OUT/h-$label")
  hyperfine --warmup 1 --runs "$runs" --export-json "$OUT/build-$label.json" "${cmds[@]}" >/dev/null 2>&1
  python3 - "$OUT/build-$label.json" <<'PY'
import json, sys
rs = json.load(open(sys.argv[1]))["results"]
base = rs[1]  # DOCSITE_NO_SEARCH=1
print("| build | median s | ± sd | user s | system s | median vs no index |")
print("|---|---|---|---|---|---|")
for r in rs:
    print(f"| {r['command']} | {r['median']:.3f} | {r['stddev']:.3f} | {r['user']:.3f} | {r['system']:.3f} | {r['median'] / base['median']:.2f}x |")
PY
}

echo "== 1x: $CORPUS"
"$DOCSITE_BIN" build --docs "$CORPUS" --out "$OUT/site-1x" 2>&1 | tail -1
size_line "$OUT/site-1x"
probe "$OUT/site-1x" /ai-coder/agents/ 1x
[ "${TIMES:-1}" = 0 ] || build_times 1x "$CORPUS" "${RUNS:-5}"

echo
echo "== scaled: $PAGES pages"
[ -f "$OUT/scaled/docs/manifest.json" ] ||
  python3 "$SCALE_PY" "$CORPUS" "$OUT/scaled/docs" --pages "$PAGES" --no-check >/dev/null
"$DOCSITE_BIN" build --docs "$OUT/scaled/docs" --out "$OUT/site-scaled" 2>&1 | tail -1
size_line "$OUT/site-scaled"
probe "$OUT/site-scaled" /copy-7/ai-coder/agents/ scaled
[ "${TIMES:-1}" = 0 ] || build_times scaled "$OUT/scaled/docs" "${RUNS:-3}"
