//! Issue 14: the warehouse in object storage. `--warehouse file:///...` reaches a folder the
//! way `s3://` and `az://` reach a bucket (object_store; delta-rs' default log store, whose
//! commits are conditional writes; files uploaded and downloaded through a working folder), so
//! these tests run that route without a server. `.ci/object-storage` runs the same against a
//! local S3 server (moto) and the Azure emulator (azurite).

use crate::safety::{WEEK1, WEEK2, finished, leftovers, paused};
use crate::util::Workdir;
use std::path::{Path, PathBuf};
use std::process::Command;

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

/// A command against the warehouse folder of `wd` reached as object storage, with its own
/// temporary folder (to see that the working folder is removed).
fn remote(wd: &Workdir, args: &[&str]) -> Command {
    let url = url::Url::from_directory_path(wd.warehouse()).unwrap();
    let tmp = wd.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut c = wd.cmd(args);
    c.env("DATASTROOM_WAREHOUSE", url.as_str())
        .env("TMPDIR", &tmp)
        .env("TMP", &tmp)
        .env("TEMP", &tmp);
    c
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// The samples ingested into object storage give the same warehouse as into a folder: the
/// same datasets, rows and history, and a byte-identical weekly report; no working folder is
/// left behind.
#[test]
fn a_warehouse_in_object_storage_gives_the_same_figures_and_report() {
    let (cloud, disk) = (Workdir::new(), Workdir::new());
    let plan = example("inlezen.toml");
    let plan = plan.to_str().unwrap();
    // Every file in parts, as a file over 64 MB goes.
    let mut ingest = remote(&cloud, &["ingest", "--plan", plan, "-q"]);
    ingest.env("DATASTROOM_UPLOAD_PART", "0");
    cloud.run_code(ingest, 3);
    disk.run_code(disk.cmd(&["ingest", "--plan", plan, "-q"]), 3);
    assert_eq!(files_in(&cloud.path("tmp")), Vec::<String>::new());
    // The storage holds Delta tables: the transaction log and the marker are there.
    assert!(
        cloud
            .warehouse()
            .join("meldingen/_delta_log/00000000000000000002.json")
            .exists()
    );
    assert!(cloud.warehouse().join("_datastroom.json").exists());
    let query = "SELECT categorie, COUNT(*) AS n, MIN(melding_id) AS eerste FROM meldingen \
                 GROUP BY categorie ORDER BY categorie";
    let sql = |c: Command| cloud.run(c);
    let via_storage = sql(remote(&cloud, &["sql", query, "--format", "csv"]));
    assert_eq!(
        via_storage,
        disk.run(disk.cmd(&["sql", query, "--format", "csv"]))
    );
    assert!(via_storage.lines().count() > 3, "{via_storage}");
    let history = |wd: &Workdir, c: Command| -> usize {
        let out = wd.run(c);
        serde_json::from_str::<Vec<serde_json::Value>>(&out)
            .unwrap()
            .len()
    };
    let args = ["datasets", "history", "zaken_sociaal", "--format", "json"];
    assert_eq!(history(&cloud, remote(&cloud, &args)), 3);
    assert_eq!(history(&disk, disk.cmd(&args)), 3);
    let weekly = example("weekly.toml");
    let report = |wd: &Workdir, mut c: Command| {
        c.args(["--as-of", "2024-07-01", "--out-dir"])
            .arg(wd.path("rapport"));
        wd.run(c);
        files_in(&wd.path("rapport"))
            .iter()
            .map(|f| {
                (
                    f.clone(),
                    std::fs::read(wd.path("rapport").join(f)).unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let args = ["report", weekly.to_str().unwrap()];
    let from_storage = report(&cloud, remote(&cloud, &args));
    assert!(from_storage.len() >= 2, "the .md, the .html and CSV files");
    assert!(from_storage == report(&disk, disk.cmd(&args)));
    assert_eq!(files_in(&cloud.path("tmp")), Vec::<String>::new());
}

/// Two writers of one dataset in object storage share no lock. The one that commits second
/// loses at the conditional write of the version: it fails with the conflict message, its
/// uploaded files are removed, and the winner's version stands. Vacuum works in the storage.
#[test]
fn two_writers_in_object_storage_one_loses_cleanly() {
    let wd = Workdir::new();
    wd.write("week1.csv", WEEK1);
    wd.write("week2.csv", WEEK2);
    wd.write(
        "week3.csv",
        "Meldingnummer;Datum melding;Categorie;Status\n4;9-3-2024;Afval;open\n",
    );
    wd.run(remote(&wd, &["ingest", "week1.csv", "-d", "meldingen"]));
    // The first writer checked the version and uploaded its file, and waits just before the
    // commit; the second commits version 1 meanwhile.
    let flag = wd.path("pause");
    let first = paused(
        remote(&wd, &["ingest", "week2.csv", "-d", "meldingen"]),
        &flag,
        "commit-ready",
    );
    let uploaded: Vec<String> = files_in(&wd.warehouse().join("meldingen"))
        .into_iter()
        .filter(|f| f.ends_with(".parquet"))
        .collect();
    // The first part, and the waiting writer's two: the first part without row 2, which it
    // replaces, and week 2's rows.
    assert_eq!(uploaded.len(), 3, "{uploaded:?}");
    wd.run(remote(&wd, &["ingest", "week3.csv", "-d", "meldingen"]));
    std::fs::remove_file(&flag).unwrap();
    let (ok, out) = finished(first);
    assert!(!ok, "{out}");
    assert!(
        out.contains("another writer changed this table at the same moment"),
        "{out}"
    );
    let logs = wd.logs();
    assert!(!logs.contains("week2.csv") && logs.contains("week3.csv"));
    // Rows 1 and 2 of week 1 and row 4 of week 3; nothing of week 2 (row 3, status of 2).
    let rows = wd.run(remote(
        &wd,
        &[
            "sql",
            "SELECT melding_id, status FROM meldingen ORDER BY melding_id",
            "--format",
            "csv",
        ],
    ));
    assert_eq!(rows, "melding_id,status\n1,open\n2,open\n4,open\n");
    assert_eq!(leftovers(&wd), Vec::<String>::new());
    // An upsert replaces the file holding row 2; vacuum removes the replaced file from the
    // storage.
    wd.run(remote(&wd, &["ingest", "week2.csv", "-d", "meldingen"]));
    let parquet = || {
        files_in(&wd.warehouse().join("meldingen"))
            .into_iter()
            .filter(|f| f.ends_with(".parquet"))
            .count()
    };
    assert_eq!(parquet(), 4, "week 1, week 3, week 1 without row 2, week 2");
    wd.run(remote(
        &wd,
        &["datasets", "vacuum", "meldingen", "--keep", "0d"],
    ));
    assert_eq!(parquet(), 3);
    // A file in no version, just uploaded (another run's, for the commit it is about to make):
    // vacuum in object storage spares it; on a folder, which has the lock, it goes.
    let table = wd.warehouse().join("meldingen");
    let live = table.join(
        files_in(&table)
            .into_iter()
            .find(|f| f.ends_with(".parquet"))
            .unwrap(),
    );
    std::fs::copy(&live, table.join("part-000099-0000-0badcafe.parquet")).unwrap();
    wd.run(remote(
        &wd,
        &["datasets", "vacuum", "meldingen", "--keep", "0d"],
    ));
    assert_eq!(parquet(), 4, "spared in object storage");
    wd.run(wd.cmd(&["datasets", "vacuum", "meldingen", "--keep", "0d"]));
    assert_eq!(parquet(), 3, "removed on a folder");
    let n = wd.run(remote(
        &wd,
        &[
            "sql",
            "SELECT COUNT(*) AS n FROM meldingen",
            "--format",
            "csv",
        ],
    ));
    assert_eq!(n, "n\n4\n");
    assert_eq!(files_in(&wd.path("tmp")), Vec::<String>::new());
}

/// The audit log in object storage: each showing of personal data adds its line to the log
/// in the storage, after those of earlier runs (downloaded at the start, replaced with a
/// conditional write).
#[test]
fn showings_of_personal_data_are_logged_in_object_storage() {
    let wd = Workdir::new();
    let file = crate::util::testdata("zaken_wachtlijst.csv");
    for _ in 0..2 {
        let out = wd.run(remote(
            &wd,
            &[
                "waitlist",
                "--input",
                &file,
                "--preset",
                "wmo-onderzoek",
                "--section",
                "open",
                "--show-personal",
                "--as-of",
                "2024-06-30",
                "--format",
                "csv",
            ],
        ));
        assert!(out.lines().count() > 1, "{out}");
    }
    let audit = std::fs::read_to_string(wd.warehouse().join("audit.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{audit}");
    assert!(lines.iter().all(|l| l["wat"] == "waitlist --show-personal"));
    assert_eq!(files_in(&wd.path("tmp")), Vec::<String>::new());
}

/// A run killed between its data commit and its rejects commit: the rejects file went up with
/// the data files (the committed entry names it), so the next run, with a working folder that
/// never had that file, brings the rejects table in line, and both runs' rejected rows are
/// read.
#[test]
fn a_crash_between_the_two_commits_loses_no_rejected_rows_in_object_storage() {
    let wd = Workdir::new();
    let header = "Meldingnummer;Datum melding;Categorie;Status\n";
    wd.write(
        "a.csv",
        format!("{header}1;1-3-2024;Afval;open\n2;2-3-2024;Groen;open\n3;31-2-2024;Wegen;open\n4;3-3-2024;Afval;open\n"),
    );
    wd.write(
        "b.csv",
        format!("{header}5;4-3-2024;Afval;open\n6;32-3-2024;Groen;open\n7;5-3-2024;Wegen;open\n8;6-3-2024;Afval;open\n"),
    );
    let mut crash = remote(&wd, &["ingest", "a.csv", "-d", "meldingen"]);
    crash.env("DATASTROOM_CRASH_AT", "data-committed");
    let out = wd.output(crash);
    assert!(!out.status.success());
    wd.run_code(remote(&wd, &["ingest", "b.csv", "-d", "meldingen"]), 3);
    let rejects = wd.run(remote(
        &wd,
        &["datasets", "rejects", "meldingen", "--format", "csv"],
    ));
    assert!(
        rejects.contains("31-2-2024") && rejects.contains("32-3-2024"),
        "{rejects}"
    );
    let rows = wd.run(remote(
        &wd,
        &[
            "sql",
            "SELECT COUNT(*) AS n FROM meldingen",
            "--format",
            "csv",
        ],
    ));
    assert_eq!(rows, "n\n6\n");
    // The rejects table lists both files, as a platform reader sees it.
    let logs = wd.logs();
    assert_eq!(
        logs.matches("\"add\":{\"path\":\"rejects-").count(),
        2,
        "{logs}"
    );
    assert_eq!(leftovers(&wd), Vec::<String>::new());
}
