#!/bin/bash
# The evacuation benchmark set (issue 10): the 16 `corridor bench --evacuation` cases (4 maps x
# spread/assembled combatants x default/200,000-per-hour checkpoints, one thread), then the
# example scenario's plan and its independent check (`evacuate --verify`).
#
#   scripts/bench16.sh BIN OUTDIR [REPO]     # BIN: a release build of corridor; REPO: the checkout
#   python3 scripts/bench16_summary.py OUTDIR
#
# Maps from ../shared/data (REPO/../shared/data, else /work/shared/data).
set -u
BIN=$(realpath "$1"); OUT=$2; REPO=${3:-$(dirname "$(dirname "$(realpath "$0")")")}
DATA=$REPO/../shared/data; [ -d "$DATA" ] || DATA=/work/shared/data
mkdir -p "$OUT"
for m in andorra liechtenstein malta helsinki; do
  for c in "":"" asm:--combatants-assembled rb:"--checkpoint-capacity 200000" rb_asm:"--checkpoint-capacity 200000 --combatants-assembled"; do
    tag=${c%%:*}; args=${c#*:}; name=$m${tag:+_$tag}
    # shellcheck disable=SC2086
    RAYON_NUM_THREADS=1 "$BIN" bench --evacuation "$DATA/$m.osm.pbf" $args --format json \
      > "$OUT/$name.json" 2> "$OUT/$name.err" || echo "$name: exit $?" >&2
  done
done
cd "$REPO" || exit 1
"$BIN" evacuate data/scenarios/andorra-siege/scenario.toml --format json > "$OUT/example.json" 2> "$OUT/example.err"
"$BIN" evacuate data/scenarios/andorra-siege/scenario.toml --verify "$OUT/example.json" > "$OUT/example_verify.txt" 2>&1
echo "example verify rc $?" >> "$OUT/example_verify.txt"
uptime >> "$OUT/example_verify.txt"
