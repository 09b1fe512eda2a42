#!/usr/bin/env bash
# Peaks benchmarks (figures in docs/performance.md):
#  1. 10M reports over 5 years, 40 categories x 10 wijken: `datastroom peaks` end to end
#     (read the warehouse, count per category and ISO week, Farrington for every category,
#     drivers by subcategorie and wijk) against DuckDB's weekly count aggregation alone.
#  2. Farrington flexible over 400 weekly series, 52 judged weeks each (b 4, 10 periods):
#     datastroom against R surveillance's farringtonFlexible, same counts.
#
#   bash benches/peaks_vs_duckdb.sh            # both (R needs about 4 minutes)
#   SKIP_R=1 bash benches/peaks_vs_duckdb.sh   # without R
#
# Needs python3 with duckdb (pip install duckdb) and, for 2, Rscript with r-cran-surveillance.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/datastroom-target}"
export DATASTROOM_KEY=benchmark-key-0123456789
DATA=benches/data
mkdir -p "$DATA"
python3 -c "import duckdb" 2>/dev/null || pip install --quiet duckdb
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/datastroom"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

source benches/measure.sh

csv="$DATA/meldingen_10000000.csv"
[ -f "$csv" ] || python3 benches/gen_meldingen.py 10000000 "$csv"
"$BIN" -q --warehouse "$tmp/wh" ingest "$csv" -d meldingen --format csv >/dev/null
for i in 1 2 3; do
  measure "datastroom peaks (10M, with drivers)" "$BIN" -q --warehouse "$tmp/wh" --as-of 2025-12-31 \
    peaks --explain subcategorie,wijk --format csv
  measure "duckdb weekly counts (10M)" python3 benches/duckdb_weekly.py "$tmp/wh/meldingen/*.parquet"
done

series="$DATA/weekly400"
[ -f "$series/events.csv" ] || python3 benches/gen_weekly_series.py "$series"
"$BIN" -q --warehouse "$tmp/wh400" ingest "$series/events.csv" -d weekly --format csv >/dev/null
for i in 1 2 3; do
  measure "datastroom Farrington (400 x 52 weeks)" "$BIN" -q --warehouse "$tmp/wh400" --as-of 2025-12-31 \
    peaks --dataset weekly --date-column datum --method farrington --years 4 \
    --from 2025-01-06 --to 2025-12-29 --all --explain none --format csv
done
"$BIN" -q --warehouse "$tmp/wh400" --as-of 2025-12-31 peaks --dataset weekly --date-column datum \
  --method farrington --years 4 --from 2025-01-06 --to 2025-12-29 --explain none --format csv \
  | tail -n +2 | wc -l | xargs echo "datastroom alarms:"
if [ -z "${SKIP_R:-}" ]; then
  Rscript benches/farrington_r.R "$series/counts.csv"
fi
