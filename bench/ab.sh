#!/usr/bin/env bash
# Compares two commands by running them in turn, N times each, so that both see
# the same load on a shared machine; prints the median, minimum and first
# quartile of each (wall milliseconds) and the ratio of the medians, B / A.
#
#     bash bench/ab.sh 40 "xan sample --seed 1 -g team 3 bench/work/1m/extract.csv" \
#         "target/release/caseaudit -c bench/caseaudit.toml --as-of 2026-11-26 -q sample bench/work/1m/extract.csv --seed 1"
#
# Run bench/run.sh first: it builds the binary and makes bench/work.
set -euo pipefail
if [[ $# -ne 3 ]]; then
    echo "usage: bash bench/ab.sh RUNS \"COMMAND A\" \"COMMAND B\"" >&2
    exit 2
fi
runs=$1 a=$2 b=$3
cd "$(dirname "$0")/.."
for _ in 1 2 3; do eval "$a" >/dev/null; eval "$b" >/dev/null; done
for _ in $(seq "$runs"); do
    for side in A B; do
        cmd=$a; [[ $side == B ]] && cmd=$b
        start=$(date +%s%N); eval "$cmd" >/dev/null; end=$(date +%s%N)
        echo "$side $(( (end - start) / 1000 ))"
    done
done | python3 -c '
import statistics, sys
times = {"A": [], "B": []}
for line in sys.stdin:
    side, micros = line.split()
    times[side].append(int(micros) / 1000)
for side in "AB":
    t = sorted(times[side])
    print(f"{side}: median {statistics.median(t):.1f} ms, min {t[0]:.1f}, first quartile {t[len(t) // 4]:.1f}")
ratio = statistics.median(times["B"]) / statistics.median(times["A"])
print(f"B / A (medians): {ratio:.3f}")
'
