#!/usr/bin/env bash
# Waitlist benchmark: `datastroom waitlist` (summary per team plus the Kaplan-Meier tables per
# team, read from the warehouse) against lifelines fitting the same curves. Wall time and peak
# memory of each datastroom run (/usr/bin/time -v); lifelines' fitting time alone.
#
#   bash benches/waitlist_vs_lifelines.sh           # 1M cases
#   ROWS=100000 bash benches/waitlist_vs_lifelines.sh
#
# Needs python3 with duckdb, lifelines and pyarrow (pip install duckdb lifelines pyarrow).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/datastroom-target}"
ROWS="${ROWS:-1000000}"
AS_OF=2025-01-31
DATA=benches/data
mkdir -p "$DATA"
python3 -c "import duckdb, lifelines, pyarrow" 2>/dev/null || pip install --quiet duckdb lifelines pyarrow
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/datastroom"

source benches/measure.sh

csv="$DATA/zaken_$ROWS.csv"
[ -f "$csv" ] || python3 benches/gen_zaken.py "$ROWS" "$csv"
wh=$(mktemp -d)
trap 'rm -rf "$wh"' EXIT
export DATASTROOM_KEY=benchmark-key-0123456789
echo "$ROWS cases, as of $AS_OF"
measure "ingest (not part of the target)" "$BIN" -q --warehouse "$wh" ingest "$csv" -d zaken_sociaal --format csv
for section in by survival; do
  measure "waitlist --section $section --by team" "$BIN" -q --warehouse "$wh" --as-of "$AS_OF" \
    waitlist --preset jeugd --section "$section" --by team --format csv
done
"$BIN" -q --warehouse "$wh" --as-of "$AS_OF" waitlist --preset jeugd --format csv
measure "python3 lifelines (whole run)" python3 benches/lifelines_km.py "$AS_OF" "$wh"/zaken_sociaal/*.parquet
python3 benches/lifelines_km.py "$AS_OF" "$wh"/zaken_sociaal/*.parquet
