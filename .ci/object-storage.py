#!/usr/bin/env python3
"""Issue 14: the warehouse in object storage, against a local S3 server (moto) and the Azure
emulator (azurite), nothing outside this machine.

For each store: the samples are ingested into the store and into a folder; `sql`, `datasets`
and the weekly report must be equal (the report byte for byte); Python deltalake reads every
table in the store with the counts `sql` gives; two writers of one dataset at once: the one
that commits second fails with the conflict message and leaves nothing (so the store honours
the conditional write of a version); an upsert, `--snapshot` of the version before it and
`datasets vacuum` work in the store; two showings of personal data are both in the audit
log in the store.

Usage: object-storage.py BINARY [s3|azure ...]. A store whose server is not installed is
skipped with a message; a store that runs and differs fails.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.abspath(sys.argv[1])
KEY = "ci-object-storage-key-0123456789"
AZURITE = os.environ.get(
    "AZURITE",
    os.path.expanduser("~/.cache/datastroom-azurite/node_modules/.bin/azurite-blob"))
EMULATOR_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
WEEK1 = "Meldingnummer;Datum melding;Categorie;Status\n1;1-3-2024;Afval;open\n2;2-3-2024;Groen;open\n"
WEEK2 = "Meldingnummer;Datum melding;Categorie;Status\n2;2-3-2024;Groen;afgehandeld\n3;8-3-2024;Wegen;open\n"
WEEK3 = "Meldingnummer;Datum melding;Categorie;Status\n4;9-3-2024;Afval;open\n"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, what):
    for _ in range(300):
        if proc.poll() is not None:
            raise SystemExit(f"{what} stopped at start (exit {proc.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{what} did not listen on port {port}")


class Run:
    def __init__(self, env, work):
        self.env = dict(os.environ, DATASTROOM_KEY=KEY, **env)
        self.env.pop("DATASTROOM_WAREHOUSE", None)
        self.work = work

    def __call__(self, warehouse, *args, code=0, extra=None):
        env = dict(self.env, **(extra or {}))
        cmd = [BIN, "--warehouse", warehouse, *args]
        p = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        if p.returncode != code:
            raise SystemExit(
                f"{' '.join(cmd)}: exit {p.returncode}, expected {code}\n{p.stdout}\n{p.stderr}"
            )
        return p.stdout

    def spawn(self, warehouse, *args, extra=None):
        env = dict(self.env, **(extra or {}))
        return subprocess.Popen(
            [BIN, "--warehouse", warehouse, *args],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )


def same(what, a, b):
    if a != b:
        raise SystemExit(f"{what} differs:\n--- object storage\n{a}\n--- folder\n{b}")


def without_times(datasets_json):
    rows = json.loads(datasets_json)
    for r in rows:
        for k in list(r):
            if "ingest" in k or "tijd" in k or "time" in k:
                r.pop(k)
    return rows


def check_store(name, url, env, storage_options):
    work = tempfile.mkdtemp(prefix=f"datastroom-{name}-")
    run = Run(env, work)
    local = os.path.join(work, "folder")
    try:
        # Every file in parts (multipart upload), as a file over 64 MB goes.
        run(url, "ingest", "--plan", "examples/inlezen.toml", "-q", code=3,
            extra={"DATASTROOM_UPLOAD_PART": "0"})
        run(local, "ingest", "--plan", "examples/inlezen.toml", "-q", code=3)
        query = ("SELECT categorie, COUNT(*) AS n, MIN(melding_id) AS eerste FROM meldingen "
                 "GROUP BY categorie ORDER BY categorie")
        same("sql", run(url, "sql", query, "--format", "csv"),
             run(local, "sql", query, "--format", "csv"))
        same("datasets", without_times(run(url, "datasets", "--format", "json")),
             without_times(run(local, "datasets", "--format", "json")))
        for where, out in ((url, "report-store"), (local, "report-folder")):
            run(where, "report", "examples/weekly.toml", "--as-of", "2024-07-01",
                "--out-dir", os.path.join(work, out))
        a, b = os.path.join(work, "report-store"), os.path.join(work, "report-folder")
        same("report files", sorted(os.listdir(a)), sorted(os.listdir(b)))
        for f in os.listdir(a):
            with open(os.path.join(a, f), "rb") as x, open(os.path.join(b, f), "rb") as y:
                if x.read() != y.read():
                    raise SystemExit(f"{name}: report file {f} differs from the folder's")
        read_with_deltalake(name, url, run, storage_options)
        two_writers(name, url, run, work)
        print(f"{name}: ingest, sql, datasets, report, deltalake, two writers, upsert, "
              f"snapshot and vacuum in object storage: ok")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def read_with_deltalake(name, url, run, storage_options):
    try:
        import deltalake
        import pyarrow  # noqa: F401  (to_pyarrow_table needs it; deltalake 1.x does not pull it in)
    except ImportError:
        print(f"{name}: Python deltalake or pyarrow not installed; its read is skipped")
        return
    datasets = json.loads(run(url, "datasets", "--format", "json"))
    for d in datasets:
        ds = d["dataset"]
        n = json.loads(run(url, "sql", f"SELECT COUNT(*) AS n FROM {ds}", "--format", "json"))
        t = deltalake.DeltaTable(f"{url.rstrip('/')}/{ds}", storage_options=storage_options)
        rows = t.to_pyarrow_table().num_rows
        if rows != n[0]["n"]:
            raise SystemExit(f"{name}: deltalake reads {rows} rows of {ds}, sql {n[0]['n']}")


def two_writers(name, url, run, work):
    for w, text in (("week1", WEEK1), ("week2", WEEK2), ("week3", WEEK3)):
        with open(os.path.join(work, f"{w}.csv"), "w") as f:
            f.write(text)
    wh = url.rstrip("/") + "-writers/"
    csv = lambda w: os.path.join(work, f"{w}.csv")  # noqa: E731
    run(wh, "ingest", csv("week1"), "-d", "meldingen")
    flag = os.path.join(work, "pause")
    first = run.spawn(wh, "ingest", csv("week2"), "-d", "meldingen",
                      extra={"DATASTROOM_PAUSE_AT": f"commit-ready:{flag}"})
    for _ in range(600):
        if os.path.exists(flag) or first.poll() is not None:
            break
        time.sleep(0.1)
    if not os.path.exists(flag):
        out, err = first.communicate()
        raise SystemExit(f"{name}: the first writer never reached commit-ready\n{out}\n{err}")
    run(wh, "ingest", csv("week3"), "-d", "meldingen")
    os.remove(flag)
    out, err = first.communicate(timeout=120)
    if first.returncode == 0 or "another writer changed this table at the same moment" not in err:
        raise SystemExit(
            f"{name}: the writer that committed second did not lose cleanly "
            f"(exit {first.returncode}); does the store honour If-None-Match?\n{out}\n{err}")
    q = "SELECT melding_id, status FROM meldingen ORDER BY melding_id"
    same(f"{name}: rows after the lost commit", run(wh, "sql", q, "--format", "csv"),
         "melding_id,status\n1,open\n2,open\n4,open\n")
    history = json.loads(run(wh, "datasets", "history", "meldingen", "--format", "json"))
    same(f"{name}: versions", [h["version"] for h in history], [1, 0])
    # An upsert, then the version before it read back, then vacuum.
    run(wh, "ingest", csv("week2"), "-d", "meldingen")
    same(f"{name}: rows after the upsert", run(wh, "sql", q, "--format", "csv"),
         "melding_id,status\n1,open\n2,afgehandeld\n3,open\n4,open\n")
    same(f"{name}: --snapshot meldingen=1",
         run(wh, "sql", q, "--format", "csv", "--snapshot", "meldingen=1"),
         "melding_id,status\n1,open\n2,open\n4,open\n")
    # Two showings of personal data: both lines are in the audit log in the store.
    for _ in range(2):
        run(wh, "waitlist", "--input", "testdata/zaken_wachtlijst.csv", "--preset",
            "wmo-onderzoek", "--section", "open", "--show-personal", "--as-of", "2024-06-30")
    privacy = run(wh, "datasets", "privacy", "--format", "csv")
    if "2x, laatst" not in privacy:
        raise SystemExit(f"{name}: the audit log should have two showings:\n{privacy}")
    removed = run(wh, "datasets", "vacuum", "meldingen", "--keep", "0d", "--format", "csv")
    if len(removed.strip().splitlines()) != 2:
        raise SystemExit(f"{name}: vacuum should remove the one replaced file:\n{removed}")
    same(f"{name}: rows after vacuum",
         run(wh, "sql", "SELECT COUNT(*) AS n FROM meldingen", "--format", "csv"), "n\n4\n")


def s3():
    if shutil.which("moto_server") is None:
        print("s3: moto[server] is not installed; skipped")
        return
    try:
        import boto3
    except ImportError:
        print("s3: boto3 is not installed; skipped")
        return
    port = free_port()
    server = subprocess.Popen(["moto_server", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port, server, "moto_server")
        endpoint = f"http://127.0.0.1:{port}"
        env = {
            "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_REGION": "eu-west-1", "AWS_ENDPOINT": endpoint, "AWS_ALLOW_HTTP": "true",
        }
        boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-1",
                     aws_access_key_id="test", aws_secret_access_key="test").create_bucket(
            Bucket="gemeente", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        options = {
            "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL": endpoint, "AWS_ALLOW_HTTP": "true",
            "AWS_S3_ALLOW_UNSAFE_RENAME": "true",
        }
        check_store("s3", "s3://gemeente/warehouse/", env, options)
    finally:
        server.terminate()
        server.wait()


def azure():
    if not os.path.exists(AZURITE):
        print(f"azure: azurite is not installed ({AZURITE}); skipped")
        return
    try:
        from azure.storage.blob import BlobServiceClient
    except ImportError:
        print("azure: azure-storage-blob is not installed; skipped")
        return
    port = free_port()
    # In memory; its debug log and extent files would otherwise land in the working folder.
    data = tempfile.mkdtemp(prefix="datastroom-azurite-")
    server = subprocess.Popen(
        [AZURITE, "--blobHost", "127.0.0.1", "--blobPort", str(port), "--inMemoryPersistence",
         "--skipApiVersionCheck", "--silent"],
        cwd=data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port, server, "azurite")
        blob = f"http://127.0.0.1:{port}"
        BlobServiceClient.from_connection_string(
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
            f"AccountKey={EMULATOR_KEY};BlobEndpoint={blob}/devstoreaccount1;"
        ).create_container("gemeente")
        env = {"AZURE_STORAGE_USE_EMULATOR": "true", "AZURITE_BLOB_STORAGE_URL": blob}
        options = {"AZURE_STORAGE_USE_EMULATOR": "true"}
        # Python deltalake takes the emulator's address from the environment only.
        os.environ["AZURITE_BLOB_STORAGE_URL"] = blob
        check_store("azure", "az://gemeente/warehouse/", env, options)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    stores = sys.argv[2:] or ["s3", "azure"]
    for store in stores:
        {"s3": s3, "azure": azure}[store]()
