//! A crash at any point of an ingest leaves the warehouse as it was before or after; a second
//! writer waits or fails clearly.

use crate::util::Workdir;

const WEEK1: &str =
    "Meldingnummer;Datum melding;Categorie;Status\n1;1-3-2024;Afval;open\n2;2-3-2024;Groen;open\n";
const WEEK2: &str = "Meldingnummer;Datum melding;Categorie;Status\n2;2-3-2024;Groen;afgehandeld\n3;8-3-2024;Wegen;open\n";

fn count(wd: &Workdir) -> (u64, String) {
    let rows = wd.sql("SELECT COUNT(*) AS n, MAX(status) AS s FROM meldingen WHERE melding_id = '2' OR melding_id <> '2'");
    let n = rows[0]["n"].as_u64().unwrap();
    let s = wd.sql("SELECT status FROM meldingen WHERE melding_id = '2'");
    (n, s[0]["status"].as_str().unwrap().to_string())
}

/// Files in the warehouse that are not the marker, the lock, a transaction log, or a data file
/// that a commit added (live or history).
fn leftovers(wd: &Workdir) -> Vec<String> {
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
    // `datasets vacuum` removes those older than --keep.
    let parts = || {
        std::fs::read_dir(wd.warehouse().join("meldingen"))
            .unwrap()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "parquet"))
            .count()
    };
    assert_eq!(
        parts(),
        17,
        "the first part and 16 replacements are history"
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
    assert_eq!(out.lines().count(), 1 + 16, "{out}");
    assert_eq!(parts(), 17, "a dry run removes nothing");
    wd.run(wd.cmd(&["datasets", "vacuum", "meldingen", "--keep", "0d"]));
    assert_eq!(parts(), 1, "only the live part is left");
    assert_eq!(count(&wd).0, 3);
}
