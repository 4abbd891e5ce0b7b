#!/usr/bin/env bash
# `docsite check` against parsing alone (examples/parse_only.rs: list, read and run
# pulldown-cmark over every page) on the real corpus and the ~10k-page scaled corpus.
# Target (issue "docsite check"): check < 1.2 x parse-only at 10k pages.
#
#   bench/check.sh            (needs hyperfine: sudo bash ../shared/bench/install-peers.sh)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
SHARED="$(cd "$REPO/../shared" && pwd)"
command -v hyperfine >/dev/null || { echo "bench/check.sh: hyperfine missing (see bench/README.md)" >&2; exit 2; }
cd "$REPO"
cargo build --release --quiet --bin docsite --example parse_only
BIN="$REPO/target/release/docsite"
PARSE="$REPO/target/release/examples/parse_only"
TMP="${BENCH_TMP:-$(mktemp -d)}"
CORPUS="$SHARED/corpus/coder-docs/docs"
[ -d "$TMP/coder-10k/docs" ] || python3 "$SHARED/bench/scale.py" "$CORPUS" "$TMP/coder-10k/docs" --pages 10000 --no-check >/dev/null
for docs in "$CORPUS" "$TMP/coder-10k/docs"; do
  echo "== $docs"
  # check exits 1 on this corpus (its real broken links): that is its answer, not a failure.
  hyperfine --style basic -N --warmup 1 --runs "${RUNS:-10}" -i \
    --command-name parse-only "$PARSE $docs" \
    --command-name check "$BIN check --docs $docs --format json"
done
