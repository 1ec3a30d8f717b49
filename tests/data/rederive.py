# An independent re-derivation of the sample (docs/method.md#re-deriving-a-sample), as an
# inspector would write it. Run from tests/data: python3 rederive.py 20261
import csv, hashlib, datetime, sys
seed = int(sys.argv[1]); as_of = datetime.date(2026, 11, 26); M = (2026, 11)
def key(cid): return int.from_bytes(hashlib.sha256(f"{seed}:{cid}".encode()).digest()[:8], "big")
def d(s): return datetime.datetime.strptime(s, "%d/%m/%Y").date() if s else None
rows = list(csv.DictReader(open("sample_extract.csv")))
hist = list(csv.DictReader(open("sample_history.csv")))
def months(m): y, mo = map(int, m.split("-")); return (M[0]-y)*12 + M[1]-mo
# Rows of the sampling month itself (its own allocation, once recorded) do not count.
excluded = {h["case_id"] for h in hist if 1 <= months(h["month"]) <= 12}
six = datetime.date(2026, 5, 26)
def closed6(r): e = d(r["end_date"]); return e is not None and e <= as_of and six <= e <= as_of
def stepup(r): return r["referral_source"] == "5D"
def neglect(r): return any(x.strip().replace("a) ", "") in ("16A", "NEG", "Neglect") for x in r["risk_factors"].split(";"))
taken = set()
for name, f, size, strat in [("closed-6m", closed6, 6, True), ("step-up", stepup, 3, False), ("neglect", neglect, 4, False)]:
    el = sorted([r for r in rows if f(r) and r["case_id"] not in excluded and r["case_id"] not in taken], key=lambda r: (key(r["case_id"]), r["case_id"]))
    if strat:
        groups = {}
        for r in el: groups.setdefault(r["team"], []).append(r)
        N = len(el); q = {g: size*len(v)//N for g, v in groups.items()}
        rem = sorted(groups, key=lambda g: (-(size*len(groups[g]) % N), g))
        for g in rem[:size - sum(q.values())]: q[g] += 1
        pick = sorted([r for g, v in groups.items() for r in v[:q[g]]], key=lambda r: (key(r["case_id"]), r["case_id"]))
    else:
        pick = el[:size]
    taken |= {r["case_id"] for r in pick}
    print(name, len(el), [r["case_id"] for r in pick])
