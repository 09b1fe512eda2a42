//! A crash at any point of an ingest leaves the warehouse as it was before or after; a second
//! writer waits or fails clearly.

use crate::util::Workdir;
use serde_json::json;

pub const WEEK1: &str =
    "Meldingnummer;Datum melding;Categorie;Status\n1;1-3-2024;Afval;open\n2;2-3-2024;Groen;open\n";
pub const WEEK2: &str = "Meldingnummer;Datum melding;Categorie;Status\n2;2-3-2024;Groen;afgehandeld\n3;8-3-2024;Wegen;open\n";

fn count(wd: &Workdir) -> (u64, String) {
    let rows = wd.sql("SELECT COUNT(*) AS n, MAX(status) AS s FROM meldingen WHERE melding_id = '2' OR melding_id <> '2'");
    let n = rows[0]["n"].as_u64().unwrap();
    let s = wd.sql("SELECT status FROM meldingen WHERE melding_id = '2'");
    (n, s[0]["status"].as_str().unwrap().to_string())
}

/// Files in the warehouse that are not the marker, the lock, a transaction log, or a data file
/// that a commit added (live or history).
pub fn leftovers(wd: &Workdir) -> Vec<String> {
    let logs = wd.logs();
    let mut out = Vec::new();
    let mut stack = vec![wd.warehouse()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if p.is_dir() {
                stack.push(p);
            } else if name != "_datastroom.json"
                && name != ".lock"
                && !p.parent().unwrap().ends_with("_delta_log")
                && !logs.contains(&format!("\"add\":{{\"path\":\"{name}\""))
            {
                out.push(name);
            }
        }
    }
    out
}

#[test]
fn a_crash_at_any_point_leaves_before_or_after() {
    for (point, expected) in [
        ("staged", (2, "open")),
        ("part-written", (2, "open")),
        ("data-committed", (3, "afgehandeld")),
        ("catalog-written", (3, "afgehandeld")),
    ] {
        let wd = Workdir::new();
        wd.write("week1.csv", WEEK1);
        wd.write("week2.csv", WEEK2);
        wd.run(wd.cmd(&["ingest", "week1.csv", "-d", "meldingen"]));
        let out = wd.output(
            wd.cmd(&["ingest", "week2.csv", "-d", "meldingen"])
                .env("DATASTROOM_CRASH_AT", point),
        );
        assert!(
            !out.status.success(),
            "the crash hook at {point} did not fire"
        );
        let (n, s) = count(&wd);
        assert_eq!((n, s.as_str()), expected, "after a crash at {point}");

        // The next ingest cleans up what the crash left and ends in the 'after' state.
        wd.run(wd.cmd(&["ingest", "week2.csv", "-d", "meldingen"]));
        let (n, s) = count(&wd);
        assert_eq!(
            (n, s.as_str()),
            (3, "afgehandeld"),
            "after recovery from {point}"
        );
        assert_eq!(
            leftovers(&wd),
            Vec::<String>::new(),
            "files left behind after {point}"
        );
        assert!(!wd.warehouse().join("_staging").exists());
    }
}

#[test]
fn a_second_writer_fails_clearly_while_the_lock_is_held() {
    let wd = Workdir::new();
    wd.write("week1.csv", WEEK1);
    wd.run(wd.cmd(&["ingest", "week1.csv", "-d", "meldingen"]));
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(wd.warehouse().join(".lock"))
        .unwrap();
    lock.try_lock().unwrap();
    wd.write("week2.csv", WEEK2);
    let err = wd.fail(wd.cmd(&["ingest", "week2.csv", "-d", "meldingen", "--wait", "1"]));
    assert!(err.contains("is in use by another datastroom"), "{err}");
    lock.unlock().unwrap();
    wd.run(wd.cmd(&["ingest", "week2.csv", "-d", "meldingen"]));
}

#[test]
fn a_crash_in_the_very_first_ingest_does_not_lock_the_warehouse() {
    let wd = Workdir::new();
    wd.write("week1.csv", WEEK1);
    let out = wd.output(
        wd.cmd(&["ingest", "week1.csv", "-d", "meldingen"])
            .env("DATASTROOM_CRASH_AT", "part-written"),
    );
    assert!(!out.status.success());
    wd.run(wd.cmd(&["ingest", "week1.csv", "-d", "meldingen"]));
    assert_eq!(count(&wd).0, 2);
    assert_eq!(leftovers(&wd), Vec::<String>::new());
    // Someone's copy of a part, outside the catalog's datasets, is left alone.
    std::fs::create_dir_all(wd.warehouse().join("kopie")).unwrap();
    std::fs::write(wd.warehouse().join("kopie/part-000001.parquet"), b"x").unwrap();
    wd.write("week2.csv", WEEK2);
    wd.run(wd.cmd(&["ingest", "week2.csv", "-d", "meldingen"]));
    assert!(wd.warehouse().join("kopie/part-000001.parquet").exists());
}

/// Issue 10, item 10: readers during commits. While one process ingests two versions of an
/// export in turn (each an upsert that replaces the dataset's part), 40 queries run: every
/// one sees the old or the new state, none fails on a file the commit replaced.
#[test]
fn readers_see_old_or_new_during_commits() {
    let wd = Workdir::new();
    wd.write("week1.csv", WEEK1);
    wd.write("week2.csv", WEEK2);
    wd.run(wd.cmd(&["ingest", "week1.csv", "-d", "meldingen"]));
    let writer = {
        let mut cmds: Vec<std::process::Command> = (0..16)
            .map(|k| {
                let file = if k % 2 == 0 { "week2.csv" } else { "week1.csv" };
                wd.cmd(&["ingest", file, "-d", "meldingen", "--force", "-q"])
            })
            .collect();
        std::thread::spawn(move || {
            for c in &mut cmds {
                let out = c.output().unwrap();
                assert!(out.status.success(), "{out:?}");
            }
        })
    };
    let mut failures = Vec::new();
    for _ in 0..40 {
        let out = wd.output(wd.cmd(&[
            "sql",
            "SELECT COUNT(*) AS n FROM meldingen",
            "--format",
            "csv",
            "-q",
        ]));
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        if !out.status.success() || !(text == "n\n2\n" || text == "n\n3\n") {
            failures.push(format!("{text}{}", String::from_utf8_lossy(&out.stderr)));
        }
    }
    writer.join().unwrap();
    assert!(failures.is_empty(), "{failures:?}");
    // Replaced files stay as the table's history (for such readers and --snapshot) until
    // `datasets vacuum` removes those older than --keep. Each upsert touches both live files:
    // the one that held its key 2 is written anew without it (week2 into {1,2} leaves {1},
    // week1 into {2,3} leaves {3}), the other held only keys it replaces and goes; its own
    // rows are a new file. So 2 files an ingest: 1 + 16 * 2 = 33, of which 2 are live.
    let parts = || {
        std::fs::read_dir(wd.warehouse().join("meldingen"))
            .unwrap()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "parquet"))
            .count()
    };
    assert_eq!(
        parts(),
        33,
        "the first part and 2 files of each of 16 upserts"
    );
    assert_eq!(leftovers(&wd), Vec::<String>::new());
    let out = wd.run(wd.cmd(&["datasets", "vacuum", "--keep", "1d", "--format", "csv"]));
    assert_eq!(out, "file\n", "nothing was replaced more than a day ago");
    let out = wd.run(wd.cmd(&[
        "datasets",
        "vacuum",
        "--keep",
        "0d",
        "--dry-run",
        "--format",
        "csv",
    ]));
    assert_eq!(out.lines().count(), 1 + 31, "{out}");
    assert_eq!(parts(), 33, "a dry run removes nothing");
    wd.run(wd.cmd(&["datasets", "vacuum", "meldingen", "--keep", "0d"]));
    assert_eq!(parts(), 2, "only the live files are left");
    assert_eq!(count(&wd).0, 3);
}

/// Starts an ingest that stops at `point` (the test hook `DATASTROOM_PAUSE_AT`) and returns
/// once it is there, with the file whose removal lets it go on.
fn paused_ingest(
    wd: &Workdir,
    args: &[&str],
    point: &str,
) -> (std::process::Child, std::path::PathBuf) {
    let flag = wd.path(&format!("pause-{}", args[1]));
    (paused(wd.cmd(args), &flag, point), flag)
}

/// Starts `cmd` so that it stops at `point` and returns once it is there; removing `flag`
/// lets it go on.
pub fn paused(
    mut cmd: std::process::Command,
    flag: &std::path::Path,
    point: &str,
) -> std::process::Child {
    let child = cmd
        .env("DATASTROOM_PAUSE_AT", format!("{point}:{}", flag.display()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while !flag.exists() {
        assert!(
            start.elapsed().as_secs() < 60,
            "the command never reached {point}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child
}

pub fn finished(child: std::process::Child) -> (bool, String) {
    let out = child.wait_with_output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    (out.status.success(), text)
}

/// Issue 14: two ingests started at once, into different datasets or into the same one, both
/// land: the second waits for the first (the lock), then commits on top of it.
#[test]
fn two_ingests_at_once_both_land_in_order() {
    for second in ["eigen_lijst", "meldingen"] {
        let wd = Workdir::new();
        wd.write("week1.csv", WEEK1);
        wd.write("week2.csv", WEEK2);
        let (first, flag) = paused_ingest(
            &wd,
            &["ingest", "week1.csv", "-d", "meldingen"],
            "part-written",
        );
        let other = wd
            .cmd(&["ingest", "week2.csv", "-d", second, "--wait", "60"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(700));
        std::fs::remove_file(&flag).unwrap();
        let (ok1, out1) = finished(first);
        let (ok2, out2) = finished(other);
        assert!(ok1 && ok2, "{out1}\n{out2}");
        assert!(
            out2.contains("wachten tot een andere inlading klaar is"),
            "{out2}"
        );
        let history = |ds: &str| -> Vec<(u64, String)> {
            let out = wd.run(wd.cmd(&["datasets", "history", ds, "--format", "json"]));
            let h: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
            h.iter()
                .map(|v| {
                    let src = v["source"].as_str().unwrap();
                    (
                        v["version"].as_u64().unwrap(),
                        src.rsplit('/').next().unwrap().into(),
                    )
                })
                .collect()
        };
        if second == "meldingen" {
            assert_eq!(count(&wd), (3, "afgehandeld".to_string()));
            assert_eq!(
                history("meldingen"),
                [(1, "week2.csv".to_string()), (0, "week1.csv".to_string())]
            );
        } else {
            assert_eq!(count(&wd), (2, "open".to_string()));
            let rows = wd.sql("SELECT COUNT(*) AS n FROM eigen_lijst");
            assert_eq!(rows[0]["n"].as_u64(), Some(2));
            assert_eq!(history("eigen_lijst"), [(0, "week2.csv".to_string())]);
        }
        assert_eq!(leftovers(&wd), Vec::<String>::new());
    }
}

/// Issue 14: a writer that does not share the lock (a platform job, a datastroom on another
/// machine) commits to the table while an ingest is busy. The ingest does not undo that
/// commit: it fails with a clear message and changes nothing, and the next run builds on it.
#[test]
fn a_commit_by_another_writer_meanwhile_is_a_conflict_that_changes_nothing() {
    let wd = Workdir::new();
    wd.write("week1.csv", WEEK1);
    wd.write("week2.csv", WEEK2);
    wd.run(wd.cmd(&["ingest", "week1.csv", "-d", "meldingen"]));
    let table = wd.warehouse().join("meldingen");
    let (ingest, flag) = paused_ingest(
        &wd,
        &["ingest", "week2.csv", "-d", "meldingen"],
        "part-written",
    );
    // The other writer: version 1 adds a copy of the first part under its own name.
    let size = copy_first_part(&table);
    foreign_commit(&table, 1, &[foreign_add("extern-1.parquet", size)]);
    std::fs::remove_file(&flag).unwrap();
    let (ok, out) = finished(ingest);
    assert!(!ok, "{out}");
    assert!(
        out.contains("another writer changed the Delta table") && out.contains("at version 1"),
        "{out}"
    );
    // Nothing of the failed run: the table is the other writer's version 1 (the first
    // export twice), no commit mentions week2.csv, no files are left behind.
    assert_eq!(count(&wd), (4, "open".to_string()));
    assert!(!wd.logs().contains("week2.csv"));
    assert_eq!(leftovers(&wd), Vec::<String>::new());
    // `datasets` counts the table's rows as its log has them: the other writer's file has no
    // statistics, so its footer is read (the count datastroom stored says 2).
    assert_eq!(listed_rows(&wd), 4);
    // Run again, it builds on version 1: both copies of row 2 are replaced, row 3 added, and
    // the other writer's second copy of row 1 is kept (4 rows, not the 3 that undoing that
    // writer's commit would give).
    wd.run(wd.cmd(&["ingest", "week2.csv", "-d", "meldingen"]));
    assert_eq!(count(&wd), (4, "afgehandeld".to_string()));
    assert_eq!(listed_rows(&wd), 4);
}

/// Issue 14: rows another writer appended to a dataset with a retention period, without
/// datastroom's technical columns, are counted by the next ingest as `datasets` counts them.
#[test]
fn a_retention_ingest_counts_another_writers_rows() {
    let wd = Workdir::new();
    let plan = |file: &str| {
        format!(
            "[[bron]]\nbestand = \"{file}\"\ndataset = \"zaken_sociaal\"\n\
             bewaartermijn = \"5 jaar\"\n"
        )
    };
    // Dates counted back from today, so that the recent cases stay within the 5 years.
    let ago = |days: u64| chrono::Local::now().date_naive() - chrono::Days::new(days);
    let dutch = |days: u64| ago(days).format("%-d-%-m-%Y").to_string();
    let header = "Zaaknummer;BSN;Wet;Datum melding;Datum beschikking\n";
    let z2 = format!("Z2;;Wmo;{};{}", dutch(400), dutch(370));
    wd.write(
        "zaken1.csv",
        format!("{header}Z1;123456782;Wmo;1-2-2010;1-3-2010\n{z2}\n"),
    );
    let z3 = format!("Z3;;Wmo;{};{}", dutch(100), dutch(90));
    wd.write("zaken2.csv", format!("{header}{z3}\n"));
    wd.write("plan1.toml", plan("zaken1.csv"));
    wd.write("plan2.toml", plan("zaken2.csv"));
    wd.run(wd.cmd(&["ingest", "--plan", "plan1.toml"]));
    // The other writer: two recent cases in a file of its own, without the technical columns.
    let table = wd.warehouse().join("zaken_sociaal");
    let mut df = polars::df!(
        "zaak_id" => ["Z8", "Z9"],
        "wet" => ["Wmo", "Wmo"],
        "datum_beschikking" => [ago(200), ago(150)],
    )
    .unwrap();
    let path = table.join("extern-1.parquet");
    polars::prelude::ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut df)
        .unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    foreign_commit(&table, 1, &[foreign_add("extern-1.parquet", size)]);
    assert_eq!(listed_rows_of(&wd, "zaken_sociaal"), 3);
    // Z2, Z8, Z9 and the new Z3: the ingest's total is the count `datasets` gives after it.
    let summary = wd.ingest_json(&["--plan", "plan2.toml"], 0);
    assert_eq!(summary["total_rows"], 4, "{summary}");
    assert_eq!(listed_rows_of(&wd, "zaken_sociaal"), 4);
}

/// Another writer's commit: version `version` of `table`, its `actions` and its commit
/// information, written as Delta's log has them.
fn foreign_commit(table: &std::path::Path, version: u32, actions: &[serde_json::Value]) {
    let info = json!({"commitInfo": {"timestamp": 1_764_720_000_000_u64, "operation": "WRITE"}});
    let lines: Vec<String> = actions
        .iter()
        .chain([&info])
        .map(|a| a.to_string())
        .collect();
    std::fs::write(
        table.join(format!("_delta_log/{version:020}.json")),
        lines.join("\n") + "\n",
    )
    .unwrap();
}

/// The `add` action of another writer's file, without statistics.
fn foreign_add(path: &str, size: u64) -> serde_json::Value {
    json!({"add": {"path": path, "partitionValues": {}, "size": size,
        "modificationTime": 1_764_720_000_000_u64, "dataChange": true}})
}

/// Another writer's file in `table`: a copy of the first part, `extern-1.parquet`; its size.
fn copy_first_part(table: &std::path::Path) -> u64 {
    let part = std::fs::read_dir(table)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with("part-000001-0000.parquet"))
        .unwrap();
    std::fs::copy(&part, table.join("extern-1.parquet")).unwrap();
    std::fs::metadata(&part).unwrap().len()
}

/// The rows `datasets` lists for meldingen.
fn listed_rows(wd: &Workdir) -> u64 {
    listed_rows_of(wd, "meldingen")
}

/// The rows `datasets` lists for `dataset`.
fn listed_rows_of(wd: &Workdir, dataset: &str) -> u64 {
    let list = listed(wd);
    let entry = list.iter().find(|d| d["dataset"] == dataset).unwrap();
    entry["rows"].as_u64().unwrap()
}

/// The datasets `datasets` lists (`--format json`).
fn listed(wd: &Workdir) -> Vec<serde_json::Value> {
    let out = wd.run(wd.cmd(&["datasets", "--format", "json"]));
    serde_json::from_str(&out).unwrap()
}

/// The names of the datasets `datasets` lists.
fn listed_names(wd: &Workdir) -> Vec<String> {
    let list = listed(wd);
    list.iter()
        .map(|d| d["dataset"].as_str().unwrap().to_string())
        .collect()
}

/// A warehouse with week 1 in meldingen and in eigen_lijst, and meldingen's table folder.
fn two_datasets() -> (Workdir, std::path::PathBuf) {
    let wd = Workdir::new();
    wd.write("week1.csv", WEEK1);
    wd.run(wd.cmd(&["ingest", "week1.csv", "-d", "meldingen"]));
    wd.run(wd.cmd(&["ingest", "week1.csv", "-d", "eigen_lijst"]));
    let table = wd.warehouse().join("meldingen");
    (wd, table)
}

/// Issue 14: another writer's file at an absolute address (a shallow clone's, in another
/// table or bucket) is not looked for inside the table's folder: the table is refused by name,
/// with the address, by a writer and a reader alike.
#[test]
fn a_file_outside_the_tables_folder_is_refused() {
    let (wd, table) = two_datasets();
    let size = copy_first_part(&table);
    let address = "s3://bron/meldingen/extern-1.parquet";
    foreign_commit(&table, 1, &[foreign_add(address, size)]);
    let err = wd.fail(wd.cmd(&["ingest", "week1.csv", "-d", "eigen_lijst"]));
    assert!(
        err.contains("meldingen")
            && err.contains(&format!(
                "1 file(s) at an absolute address or outside its folder (such as {address}"
            )),
        "{err}"
    );
    assert_eq!(listed_names(&wd), ["eigen_lijst"]);
}

/// Issue 14: deletion vectors that another writer switched on but did not use read right; once
/// a live file has one (a deleted row marked beside it, which reading the file directly would
/// count), the table is refused by name, by a writer and a reader alike, and the other tables
/// are still read. Another tool's own table with a feature datastroom cannot read is left alone.
#[test]
fn a_table_with_deletion_vectors_in_use_is_refused_not_misread() {
    let (wd, table) = two_datasets();
    // Version 1: the other writer turns deletion vectors on; no file has one yet.
    let features = json!(["timestampNtz", "deletionVectors"]);
    let protocol = json!({"protocol": {"minReaderVersion": 3, "minWriterVersion": 7,
        "readerFeatures": features, "writerFeatures": features}});
    foreign_commit(&table, 1, &[protocol]);
    wd.run(wd.cmd(&["ingest", "week1.csv", "-d", "eigen_lijst"]));
    assert_eq!(listed_rows(&wd), 2);
    // Version 2: it adds a copy of the first part with one of its rows marked deleted (the
    // deletion vector of the Delta protocol's own example).
    let size = copy_first_part(&table);
    let mut add = foreign_add("extern-1.parquet", size);
    add["add"]["stats"] = json!(json!({"numRecords": 2}).to_string());
    add["add"]["deletionVector"] = json!({"storageType": "u",
        "pathOrInlineDv": "ab^-aqEH.-t@S}K{vb[*k^", "offset": 4, "sizeInBytes": 40,
        "cardinality": 1});
    foreign_commit(&table, 2, &[add]);
    let err = wd.fail(wd.cmd(&["ingest", "week1.csv", "-d", "eigen_lijst"]));
    assert!(
        err.contains("meldingen")
            && err.contains("uses deletionVectors (deleted rows marked in 1 file(s))"),
        "{err}"
    );
    assert_eq!(listed_names(&wd), ["eigen_lijst"]);
    // Another tool's own table with column mapping (no datastroom entry) is left alone: with
    // meldingen's table gone, ingests work again.
    std::fs::remove_dir_all(&table).unwrap();
    let other = wd.warehouse().join("extern");
    std::fs::create_dir_all(other.join("_delta_log")).unwrap();
    let features = json!(["columnMapping"]);
    let protocol = json!({"protocol": {"minReaderVersion": 3, "minWriterVersion": 7,
        "readerFeatures": features, "writerFeatures": features}});
    let field = json!({"name": "a", "type": "long", "nullable": true, "metadata": {
        "delta.columnMapping.id": 1, "delta.columnMapping.physicalName": "col-a"}});
    let schema = json!({"type": "struct", "fields": [field]});
    let metadata = json!({"metaData": {"id": "e1",
        "format": {"provider": "parquet", "options": {}},
        "schemaString": schema.to_string(), "partitionColumns": [],
        "configuration": {"delta.columnMapping.mode": "name",
            "delta.columnMapping.maxColumnId": "1"},
        "createdTime": 1_764_720_000_000_u64}});
    foreign_commit(&other, 0, &[protocol, metadata]);
    wd.run(wd.cmd(&["ingest", "week1.csv", "-d", "meldingen"]));
    assert_eq!(listed_rows(&wd), 2);
}
