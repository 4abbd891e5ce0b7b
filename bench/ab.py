#!/usr/bin/env python3
"""Builds the same docs with several docsite binaries in turn and prints the medians.

    bench/ab.py ROUNDS OUT BINARY[@VAR=VALUE,...] ...

Each round runs every binary once, in the order given, with OUT deleted before each build
(as the shared harness does), so that slow drift of the machine (ext4's recently deleted
inodes, page cache, other load) falls on all of them alike. `@VAR=VALUE,...` after a binary
sets environment variables for its builds, so one binary can be compared against itself
with an experimental switch. DOCS (environment) is the docs folder; the default is the 10x
corpus that bench/run.sh makes in its scratch folder.

Put OUT in /dev/shm to leave the filesystem out of the comparison.
"""

import os
import resource
import shutil
import statistics
import subprocess
import sys
import time


def parse(spec):
    binary, _, assignments = spec.partition("@")
    env = dict(os.environ)
    for pair in filter(None, assignments.split(",")):
        name, _, value = pair.partition("=")
        env[name] = value
    return binary, env


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    rounds, out, specs = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    docs = os.environ.get("DOCS", "/tmp/benchr/corpus/coder-x10/docs")
    runs = {spec: [] for spec in specs}
    for _ in range(rounds):
        for spec in specs:
            binary, env = parse(spec)
            shutil.rmtree(out, ignore_errors=True)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(
                [binary, "build", "--docs", docs, "--out", out],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=env,
                check=True,
            )
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            runs[spec].append((wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime))
    shutil.rmtree(out, ignore_errors=True)
    for spec, r in runs.items():
        median = lambda k: statistics.median(x[k] for x in r) * 1000
        print(
            f"{spec:44} n={len(r)} wall median {median(0):6.1f} ms (min {min(x[0] for x in r) * 1000:6.1f})"
            f"  user {median(1):6.1f}  sys {median(2):6.1f}"
        )


if __name__ == "__main__":
    main()
