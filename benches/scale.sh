#!/usr/bin/env bash
# Scale benchmark (issue 14): ingest time per row and peak memory at 1M, 10M and 50M Fixi-style
# rows, and the weekly upsert of 100k rows into the largest dataset, against a full ingest.
#
#   bash benches/scale.sh                          # 1M, 10M and 50M rows (about 6.7 GB of CSV)
#   ROWS="1000000 10000000" bash benches/scale.sh  # smaller
#
# The files come from benches/gen_fixi.py (fixed seed). The weekly file has the first 100k
# melding ids of every larger file with other contents (another seed): newer versions of
# existing reports, which the upsert replaces. Then the worst case: every 100th row with another
# status, keys scattered over all files (made with awk). DATA (default
# benches/data) holds them; builds datastroom in release mode. Prints wall time, peak memory and
# microseconds per row; the figures are in docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/datastroom-target}"
ROWS="${ROWS:-1000000 10000000 50000000}"
DATA="${DATA:-benches/data}"
mkdir -p "$DATA"
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/datastroom"

source benches/measure.sh

per_row() { # LABEL ROWS COMMAND...: measure, then the microseconds per row
  local label=$1 rows=$2; shift 2
  local line; line=$(measure "$label" "$@")
  echo "$line" | awk -v n="$rows" '{ printf "%s %10.3f us/row\n", $0, $(NF-3) * 1e6 / n }'
}

week="$DATA/fixi_week_100000.csv"
[ -f "$week" ] || python3 benches/gen_fixi.py 100000 "$week" 7
for n in $ROWS; do
  csv="$DATA/fixi_$n.csv"
  [ -f "$csv" ] || python3 benches/gen_fixi.py "$n" "$csv"
  wh=$(mktemp -d)
  per_row "$n rows, full ingest" "$n" "$BIN" --quiet --warehouse "$wh" ingest "$csv" \
    --dataset meldingen --mode replace --max-rejects 100 --format csv
  # The weekly export: 100k rows whose keys are already there (newer versions of them).
  per_row "100000 rows upserted into $n" 100000 "$BIN" --quiet --warehouse "$wh" ingest "$week" \
    --dataset meldingen --mode upsert --force --max-rejects 100 --format csv
  # The worst case: keys scattered over all files (every 100th row, status changed).
  scattered="$DATA/fixi_scattered_$n.csv"
  [ -f "$scattered" ] || LC_ALL=C awk -F';' 'BEGIN{OFS=";"} NR<=2 {print; next}
    (NR-2)%100==0 {$5="Afgehandeld"; print}' "$csv" > "$scattered"
  per_row "$((n / 100)) scattered rows upserted into $n" $((n / 100)) "$BIN" --quiet \
    --warehouse "$wh" ingest "$scattered" --dataset meldingen --mode upsert --max-rejects 100 \
    --format csv
  rm -rf "$wh"
done
