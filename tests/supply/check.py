"""The supply-chain check of deny.toml (licences, sources, wildcards) read from
`cargo metadata`, for when cargo-deny itself cannot be installed: CI runs it only
then, so that the check is never skipped."""
import json
import re
import subprocess
import sys
import time
import tomllib

deny = tomllib.load(open("deny.toml", "rb"))
allowed = set(deny["licenses"]["allow"])
def metadata():
    """`cargo metadata`, asked up to three times (its first question to rustc
    has failed at random on clean runners)."""
    for attempt in range(3):
        run = subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked"],
            capture_output=True, text=True, stdin=subprocess.DEVNULL,
        )
        if run.returncode == 0:
            return json.loads(run.stdout)
        print(run.stderr[-2000:], file=sys.stderr)
        time.sleep(5 * (attempt + 1))
    sys.exit("supply check: cargo metadata failed three times")


meta = metadata()
packages = {p["id"]: p for p in meta["packages"]}
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
root = meta["resolve"]["root"]


def shipped():
    """Every package reached from the root by normal and build dependencies."""
    seen, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        for dep in nodes[pid]["deps"]:
            kinds = {k["kind"] for k in dep["dep_kinds"]}
            if pid != root or kinds - {"dev"}:
                if kinds != {"dev"}:
                    todo.append(dep["pkg"])
    return seen


def satisfied(expr):
    """An SPDX expression (OR, AND, WITH, brackets) met by the allowed licences."""
    tokens = re.findall(r"\(|\)|[A-Za-z0-9.+-]+", expr.replace("/", " OR "))
    pos = 0

    def atom():
        nonlocal pos
        if tokens[pos] == "(":
            pos += 1
            value = either()
            pos += 1
            return value
        name = tokens[pos]
        pos += 1
        if pos < len(tokens) and tokens[pos] == "WITH":
            name = f"{name} WITH {tokens[pos + 1]}"
            pos += 2
        return name in allowed

    def both():
        nonlocal pos
        value = atom()
        while pos < len(tokens) and tokens[pos] == "AND":
            pos += 1
            value = atom() and value
        return value

    def either():
        nonlocal pos
        value = both()
        while pos < len(tokens) and tokens[pos] == "OR":
            pos += 1
            value = both() or value
        return value

    return either()


problems = []
for pid in sorted(shipped()):
    p = packages[pid]
    if pid == root:
        continue
    licence = p.get("license")
    if not licence or not satisfied(licence):
        problems.append(f"{p['name']} {p['version']}: licence {licence!r} is not allowed")
registry = "registry+" + deny["sources"]["allow-registry"][0]
for p in meta["packages"]:
    if p["source"] is not None and p["source"] != registry:
        problems.append(f"{p['name']} {p['version']}: source {p['source']} is not crates.io")
    for d in p["dependencies"] if p["source"] is None else []:
        if d["req"] == "*":
            problems.append(f"{p['name']}: dependency {d['name']} has a * version")
for line in problems:
    print(f"supply check: {line}", file=sys.stderr)
print(f"supply check: {len(shipped()) - 1} shipped crates' licences, "
      f"{len(meta['packages'])} crates' sources: {'ok' if not problems else 'FAILED'}")
sys.exit(1 if problems else 0)
