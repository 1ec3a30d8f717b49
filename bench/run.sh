#!/usr/bin/env bash
# The performance benchmark (targets in docs/performance.md#targets): caseaudit
# against xan on a generated million-row extract, plus allocate, themes and
# moderate summary, with peak memory, and a scaling series at 10k / 100k / 1M
# rows. One command from a clean clone:
#
#     bash bench/run.sh            # RUNS=10 bash bench/run.sh for more runs
#
# Installs what it needs (hyperfine and GNU time from Debian, xan from crates.io),
# writes the data under bench/work/ (ignored by git), prints medians and ratios,
# and writes bench/RESULTS.md, which docs/performance.md (and, in short, the
# README) quotes.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/bench/work
RUNS=${RUNS:-5}
AS_OF=2026-11-26
CONFIG=$ROOT/bench/caseaudit.toml
ONE_FRAME=$ROOT/bench/one-frame.toml

say() { printf '\n== %s\n' "$*" >&2; }
die() {
    echo "bench: $*" >&2
    exit 1
}

# Debian packages, installed only when missing (apt-get update first if needed).
need_apt() {
    local path=$1 package=$2
    if command -v "$path" >/dev/null 2>&1; then return; fi
    say "installing $package (apt-get)"
    if ! apt-get install -y -q "$package" >/dev/null 2>&1; then
        apt-get update -q >/dev/null || die "apt-get update failed; install $package by hand"
        apt-get install -y -q "$package" >/dev/null || die "cannot install $package; install it by hand"
    fi
}
need_apt hyperfine hyperfine
need_apt /usr/bin/time time
need_apt python3 python3
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v xan >/dev/null 2>&1; then
    say "installing xan (cargo install xan --locked: several minutes on two cores)"
    cargo install xan --locked || die "cannot install xan"
fi

say "building caseaudit (release)"
cargo build --release --quiet
CA=$ROOT/target/release/caseaudit
[ -x "$CA" ] || die "no binary at $CA"

say "generating the data (seed 1, as of $AS_OF)"
mkdir -p "$WORK/json"
gen() {
    local dir=$1
    shift
    "$CA" generate "$WORK/$dir" --seed 1 --as-of "$AS_OF" --force -q "$@"
}
gen 1m --cases 1000000 --teams 40 --auditors 400 --sample 2000 --audits 100000
gen 100k --cases 100000 --teams 40 --auditors 400 --sample 2000 --audits 1000
gen 10k --cases 10000 --teams 40 --auditors 400 --sample 2000 --audits 1000
gen alloc-500 --cases 20000 --teams 10 --auditors 100 --sample 500 --audits 1000
# The same extract as an episode export: every third case with an older, closed
# episode on a row of its own (1.33 million rows, 1 million cases).
python3 - "$WORK/1m/extract.csv" "$WORK/1m/episodes.csv" <<'PY'
import csv, sys
with open(sys.argv[1], newline="") as f, open(sys.argv[2], "w", newline="") as out:
    rows, w = csv.reader(f), csv.writer(out, lineterminator="\n")
    header = next(rows)
    w.writerow(header)
    start, end = header.index("start_date"), header.index("end_date")
    for i, row in enumerate(rows):
        if i % 3 == 0:
            older = list(row)
            older[start], older[end] = "01/01/2015", "31/12/2015"
            w.writerow(older)
        w.writerow(row)
PY
ls -l "$WORK/1m" >&2

# The benchmarks: name, caseaudit's command, the peer's command (or nothing).
BIG=$WORK/1m
BENCH=()
add() { BENCH+=("$1|$2|${3:-}"); }
add sample "$CA -c $CONFIG --as-of $AS_OF -q sample $BIG/extract.csv --seed 1" \
    "xan sample --seed 1 -g team 3 $BIG/extract.csv"
add cases-count "$CA -c $CONFIG --as-of $AS_OF cases $BIG/extract.csv --where 'risk_factors contains neglect' --count" \
    "xan search -s risk_factors 16A $BIG/extract.csv"
add allocate "$CA -c $CONFIG --as-of $AS_OF -q allocate $BIG/sample.csv --auditors $BIG/auditors.csv --history $BIG/history.csv"
if "$CA" themes --help >/dev/null 2>&1; then
    add themes "$CA -c $CONFIG --as-of $AS_OF themes $BIG/audits.csv"
fi
MISSING=""
if "$CA" moderate summary --help >/dev/null 2>&1; then
    add moderate-summary "$CA -c $CONFIG --as-of $AS_OF moderate summary $BIG/audits.csv $BIG/moderation.csv"
else
    MISSING="moderate summary"
    say "moderate summary: not available in this build; skipped"
fi
if ! "$CA" themes --help >/dev/null 2>&1; then
    MISSING="themes${MISSING:+, $MISSING}"
    say "themes: not available in this build; skipped"
fi
# Scaling: rows, frames, auditors.
for size in 10k 100k; do
    add "sample-$size" "$CA -c $CONFIG --as-of $AS_OF -q sample $WORK/$size/extract.csv --seed 1" \
        "xan sample --seed 1 -g team 3 $WORK/$size/extract.csv"
    add "cases-count-$size" "$CA -c $CONFIG --as-of $AS_OF cases $WORK/$size/extract.csv --where 'risk_factors contains neglect' --count" \
        "xan search -s risk_factors 16A $WORK/$size/extract.csv"
done
# Rows that share a case id are folded into cases in memory: the slower path.
add sample-episodes "$CA -c $CONFIG --as-of $AS_OF -q sample $BIG/episodes.csv --seed 1" \
    "xan sample --seed 1 -g team 3 $BIG/episodes.csv"
add sample-1-frame "$CA -c $ONE_FRAME --as-of $AS_OF -q sample $BIG/extract.csv --seed 1"
# With -o the manifest is written, so the extract's SHA-256 is taken too.
add sample-manifest "$CA -c $CONFIG --as-of $AS_OF -q --force sample $BIG/extract.csv --seed 1 -o $WORK/drawn.csv"
add allocate-500 "$CA -c $CONFIG --as-of $AS_OF -q allocate $WORK/alloc-500/sample.csv --auditors $WORK/alloc-500/auditors.csv --history $WORK/alloc-500/history.csv"

# Each command must work before it is timed.
for entry in "${BENCH[@]}"; do
    IFS='|' read -r name ours peer <<<"$entry"
    for cmd in "$ours" $([ -n "$peer" ] && echo x); do
        [ "$cmd" = x ] && cmd=$peer
        bash -c "$cmd" >/dev/null 2>"$WORK/check.err" || {
            cat "$WORK/check.err" >&2
            die "$name: this command failed: $cmd"
        }
    done
done

# Peak memory (max RSS) of one run, in KiB: the median of three.
peak() {
    local out=()
    for _ in 1 2 3; do
        /usr/bin/time -f '%M' -o "$WORK/time.out" bash -c "exec $1" >/dev/null 2>&1
        out+=("$(tail -1 "$WORK/time.out")")
    done
    printf '%s\n' "${out[@]}" | sort -n | sed -n 2p
}

: >"$WORK/memory.tsv"
for entry in "${BENCH[@]}"; do
    IFS='|' read -r name ours peer <<<"$entry"
    say "$name"
    args=(-N --warmup 1 --runs "$RUNS" --export-json "$WORK/json/$name.json" -n caseaudit "$ours")
    [ -n "$peer" ] && args+=(-n xan "$peer")
    hyperfine "${args[@]}" >&2
    printf '%s\tcaseaudit\t%s\n' "$name" "$(peak "$ours")" >>"$WORK/memory.tsv"
    [ -n "$peer" ] && printf '%s\txan\t%s\n' "$name" "$(peak "$peer")" >>"$WORK/memory.tsv"
done

say "results"
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
MEM=$(free -g | awk '/^Mem:/ {print $2 " GiB"}')
export CPU MEM RUNS AS_OF
export CORES=$(nproc)
export LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
export XAN="xan $(xan --version 2>/dev/null | head -1 | sed 's/^xan //')"
export MISSING
export CA_VERSION=$("$CA" --version)
python3 - "$WORK" "$ROOT/bench/RESULTS.md" <<'PY'
import json, os, statistics, sys, datetime
work, out = sys.argv[1], sys.argv[2]
memory = {}
for line in open(os.path.join(work, "memory.tsv")):
    name, who, kib = line.rstrip("\n").split("\t")
    memory[(name, who)] = int(kib) / 1024

def runs(name):
    data = json.load(open(os.path.join(work, "json", name + ".json")))
    return {r["command"]: r["times"] for r in data["results"]}

def fmt(times):
    return f"{statistics.median(times):.3f} s ({min(times):.3f}–{max(times):.3f})"

TARGETS = {
    "sample": ("ratio ≤ 1.0, peak < 64 MiB", lambda r, m, t: r is not None and r <= 1.0 and m < 64),
    "cases-count": ("ratio ≤ 1.0", lambda r, m, t: r is not None and r <= 1.0),
    "allocate": ("< 1 s", lambda r, m, t: t < 1.0),
    "themes": ("< 0.5 s", lambda r, m, t: t < 0.5),
    "moderate-summary": ("< 0.5 s", lambda r, m, t: t < 0.5),
}
WHAT = {
    "sample": "`sample`, 3 frames (one stratified by team), 1M rows",
    "cases-count": "`cases --where \"risk_factors contains neglect\" --count`, 1M rows",
    "allocate": "`allocate` 2,000 cases / 400 auditors / 40 teams, with history",
    "themes": "`themes` on 100,000 audit rows",
    "moderate-summary": "`moderate summary` on 100,000 audit rows",
    "sample-10k": "`sample`, 3 frames, 10k rows",
    "sample-100k": "`sample`, 3 frames, 100k rows",
    "sample-1-frame": "`sample`, 1 frame (unstratified), 1M rows",
    "sample-episodes": "`sample`, 3 frames, 1.33M episode rows of 1M cases (folded in memory)",
    "sample-manifest": "`sample -o FILE`, 3 frames, 1M rows (writes the manifest, so also takes the extract's SHA-256)",
    "cases-count-10k": "`cases … --count`, 10k rows",
    "cases-count-100k": "`cases … --count`, 100k rows",
    "allocate-500": "`allocate` 500 cases / 100 auditors / 10 teams, with history",
}
PEER = {"sample": "`xan sample --seed 1 -g team 3`", "cases-count": "`xan search -s risk_factors 16A`"}
names = [l.split("\t")[0] for l in open(os.path.join(work, "memory.tsv"))]
names = list(dict.fromkeys(names))
rows, console = [], []
for name in names:
    r = runs(name)
    ours = r["caseaudit"]
    peer = r.get("xan")
    t = statistics.median(ours)
    ratio = t / statistics.median(peer) if peer else None
    m = memory[(name, "caseaudit")]
    base = name.split("-1")[0] if name.startswith("cases-count-1") or name.startswith("sample-1") else name
    target, check = TARGETS.get(name, ("", None))
    holds = "" if check is None else ("yes" if check(ratio, m, t) else "**no**")
    peer_cell = f"{fmt(peer)}" if peer else "—"
    peer_mem = f"{memory[(name, 'xan')]:.1f}" if peer else "—"
    ratio_cell = f"{ratio:.2f}" if ratio is not None else "—"
    rows.append(f"| {WHAT.get(name, name)} | {fmt(ours)} | {peer_cell} | {ratio_cell} | {m:.1f} | {peer_mem} | {target} | {holds} |")
    console.append(f"{name:<18} caseaudit {statistics.median(ours):7.3f} s  {m:6.1f} MiB"
                   + (f"   xan {statistics.median(peer):7.3f} s  {memory[(name, 'xan')]:6.1f} MiB   ratio {ratio:.2f}" if peer else "")
                   + (f"   target {target}: {holds.strip('*')}" if target else ""))
today = datetime.date.today().isoformat()
text = f"""# Benchmark results

Measured by `bash bench/run.sh` on {today}: {os.environ['CORES']} cores ({os.environ['CPU']}),
{os.environ['MEM']} of memory, load average {os.environ['LOAD']} when the results were written
(the machine is shared: timings are noisy, so the spread is given). {os.environ['CA_VERSION']},
{os.environ['XAN']}; hyperfine, 1 warm-up and {os.environ['RUNS']} runs each, median (min–max);
peak memory is the median of three runs' maximum resident set (GNU time). Data: `caseaudit generate`
with seed 1 as of {os.environ['AS_OF']} (1,000,000 rows ≈ 105 MB; 40 teams, 400 auditors).

| benchmark | caseaudit | xan | ratio | caseaudit MiB | xan MiB | target | holds |
|---|---|---|---|---|---|---|---|
""" + "\n".join(rows) + "\n"
if os.environ.get("MISSING"):
    text += f"\nNot measured: `{os.environ['MISSING']}` is not available in this build.\n"
open(out, "w").write(text)
print("\n".join(console))
print(f"\nwrote {out}")
PY
