#!/usr/bin/env bash
# Ingest benchmark: datastroom vs DuckDB on the same Fixi-style export (Windows-1252, ';',
# decimal comma, Dutch date-times), then on a narrow export with much accented text
# (benches/gen_narrow.py, 7 columns); wall time and peak memory (/usr/bin/time -v).
#
#   bash benches/ingest_vs_duckdb.sh            # 1M and 10M rows
#   ROWS="100000" bash benches/ingest_vs_duckdb.sh
#   DATA=/tmp/benchdata bash benches/ingest_vs_duckdb.sh   # files elsewhere (default benches/data)
#
# Needs python3 with duckdb (pip install duckdb); builds datastroom in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/datastroom-target}"
ROWS="${ROWS:-1000000 10000000}"
DATA="${DATA:-benches/data}"
mkdir -p "$DATA"
python3 -c "import duckdb" 2>/dev/null || pip install --quiet duckdb
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release/datastroom"

source benches/measure.sh

# compare SHAPE GENERATOR [DUCKDB-MODE]: each size of one shape of export, both sides.
compare() {
  local shape=$1 gen=$2 mode=${3:-}
  for n in $ROWS; do
    local csv="$DATA/${shape}_$n.csv" wh out
    [ -f "$csv" ] || python3 "benches/$gen" "$n" "$csv"
    wh=$(mktemp -d)
    measure "$n $shape rows, datastroom" "$BIN" --quiet --warehouse "$wh" ingest "$csv" \
      --dataset meldingen --mode replace --max-rejects 100 --format csv
    rm -rf "$wh"
    out=$(mktemp -d)
    measure "$n $shape rows, duckdb" python3 benches/duckdb_ingest.py "$csv" \
      "$out/meldingen.parquet" $mode
    rm -rf "$out"
  done
}

compare fixi gen_fixi.py
# The second shape (issue 14): a narrow export, 7 columns, much accented text, Windows-1252.
compare narrow gen_narrow.py narrow
