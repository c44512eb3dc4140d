#!/usr/bin/env python3
"""One Markdown table from the JSON files scripts/bench16.sh wrote: egress, valid bound, gap,
what binds, drivers who walk, plan seconds (all, and of them the bounds'), the independent check
and the kept method."""
import json, os, sys

out = sys.argv[1]
print("| case | egress h | bound h | gap | binds | walking drivers | plan s | of it bounds s | verified | kept method |")
print("|---|---|---|---|---|---|---|---|---|---|")
names = sorted(f[:-5] for f in os.listdir(out) if f.endswith(".json") and f != "example.json")
for n in names:
    try:
        r = json.load(open(os.path.join(out, n + ".json")))
    except Exception as e:  # a failed case: say so, keep going
        print(f"| {n} | failed: {e} |")
        continue
    e, b, g = r.get("egress_time_h"), r.get("lower_bound_h"), r.get("gap")
    fmt = lambda x, d=3: "null" if x is None else f"{x:.{d}f}"
    gap = "null" if g is None else f"{100 * g:.2f} %"
    print(f"| {n} | {fmt(e)} | {fmt(b)} | {gap} | {r.get('lower_bound_binds')} | "
          f"{r.get('walking_drivers', 0):,.0f} | {r['plan_s']:.2f} | {r.get('bound_s', 0):.2f} | "
          f"{r['verified']} | {r['method']} |")
ex = os.path.join(out, "example.json")
if os.path.exists(ex):
    r = json.load(open(ex))
    keys = [k for k in ("egress_time_h", "egress_s", "lower_bound_h", "lower_bound_s", "gap") if k in r]
    print("\nexample:", {k: r[k] for k in keys})
    print(open(os.path.join(out, "example_verify.txt")).read().strip().splitlines()[-2:])
