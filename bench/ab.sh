#!/usr/bin/env bash
# Compares two commands by running them in turn, N times each, so that both see
# the same load on a shared machine; prints, for wall time and for CPU time (user
# + system), the median, minimum and first quartile of each (milliseconds) and the
# ratio of the medians, B / A.
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
cd "$(dirname "$0")/.."
python3 - "$@" <<'PY'
import os, resource, statistics, subprocess, sys, time
runs, commands = int(sys.argv[1]), {"A": sys.argv[2], "B": sys.argv[3]}

def run(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(["bash", "-c", cmd], stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall * 1000, cpu * 1000

for _ in range(3):
    for cmd in commands.values():
        run(cmd)
times = {side: {"wall": [], "cpu": []} for side in commands}
for _ in range(runs):
    for side, cmd in commands.items():
        wall, cpu = run(cmd)
        times[side]["wall"].append(wall)
        times[side]["cpu"].append(cpu)
for what in ("wall", "cpu"):
    for side in "AB":
        t = sorted(times[side][what])
        print(f"{what} {side}: median {statistics.median(t):.1f} ms, min {t[0]:.1f}, first quartile {t[len(t) // 4]:.1f}")
    ratio = statistics.median(times["B"][what]) / statistics.median(times["A"][what])
    print(f"{what} B / A (medians): {ratio:.3f}")
PY
