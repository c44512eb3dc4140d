#!/usr/bin/env bash
# Benchmarks `corridor serve` on loopback: /route/v1 throughput and latency under wrk (fastest
# without a scenario, safest with one), and "incident added -> next safest route reflects it"
# end to end through the API. Usage: scripts/bench-serve.sh MAP.osm.pbf MIN_LON,MIN_LAT,MAX_LON,MAX_LAT
# Needs a release build (cargo build --release), wrk and python3. Loopback only.
set -euo pipefail
map=$1
bbox=$2
bin=${BIN:-${CARGO_TARGET_DIR:-target}/release/corridor}
port=${PORT:-18400}
duration=${DURATION:-20s}
work=$(mktemp -d)
mkdir -p "$work/scenario"
# A scenario with one party and an empty incident log: only incidents added through the API
# carry risk, so every change the benchmark makes is its own.
cat >"$work/scenario/scenario.toml" <<TOML
name = "Benchmark: incident log on $(basename "$map") (invented)"
as_of = "2024-01-31"
map = "$(basename "$map")"
incidents = "incidents.csv"
[[party]]
id = "a"
name = "Party A (invented)"
TOML
echo "event_id_cnty,event_date,event_type,sub_event_type,actor1,actor2,latitude,longitude,fatalities,notes" >"$work/scenario/incidents.csv"
token=$("$bin" token create --role admin --data-dir "$work/data")
"$bin" serve --map "$map" --scenario "$work/scenario/scenario.toml" --data-dir "$work/data" \
    --addr "127.0.0.1:$port" 2>"$work/server.log" &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
    sleep 0.5
done
python3 - "$port" "$token" "$bbox" "$work/paths.txt" <<'PY'
import json, random, sys, urllib.request
port, token, bbox, out = sys.argv[1], sys.argv[2], [float(x) for x in sys.argv[3].split(",")], sys.argv[4]
random.seed(1)
paths = []
for _ in range(2000):
    if len(paths) >= 500:
        break
    a = (random.uniform(bbox[0], bbox[2]), random.uniform(bbox[1], bbox[3]))
    b = (random.uniform(bbox[0], bbox[2]), random.uniform(bbox[1], bbox[3]))
    path = f"/route/v1/foot/{a[0]:.5f},{a[1]:.5f};{b[0]:.5f},{b[1]:.5f}?overview=false"
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"})
    try:
        urllib.request.urlopen(req).read()
        paths.append(path)
    except Exception:
        pass  # off the 500 m snapping limit or no route: not a benchmark request
open(out, "w").write("\n".join(paths) + "\n")
print(f"{len(paths)} routable random pairs", file=sys.stderr)
PY
cat >"$work/paths.lua" <<LUA
local paths = {}
for line in io.lines("$work/paths.txt") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i] .. (os.getenv("SUFFIX") or ""), {["Authorization"] = "Bearer $token"})
end
LUA
echo "== /route/v1/foot, fastest (CCH), $(basename "$map")"
wrk -t2 -c8 -d"$duration" --latency -s "$work/paths.lua" "http://127.0.0.1:$port"
echo "== /route/v1/foot, scenario=... mode=safest (CCH while the weights fit its range, else A*), $(basename "$map")"
SUFFIX="&scenario=scenario&mode=safest" wrk -t2 -c8 -d"$duration" --latency -s "$work/paths.lua" "http://127.0.0.1:$port"
echo "== incident added -> next safest route, end to end"
python3 - "$port" "$token" "$work/paths.txt" <<'PY'
import json, statistics, sys, time, urllib.request
port, token, paths = sys.argv[1], sys.argv[2], open(sys.argv[3]).read().split()
def call(method, path, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req).read())
add, route, total, changed = [], [], [], 0
for k, p in enumerate(paths[:30]):
    p = p.replace("overview=false", "geometries=geojson") + "&scenario=scenario&mode=safest"
    before = call("GET", p)["routes"][0]
    line = before["geometry"]["coordinates"]
    lon, lat = line[len(line) // 2]
    t0 = time.perf_counter()
    call("POST", "/v1/scenarios/scenario/incidents", {"event_id_cnty": f"B{k}", "event_date": "2024-01-31",
         "event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike",
         "latitude": lat, "longitude": lon, "fatalities": 10})
    t1 = time.perf_counter()
    after = call("GET", p)["routes"][0]
    t2 = time.perf_counter()
    changed += (after["geometry"] != before["geometry"] or after["risk"] != before["risk"])
    add.append((t1 - t0) * 1000); route.append((t2 - t1) * 1000); total.append((t2 - t0) * 1000)
q = lambda xs, f: sorted(xs)[min(len(xs) - 1, int(f * len(xs)))]
print(f"{len(total)} incidents; the next safest route changed {changed} times")
for name, xs in [("POST incident (stored + risk rebuilt)", add), ("next safest route", route), ("total", total)]:
    print(f"{name}: p50 {statistics.median(xs):.1f} ms, p90 {q(xs, 0.9):.1f} ms, max {max(xs):.1f} ms")
PY
