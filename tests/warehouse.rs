//! The warehouse as Delta Lake tables (issue 14): a warehouse of format 1 converted by
//! `warehouse migrate`, history and vacuum.

use crate::util::Workdir;
use polars::prelude::*;
use std::path::Path;

/// tests/data/warehouse-v1: every sample ingested by datastroom 0.2.0 before Delta (commit 43ef335) with the plan
/// examples/inlezen.toml (Parquet files plus catalog.json; meldingen and zaken_sociaal hold
/// parts that later ingests replaced).
const V1: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/warehouse-v1");

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Every file below `dir` with its bytes, to see that nothing changed.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else if e.file_name() != ".lock" {
                out.push((
                    e.path().display().to_string(),
                    std::fs::read(e.path()).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

/// A column of one of the old warehouse's Parquet files, read with polars itself, sorted.
fn old_values(file: &str, column: &str) -> Vec<String> {
    let f = std::fs::File::open(Path::new(V1).join(file)).unwrap();
    let df = ParquetReader::new(f).finish().unwrap();
    let mut v: Vec<String> = df
        .column(column)
        .unwrap()
        .as_materialized_series()
        .iter()
        .map(|x| x.str_value().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn a_warehouse_of_format_1_is_converted_losslessly() {
    let wd = Workdir::new();
    let old = wd.path("oud");
    copy_dir(Path::new(V1), &old);
    let before = snapshot(&old);
    let catalog: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(old.join("catalog.json")).unwrap()).unwrap();

    // Read as it is, the old warehouse is refused with the way out.
    let err = wd.fail(wd.cmd(&["datasets", "--warehouse", "oud"]));
    assert!(err.contains("datastroom warehouse migrate"), "{err}");

    let out = wd.run(wd.cmd(&["warehouse", "migrate", "oud", "nieuw", "--format", "json"]));
    let done: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(done.len(), 6);
    for d in &done {
        let entry = &catalog["datasets"][d["dataset"].as_str().unwrap()];
        assert_eq!(d["rows"], entry["rows"], "{d}");
        assert_eq!(d["rejected"], entry["rejected_rows"], "{d}");
        assert_eq!(
            d["sources"].as_u64().unwrap() as usize,
            entry["ingests"].as_array().unwrap().len()
        );
    }
    // The counts of the sample exports (testdata/README.md): 2,242 meldingen, 30 cases.
    let count = |d: &str| done.iter().find(|x| x["dataset"] == d).unwrap()["rows"].as_u64();
    assert_eq!(
        (count("meldingen"), count("zaken_sociaal")),
        (Some(2242), Some(30))
    );
    assert_eq!(snapshot(&old), before, "the old warehouse is not changed");

    // The new warehouse: every dataset a Delta table, its rejects too.
    let new = wd.path("nieuw");
    for name in ["meldingen", "zaken_sociaal", "reisdocumenten", "projecten"] {
        assert!(new.join(name).join("_delta_log").is_dir(), "{name}");
        assert!(
            new.join("_rejects").join(name).join("_delta_log").is_dir(),
            "{name}"
        );
    }
    let sql = |q: &str| -> Vec<serde_json::Value> {
        let out = wd.run(wd.cmd(&["sql", q, "--format", "json", "-q", "--warehouse", "nieuw"]));
        serde_json::from_str(&out).unwrap()
    };
    // Pseudonyms are the same values (read from the old file with polars itself).
    let ids: Vec<String> = sql("SELECT client_id FROM zaken_sociaal ORDER BY client_id")
        .iter()
        .map(|r| r["client_id"].as_str().unwrap_or("null").to_string())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        old_values("zaken_sociaal/part-000006.parquet", "client_id")
    );
    assert_eq!(ids.iter().filter(|i| i.len() == 64).count(), 7, "{ids:?}");
    assert_eq!(ids.len(), 30);
    // Lineage: every ingest with its SHA-256, in order.
    let out = wd.run(wd.cmd(&[
        "datasets",
        "lineage",
        "meldingen",
        "--format",
        "json",
        "--warehouse",
        "nieuw",
    ]));
    let lineage: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let shas: Vec<String> = catalog["datasets"]["meldingen"]["ingests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["sha256"].as_str().unwrap()[..16].to_string())
        .collect();
    assert_eq!(
        lineage
            .iter()
            .map(|l| l["sha256"].as_str().unwrap())
            .collect::<Vec<_>>(),
        shas
    );
    // Rejects, with their reasons.
    let out = wd.run(wd.cmd(&[
        "datasets",
        "rejects",
        "meldingen",
        "--format",
        "json",
        "--warehouse",
        "nieuw",
    ]));
    let rejects: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(rejects.len(), 6);
    assert_eq!(
        old_values("_rejects/meldingen/rejects-000001.parquet", "reason").len()
            + old_values("_rejects/meldingen/rejects-000003.parquet", "reason").len(),
        6
    );
    // The key's fingerprint came along: a wrong key is refused at the next ingest.
    let privacy = wd.run(wd.cmd(&[
        "datasets",
        "privacy",
        "--format",
        "csv",
        "--warehouse",
        "nieuw",
    ]));
    assert!(
        privacy.contains(catalog["key_fingerprint"].as_str().unwrap()),
        "{privacy}"
    );

    // Not twice, not into a folder in use, not a warehouse that is Delta already.
    let err = wd.fail(wd.cmd(&["warehouse", "migrate", "oud", "nieuw"]));
    assert!(err.contains("is not empty"), "{err}");
    let err = wd.fail(wd.cmd(&["warehouse", "migrate", "nieuw", "derde"]));
    assert!(err.contains("Delta tables already"), "{err}");
}

#[test]
fn history_lists_every_version_with_its_ingest() {
    let wd = Workdir::new();
    wd.write(
        "w1.csv",
        "Meldingnummer;Datum melding;Categorie\n1;1-3-2024;Afval\n2;2-3-2024;Groen\n",
    );
    wd.write(
        "w2.csv",
        "Meldingnummer;Datum melding;Categorie\n2;2-3-2024;Wegen\n3;8-3-2024;Wegen\n",
    );
    wd.run(wd.cmd(&["ingest", "w1.csv", "-d", "meldingen"]));
    wd.run(wd.cmd(&["ingest", "w2.csv", "-d", "meldingen"]));
    let out = wd.run(wd.cmd(&["datasets", "history", "meldingen", "--format", "json"]));
    let h: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(h.len(), 2, "{out}");
    assert_eq!(
        (h[0]["version"].as_u64(), h[0]["ingest_id"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(
        (h[1]["version"].as_u64(), h[1]["ingest_id"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(h[0]["operation"], "WRITE");
    assert_eq!(h[1]["operation"], "CREATE TABLE");
    assert_eq!(
        (h[0]["mode"].as_str(), h[0]["accepted"].as_u64()),
        (Some("upsert"), Some(2))
    );
    assert!(h[0]["source"].as_str().unwrap().ends_with("w2.csv"));
}

/// Issue 14: a table whose log has a checkpoint (delta-rs writes one every 100 versions, a
/// weekly ingest's two years) reads the same: its rows counted from the checkpoint's
/// statistics, its entry from the checkpoint's metadata, its history and older versions still
/// there; and with the log's commits before the checkpoint gone (as another tool's log cleanup
/// would leave it), the table is still read and written from the checkpoint.
#[test]
fn a_table_is_read_through_its_checkpoint() {
    let wd = Workdir::new();
    let header = "Meldingnummer;Datum melding;Categorie\n";
    wd.write(
        "w1.csv",
        format!("{header}1;1-3-2024;Afval\n2;2-3-2024;Groen\n"),
    );
    wd.write(
        "w2.csv",
        format!("{header}2;2-3-2024;Wegen\n3;8-3-2024;Wegen\n"),
    );
    wd.write("w3.csv", format!("{header}4;9-3-2024;Groen\n"));
    wd.write(
        "w4.csv",
        format!("{header}1;1-3-2024;Riolering\n5;9-3-2024;Afval\n"),
    );
    wd.run(wd.cmd(&["ingest", "w1.csv", "-d", "meldingen"]));
    wd.run(wd.cmd(&["ingest", "w2.csv", "-d", "meldingen"]));
    let table = wd.warehouse().join("meldingen");
    let url = url::Url::from_directory_path(&table).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let t = deltalake_core::open_table(url).await.unwrap();
        deltalake_core::checkpoints::create_checkpoint(&t, None)
            .await
            .unwrap();
    });
    let log = table.join("_delta_log");
    assert!(log.join("00000000000000000001.checkpoint.parquet").exists());
    wd.run(wd.cmd(&["ingest", "w3.csv", "-d", "meldingen"]));
    let rows = |wd: &Workdir| {
        let out = wd.run(wd.cmd(&["datasets", "--format", "json"]));
        let list: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
        let sql = wd.sql("SELECT COUNT(*) AS n FROM meldingen")[0]["n"].as_u64();
        (list[0]["rows"].as_u64(), sql)
    };
    // 1 and 2 from w1, 2 replaced and 3 from w2, 4 from w3.
    assert_eq!(rows(&wd), (Some(4), Some(4)));
    let out = wd.run(wd.cmd(&["datasets", "history", "meldingen", "--format", "json"]));
    let h: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(h.len(), 3, "{out}");
    let first = wd.sql_at("SELECT COUNT(*) AS n FROM meldingen", "meldingen=0");
    assert_eq!(first[0]["n"], 2);
    // The commits before the checkpoint gone: read and written from the checkpoint alone.
    std::fs::remove_file(log.join("00000000000000000000.json")).unwrap();
    std::fs::remove_file(log.join("00000000000000000001.json")).unwrap();
    assert_eq!(rows(&wd), (Some(4), Some(4)));
    // The history holds the versions the log still has commits of; a moment before them
    // cannot be placed.
    let out = wd.run(wd.cmd(&["datasets", "history", "meldingen", "--format", "json"]));
    let h: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let versions: Vec<_> = h.iter().map(|v| v["version"].as_u64()).collect();
    assert_eq!(versions, [Some(2)], "{out}");
    assert!(
        h[0]["source"].as_str().unwrap().ends_with("w3.csv"),
        "{out}"
    );
    let err = wd.sql_at_fails("SELECT COUNT(*) AS n FROM meldingen", "2024-01-01");
    assert!(
        err.contains("with a commit time is 2 (") && err.contains("DATASET=VERSION"),
        "{err}"
    );
    wd.run(wd.cmd(&["ingest", "w4.csv", "-d", "meldingen"]));
    assert_eq!(rows(&wd), (Some(5), Some(5)));
    let categories = wd.sql("SELECT categorie FROM meldingen WHERE melding_id = '1'");
    assert_eq!(categories[0]["categorie"], "Riolering");
    let lineage = wd.run(wd.cmd(&["datasets", "lineage", "meldingen", "--format", "json"]));
    for file in ["w1.csv", "w2.csv", "w3.csv", "w4.csv"] {
        assert!(lineage.contains(file), "{file}: {lineage}");
    }
}

/// Issue 14: an upsert rewrites only the files that hold a key it replaces. Six reports in
/// files of two rows (`DATASTROOM_FILE_ROWS=2`): 1001-1002, 1003-1004, 1005-1006. A weekly
/// export changes 1004 and adds 1007: by the key ranges in the files' statistics only the
/// middle file can hold either key, it is written anew with 1003 alone, and the export's two
/// rows are a file of their own; the first and last file stay as they are.
#[test]
fn an_upsert_rewrites_only_the_files_it_touches() {
    let wd = Workdir::new();
    let mut base = String::from("Meldingnummer;Datum melding;Categorie\n");
    for (i, cat) in ["Afval", "Groen", "Wegen", "Afval", "Groen", "Wegen"]
        .iter()
        .enumerate()
    {
        base += &format!("{};{}-3-2024;{cat}\n", 1001 + i, 1 + i);
    }
    wd.write("base.csv", base);
    wd.write(
        "week.csv",
        "Meldingnummer;Datum melding;Categorie\n1004;4-3-2024;Riolering\n1007;9-3-2024;Afval\n",
    );
    for file in ["base.csv", "week.csv"] {
        wd.run(
            wd.cmd(&["ingest", file, "-d", "meldingen"])
                .env("DATASTROOM_FILE_ROWS", "2"),
        );
    }
    let log = |v: u32| -> Vec<serde_json::Value> {
        let path = wd
            .warehouse()
            .join(format!("meldingen/_delta_log/{v:020}.json"));
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let paths = |actions: &[serde_json::Value], kind: &str| -> Vec<String> {
        actions
            .iter()
            .filter_map(|a| a.get(kind)?.get("path")?.as_str().map(String::from))
            .collect()
    };
    let v0 = log(0);
    assert_eq!(
        paths(&v0, "add"),
        [
            "part-000001-0000.parquet",
            "part-000001-0001.parquet",
            "part-000001-0002.parquet"
        ]
    );
    // The first file's statistics: 2 rows, keys 1001 to 1002.
    let add = v0
        .iter()
        .filter_map(|a| a.get("add"))
        .find(|a| a["path"] == "part-000001-0000.parquet")
        .unwrap();
    let stats: serde_json::Value = serde_json::from_str(add["stats"].as_str().unwrap()).unwrap();
    assert_eq!(stats["numRecords"], 2, "{stats}");
    assert_eq!(stats["minValues"]["melding_id"], "1001", "{stats}");
    assert_eq!(stats["maxValues"]["melding_id"], "1002", "{stats}");
    let v1 = log(1);
    assert_eq!(paths(&v1, "remove"), ["part-000001-0001.parquet"]);
    assert_eq!(
        paths(&v1, "add"),
        ["part-000002-0000.parquet", "part-000002-0001.parquet"]
    );
    let rows = wd.sql("SELECT melding_id, categorie FROM meldingen ORDER BY melding_id");
    let got: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["melding_id"].as_str().unwrap(),
                r["categorie"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "1001 Afval",
            "1002 Groen",
            "1003 Wegen",
            "1004 Riolering",
            "1005 Groen",
            "1006 Wegen",
            "1007 Afval"
        ]
    );
    let out = wd.run(wd.cmd(&["datasets", "history", "meldingen", "--format", "json"]));
    let h: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(h[0]["accepted"], 2, "{out}");
}
