#!/usr/bin/env bash
# `docsite preview` speed (issue #5): on the real corpus's seed PR and on a ~10k-page scaled
# corpus with a PR of the same shape (4 pages edited, 1 deleted with its manifest entry):
#   A. building a ref from git objects vs `docsite build` of the same tree on disk
#      (target: within 1.2x), and the whole `docsite preview` against the same;
#   B. the report alone (merge base, diff, both commits read and checked, report and
#      comment; no site): target < 1 s at 10k pages.
#
#   bench/preview.sh   (needs hyperfine; RUNS=5 by default; BENCH_TMP to reuse the repos,
#                       BENCH_OUT for where the sites go)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
SHARED="$(cd "$REPO/../shared" && pwd)"
command -v hyperfine >/dev/null || { echo "bench/preview.sh: hyperfine missing (see bench/README.md)" >&2; exit 2; }
cd "$REPO"
cargo build --release --quiet --bin docsite --example preview_parts
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
BIN="$TARGET/release/docsite"
PARTS="$TARGET/release/examples/preview_parts"
TMP="${BENCH_TMP:-$(mktemp -d)}"
# Sites are written to memory (tmpfs) when it exists: on a shared machine the disk's
# write-back dominates wall time and hides the work being compared.
if [ -n "${BENCH_OUT:-}" ]; then
  OUT="$BENCH_OUT"
elif [ -d /dev/shm ]; then
  OUT="$(mktemp -d /dev/shm/docsite-bench.XXXXXX)"
  trap 'rm -rf "$OUT"' EXIT
else
  OUT="$TMP/out"
fi
RUNS="${RUNS:-5}"
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid

# The seed PR as the corpus builds it.
[ -d "$TMP/seed" ] || "$SHARED/corpus/seed-pr-25852/build-fixture.sh" "$TMP/seed" >/dev/null

# 10k pages (real copies: the PR below edits files), base on main, the PR on branch pr.
if [ ! -d "$TMP/scaled/.git" ]; then
  python3 "$SHARED/bench/scale.py" "$SHARED/corpus/coder-docs/docs" "$TMP/scaled/docs" --pages 10000 --copy --no-check >/dev/null
  git -C "$TMP/scaled" init -q -b main
  git -C "$TMP/scaled" add -A
  git -C "$TMP/scaled" -c commit.gpgsign=false commit -q -m base
  git -C "$TMP/scaled" checkout -q -b pr
  python3 - "$TMP/scaled/docs" <<'PY'
import json, os, sys
docs = sys.argv[1]
for p in ["ai-coder/agents/getting-started.md", "ai-coder/agents/models.md",
          "ai-coder/ai-gateway/clients/index.md", "ai-coder/ai-gateway/setup.md"]:
    with open(os.path.join(docs, "copy-1", p), "a") as f:
        f.write("\nA paragraph added by the pull request.\n")
gone = "./copy-1/ai-coder/ai-gateway/clients/coder-agents.md"
os.remove(os.path.join(docs, gone))
with open(os.path.join(docs, "manifest.json")) as f:
    m = json.load(f)
def drop(routes):
    routes[:] = [r for r in routes if r.get("path") != gone]
    for r in routes:
        drop(r.get("children", []))
drop(m["routes"])
with open(os.path.join(docs, "manifest.json"), "w") as f:
    json.dump(m, f, indent=2, ensure_ascii=False)
PY
  git -C "$TMP/scaled" add -A
  git -C "$TMP/scaled" -c commit.gpgsign=false commit -q -m "the pull request"
  # A CI checkout is a clone, whose objects are packed; `git add` leaves them loose
  # (one file per blob, which costs reading 10k pages ~0.8 s more).
  git -C "$TMP/scaled" repack -adq
fi
git -C "$TMP/seed" repack -adq

for name in seed scaled; do
  R="$TMP/$name"
  head=$(git -C "$R" rev-parse HEAD)
  echo "== $name: $(git -C "$R" ls-files docs | grep -c '\.md$') pages at the head"
  hyperfine --style basic -N --warmup 1 --runs "$RUNS" \
    --command-name "build from disk" "$BIN build --docs $R/docs --out $OUT/out-disk" \
    --command-name "build from git" "$PARTS build-git $R $head $OUT/out-git" \
    --command-name "preview (build + report)" "$BIN preview --repo $R --base main --head $head --name bench --out $OUT/out-preview --url https://previews.example" \
    --command-name "report only" "$PARTS report $R main $head"
done
