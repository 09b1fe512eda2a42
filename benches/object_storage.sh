#!/usr/bin/env bash
# The warehouse in object storage against a folder (issue 14): a full ingest of 1M Fixi-style
# rows, the weekly upsert of 100k rows into it, and a GROUP BY over it, into a folder, a local
# S3 server (moto) and the Azure emulator (azurite), so that the figures show what the
# uploads and downloads cost (the servers run on this machine: no network in between).
#
#   bash benches/object_storage.sh               # release build
#   BIN=path/to/datastroom bash benches/object_storage.sh
#
# Needs moto[server], boto3 and azure-storage-blob (pip) and azurite (npm; .ci/object-storage
# installs them). The files come from benches/gen_fixi.py, as in benches/scale.sh. Figures in
# docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/datastroom-target}"
DATA="${DATA:-benches/data}"
AZURITE="${AZURITE:-$HOME/.cache/datastroom-azurite/node_modules/.bin/azurite-blob}"
mkdir -p "$DATA"
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN="$CARGO_TARGET_DIR/release/datastroom"
fi
source benches/measure.sh
csv="$DATA/fixi_1000000.csv" week="$DATA/fixi_week_100000.csv"
[ -f "$csv" ] || python3 benches/gen_fixi.py 1000000 "$csv"
[ -f "$week" ] || python3 benches/gen_fixi.py 100000 "$week" 7
export DATASTROOM_KEY=bench-key-0123456789abcdef
work=$(mktemp -d)
moto_server -p 5999 >/dev/null 2>&1 & moto=$!
(cd "$work" && exec "$AZURITE" --blobHost 127.0.0.1 --blobPort 10999 --inMemoryPersistence \
  --skipApiVersionCheck --silent >/dev/null 2>&1) & azurite=$!
trap 'kill $moto $azurite 2>/dev/null; rm -rf "$work"' EXIT
sleep 4
python3 - <<'PY'
import boto3
from azure.storage.blob import BlobServiceClient
boto3.client("s3", endpoint_url="http://127.0.0.1:5999", region_name="eu-west-1",
             aws_access_key_id="t", aws_secret_access_key="t").create_bucket(
    Bucket="bench", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
BlobServiceClient.from_connection_string(
    "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey="
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
    "BlobEndpoint=http://127.0.0.1:10999/devstoreaccount1;").create_container("bench")
PY
export AWS_ACCESS_KEY_ID=t AWS_SECRET_ACCESS_KEY=t AWS_REGION=eu-west-1 \
  AWS_ENDPOINT=http://127.0.0.1:5999 AWS_ALLOW_HTTP=true \
  AZURE_STORAGE_USE_EMULATOR=true AZURITE_BLOB_STORAGE_URL=http://127.0.0.1:10999
for wh in "$work/folder" s3://bench/warehouse az://bench/warehouse; do
  measure "$wh: 1M rows, full ingest" "$BIN" -q --warehouse "$wh" ingest "$csv" -d meldingen \
    --mode replace --max-rejects 100 --format csv
  measure "$wh: 100k upserted" "$BIN" -q --warehouse "$wh" ingest "$week" -d meldingen \
    --mode upsert --force --max-rejects 100 --format csv
  measure "$wh: GROUP BY categorie" "$BIN" -q --warehouse "$wh" sql \
    "SELECT categorie, COUNT(*) FROM meldingen GROUP BY 1"
done
