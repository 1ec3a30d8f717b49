#!/usr/bin/env bash
# Windows check: cross-builds caseaudit.exe (x86_64-pc-windows-gnu, with MinGW)
# and runs a month with it under Wine, through Windows paths with backslashes, in
# folders whose names have spaces. The files it writes must be byte for byte the
# ones the Linux build writes. Installs the Rust target, MinGW and Wine when
# missing. Called by .ci/run; run it alone with `bash tests/windows/run.sh`.
#
# A debug build: it builds in 140 s where a release build (LTO) takes 225 s, and
# keeps overflow checks on; the month below takes seconds either way.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
target=x86_64-pc-windows-gnu
export CARGO_TERM_COLOR=never

# ---- tools ---------------------------------------------------------------
if ! rustup target list --installed | grep -qx "$target"; then
    echo "adding the Rust target $target"
    rustup target add "$target" >/dev/null
fi
need=()
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || need+=(gcc-mingw-w64-x86-64)
command -v wine >/dev/null 2>&1 || need+=(wine wine64)
command -v script >/dev/null 2>&1 || need+=(bsdutils)
if ((${#need[@]})); then
    echo "installing ${need[*]} for the Windows check"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# ---- build ---------------------------------------------------------------
# Its own target folder under target/, so CI can cache it beside the native one;
# no debug info (the exe would be 120 MB and slower to link).
CARGO_TARGET_DIR="$root/target/windows" CARGO_PROFILE_DEV_DEBUG=0 \
    cargo build --locked --target "$target"
# The Linux build, to compare the files each writes: built by `cargo test` just
# before in CI, so cargo is asked again only when it is missing (on clean runners
# a second cargo run straight after a build has failed at its first question to
# rustc).
[[ -x "$root/target/debug/caseaudit" ]] || cargo build --locked
linux="$root/target/debug/caseaudit"

run="$root/target/windows/run"
rm -rf "$run"
mkdir -p "$run/bin"
cp "target/windows/$target/debug/caseaudit.exe" "$run/bin/"
# Debian's Wine 8 lacks ProcessPrng, which Rust's standard library imports: a
# stand-in DLL beside the exe, for this check only (never in a download).
x86_64-w64-mingw32-gcc -shared -O2 -Wall -o "$run/bin/bcryptprimitives.dll" \
    tests/windows/bcryptprimitives.c -lbcrypt

export WINEPREFIX="$root/target/windows/wine-prefix" WINEDEBUG=-all
# No Mono or Gecko prompts when the prefix is made; the stand-in DLL, not Wine's.
export WINEDLLOVERRIDES="mscoree=;mshtml=;bcryptprimitives=n"
trap 'wineserver -w 2>/dev/null || true' EXIT
# The prefix is made (or brought up to date) and settled before anything is
# run in it: Wine's own start-up programs (services, devices, explorer) are
# done, so none of them is still starting while the first test runs.
wine wineboot --init >"$run/wineboot.log" 2>&1 || {
    echo "windows check: wineboot failed:" >&2
    tail -c 4000 "$run/wineboot.log" >&2
    exit 1
}
wineserver -w

# ---- helpers -------------------------------------------------------------
logs="$run/logs"
mkdir -p "$logs"
n=0
# win PATH: the Windows name of a Linux path (Wine's Z: drive is /).
win() { local p=$1; printf 'Z:%s' "${p//\//\\}"; }
fail() {
    echo "windows check FAILED: $*" >&2
    exit 1
}
# exe EXIT ARGS...: runs caseaudit.exe under Wine in the current folder and fails
# unless it exits with EXIT; its output is in $out and $err.
#
# caseaudit never fails without a word on stderr, so a run that ends with
# neither output nor message did not get as far as the program: Wine failed
# to start it. That is shown (with the disk's free space, and Wine's own error
# messages from a second run) and the second run decides.
exe() {
    local want=$1 got=0
    shift
    n=$((n + 1))
    out="$logs/$n.out" err="$logs/$n.err"
    wine "$run/bin/caseaudit.exe" "$@" >"$out" 2>"$err" || got=$?
    if [[ $got != "$want" && ! -s $out && ! -s $err ]]; then
        {
            echo "windows check: in $PWD, caseaudit.exe $* exited $got with no output at all:"
            echo "Wine did not start it. Free space:"
            df -h "$root/target" /tmp 2>&1 || true
            echo "Run again with Wine's error messages on:"
        } >&2
        got=0
        WINEDEBUG=err+all wine "$run/bin/caseaudit.exe" "$@" >"$out" 2>"$err" || got=$?
        echo "windows check: the second run exited $got" >&2
    fi
    if [[ $got != "$want" ]]; then
        {
            echo "in $PWD: caseaudit.exe $* exited $got, not $want"
            # The ends: where a program stops is where it says why.
            echo "--- stdout (its end)"; tail -c 4000 "$out"
            echo "--- stderr (its end)"; tail -c 4000 "$err"
        } >&2
        exit 1
    fi
}
has() { grep -qF -- "$2" "$1" || fail "$1 does not say: $2"; }
same() { cmp "$1" "$2" || fail "$1 and $2 differ"; }
rows() { wc -l <"$1"; }

exe 0 --version
has "$out" "caseaudit "
echo "windows: $(cat "$out") runs under $(wine --version)"

# ---- the demo month ------------------------------------------------------
qa="$run/QA Team"
mkdir -p "$qa"
cd "$qa"
exe 0 demo --as-of 2026-11-26 "$(win "$qa/demo month")"
demo="$qa/demo month"
for f in caseaudit.toml extract.csv auditors.csv history.csv sample.csv sample.csv.manifest.json \
    allocation.csv moderation-sample.csv report.html report.md; do
    [[ -s "$demo/$f" ]] || fail "the demo wrote no $f"
done
has "$demo/report.html" "</html>"
# The same month from the Linux build: every file alike, byte for byte.
"$linux" demo --as-of 2026-11-26 "$run/linux demo" >/dev/null 2>&1
for f in extract.csv history.csv sample.csv sample.csv.manifest.json allocation.csv \
    moderation-sample.csv report.md report.html; do
    same "$demo/$f" "$run/linux demo/$f"
done

# ---- a month by hand: December, from files as Excel saves them on Windows ----
# (UTF-8 with a byte-order mark and CRLF line ends)
dec="$qa/Dec 2026"
mkdir -p "$dec/out files"
for f in extract.csv auditors.csv history.csv; do
    { printf '\xef\xbb\xbf'; sed 's/$/\r/' "$demo/$f"; } >"$dec/$f"
done
cp "$demo/caseaudit.toml" "$dec/"
cd "$dec"
exe 0 validate caseaudit.toml extract.csv auditors.csv ".\\history.csv"
has "$err" "extract.csv: case extract, 1500 rows: ok"
has "$err" "history.csv: audit history, 178 rows: ok"

# sample: an absolute backslashed extract, a relative history, a manifest.
exe 0 sample "$(win "$dec/extract.csv")" --history ".\\history.csv" --seed 7 --as-of 2026-12-15 \
    -o "out files\\sample dec.csv"
has "$err" "sample for 2026-12"
[[ -s "out files/sample dec.csv.manifest.json" ]] || fail "sample wrote no manifest"
exe 0 verify "out files\\sample dec.csv.manifest.json"
has "$out" "verified: 25 cases"
# The Linux build draws the same cases from the LF originals.
mkdir -p "$run/linux dec"
(cd "$demo" && "$linux" sample extract.csv --history history.csv --seed 7 --as-of 2026-12-15 \
    -o "$run/linux dec/sample.csv" 2>/dev/null)
same "out files/sample dec.csv" "$run/linux dec/sample.csv"
# ... and the Windows build verifies the Linux build's manifest (relative paths).
cd "$demo"
exe 0 verify "$(win "$run/linux dec/sample.csv.manifest.json")"
has "$out" "verified: 25 cases"
cd "$dec"
# An existing output is never replaced without --force (Windows' rename rules).
cp "out files/sample dec.csv" "$run/sample-before.csv"
exe 1 sample extract.csv --history history.csv --seed 8 --as-of 2026-12-15 -o "out files\\sample dec.csv"
has "$err" "already exists"
same "out files/sample dec.csv" "$run/sample-before.csv"
exe 0 sample extract.csv --history history.csv --seed 7 --as-of 2026-12-15 --force \
    -o "out files\\sample dec.csv"
same "out files/sample dec.csv" "$run/sample-before.csv"

exe 0 allocate "out files\\sample dec.csv" --auditors auditors.csv --history history.csv \
    -o "$(win "$dec/out files/allocation dec.csv")"
has "$err" "allocated"
allocated=$(($(rows "out files/allocation dec.csv") - 1))

# record: the history is locked, rewritten to a temp file and renamed over itself.
before=$(rows history.csv)
exe 0 record "out files\\allocation dec.csv" --history history.csv --auditors auditors.csv
has "$err" "recorded $allocated audits for 2026-12"
[[ $(rows history.csv) == $((before + allocated)) ]] || fail "history.csv did not gain $allocated rows"
cp history.csv "$run/history-recorded.csv"
exe 0 record "out files\\allocation dec.csv" --history history.csv
has "$err" "already recorded"
same history.csv "$run/history-recorded.csv"
exe 0 record "out files\\allocation dec.csv" --history "$(win "$dec/history.csv")" --replace
has "$err" "row for row: nothing to change"
[[ $(rows history.csv) == $((before + allocated)) ]] || fail "--replace changed the row count"
ls ./*.tmp* .tmp* >/dev/null 2>&1 && fail "a temporary file was left behind"

# Two records at once into one history: the lock keeps both months.
exe 0 sample extract.csv --history history.csv --seed 7 --as-of 2027-01-15 -o "out files\\sample jan.csv"
exe 0 allocate "out files\\sample jan.csv" --auditors auditors.csv --history history.csv \
    -o "out files\\allocation jan.csv"
jan=$(($(rows "out files/allocation jan.csv") - 1))
cp "$demo/history.csv" "both months.csv"
wine "$run/bin/caseaudit.exe" record "out files\\allocation dec.csv" --history "both months.csv" \
    >"$logs/both1.out" 2>"$logs/both1.err" &
first=$!
wine "$run/bin/caseaudit.exe" record "out files\\allocation jan.csv" --history "both months.csv" \
    >"$logs/both2.out" 2>"$logs/both2.err" || fail "the second record at once failed: $(cat "$logs/both2.err")"
wait "$first" || fail "the first record at once failed: $(cat "$logs/both1.err")"
[[ $(grep -c '^2026-12,' "both months.csv") == "$allocated" ]] || fail "both months.csv lost December"
[[ $(grep -c '^2027-01,' "both months.csv") == "$jan" ]] || fail "both months.csv lost January"

# The report, from the demo's audits and moderation, alike from both builds.
cd "$demo"
for ext in html md; do
    exe 0 report --month 2026-11 --audits audits.csv --moderation moderation.csv --sample sample.csv \
        --allocation allocation.csv -o "..\\Dec 2026\\out files\\report nov.$ext"
    "$linux" report --month 2026-11 --audits audits.csv --moderation moderation.csv --sample sample.csv \
        --allocation allocation.csv -o "$run/linux dec/report nov.$ext" 2>/dev/null
    same "$dec/out files/report nov.$ext" "$run/linux dec/report nov.$ext"
done
has "$dec/out files/report nov.html" "</html>"
cd "$dec"

# ---- the console -----------------------------------------------------------
# Piped, output is CSV; on a console (script gives Wine one), the table's
# box-drawing characters reach the screen intact.
exe 0 cases extract.csv --count --by team
has "$out" "team,count"
script -qec "wine '$run/bin/caseaudit.exe' cases extract.csv --count --by team" /dev/null \
    </dev/null >"$logs/console.out" 2>&1 || fail "the console run failed: $(cat "$logs/console.out")"
has "$logs/console.out" "┌─"
has "$logs/console.out" "│ Duty Team 1"
has "$logs/console.out" "└─"

echo "windows: caseaudit.exe passed $n commands under Wine"
