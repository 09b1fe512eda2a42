//! `datastroom peaks` end to end: events in a file, counted per period, judged; the values are
//! hand-computed (EARS) or R surveillance's (Farrington flexible, testdata/surveillance/).

use crate::util::{Workdir, testdata};
use serde_json::Value;
use std::collections::BTreeMap;

fn peaks(wd: &Workdir, file: &str, args: &[&str]) -> Vec<Value> {
    let mut cmd = wd.cmd(&[
        "peaks",
        "-q",
        "--input",
        file,
        "--date-column",
        "datum",
        "--format",
        "json",
    ]);
    cmd.args(args);
    serde_json::from_str(&wd.run(cmd)).expect("json")
}

/// One event row per count: `datum;categorie`.
fn events(counts: &[(String, String, u64)]) -> String {
    let mut out = String::from("datum;categorie\n");
    for (date, cat, n) in counts {
        for _ in 0..*n {
            out.push_str(&format!("{date};{cat}\n"));
        }
    }
    out
}

/// EARS C1 by hand: days 1..7 of March 2024 with 1..7 reports, 11 on the 8th. Baseline mean
/// 4, sd 2.160247, z(0.999) = 3.090232: upper 10.675665, so the 8th is a peak.
#[test]
fn ears_c1_by_hand() {
    let wd = Workdir::new();
    let counts: Vec<(String, String, u64)> = [1, 2, 3, 4, 5, 6, 7, 11]
        .iter()
        .enumerate()
        .map(|(i, n)| (format!("{}-3-2024", i + 1), "Afval".to_string(), *n))
        .collect();
    let file = wd.write("m.csv", events(&counts));
    let rows = peaks(
        &wd,
        &file.to_string_lossy(),
        &[
            "--period",
            "day",
            "--method",
            "ears-c1",
            "--min-sigma",
            "0",
            "--by",
            "none",
            "--all",
            "--as-of",
            "2024-03-08",
        ],
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["period_start"], "2024-03-08");
    assert_eq!(rows[0]["observed"], 11);
    assert!((rows[0]["upper_bound"].as_f64().unwrap() - 10.675665).abs() < 1e-6);
    assert_eq!(rows[0]["alarm"], true);
    assert_eq!(rows[0]["method"], "ears-c1");
}

/// Farrington flexible through the whole command: the synthetic weekly series of
/// testdata/surveillance written out as one row per report, counted per ISO week, judged
/// with the original settings (b 3, w 3, 1 period, threshold 1), equal to R to 1e-6 with the
/// same alarms. And the improved settings with b 3.
#[test]
fn farrington_through_the_command_equals_r() {
    let wd = Workdir::new();
    let synthetic = std::fs::read_to_string(testdata("surveillance/synthetic.csv")).unwrap();
    let counts: Vec<(String, String, u64)> = synthetic
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[1].to_string(), f[2].parse().unwrap())
        })
        .collect();
    let file = wd.write("events.csv", events(&counts));
    let file = file.to_string_lossy();
    let reference =
        std::fs::read_to_string(testdata("surveillance/reference_synthetic.csv")).unwrap();
    let mut want: BTreeMap<(String, String, String), (f64, f64, bool)> = BTreeMap::new();
    for l in reference.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        if let (Ok(e), Ok(u)) = (f[4].trim().parse::<f64>(), f[5].trim().parse::<f64>()) {
            want.insert((f[0].into(), f[1].into(), f[2].into()), (e, u, f[6] == "1"));
        }
    }
    for (settings, args) in [
        (
            "original",
            vec![
                "--no-periods",
                "1",
                "--reweight-threshold",
                "1",
                "--past-weeks-not-included",
                "3",
            ],
        ),
        (
            "improved",
            vec![
                "--no-periods",
                "10",
                "--reweight-threshold",
                "2.58",
                "--past-weeks-not-included",
                "26",
            ],
        ),
    ] {
        let mut all = vec![
            "--method",
            "farrington",
            "--years",
            "3",
            "--all",
            "--as-of",
            "2023-12-31",
        ];
        all.extend(args);
        let rows = peaks(&wd, &file, &all);
        let mut compared = 0;
        for r in &rows {
            let key = (
                r["group"].as_str().unwrap().to_string(),
                settings.to_string(),
                r["period_start"].as_str().unwrap().to_string(),
            );
            let Some((e, u, alarm)) = want.get(&key) else {
                continue;
            };
            let (ge, gu) = (
                r["expected"].as_f64().unwrap(),
                r["upper_bound"].as_f64().unwrap(),
            );
            assert!(
                (ge - e).abs() <= 1e-6 * e.abs() && (gu - u).abs() <= 1e-6 * u.abs(),
                "{key:?}: {r} vs {e} {u}"
            );
            assert_eq!(r["alarm"].as_bool().unwrap(), *alarm, "{key:?}");
            compared += 1;
        }
        assert!(compared > 600, "{settings}: {compared} weeks compared");
    }
}

/// Five days of data are too little history for EARS C2 (9 days before the judged one): both
/// series are named in the note, not dropped. (Every series starts at the first day of the
/// data, so a category that appears later has zeros as history.)
#[test]
fn short_series_are_named() {
    let wd = Workdir::new();
    let mut counts: Vec<(String, String, u64)> = (1..=5)
        .map(|d| (format!("{d}-2-2024"), "Afval".to_string(), 3))
        .collect();
    counts.push(("4-2-2024".into(), "Kapotte lantaarnpaal".into(), 1));
    let file = wd.write("m.csv", events(&counts));
    let out = wd.run(wd.cmd(&[
        "peaks",
        "-q",
        "--input",
        &file.to_string_lossy(),
        "--date-column",
        "datum",
        "--period",
        "day",
        "--as-of",
        "2024-02-05",
        "--format",
        "markdown",
    ]));
    assert!(
        out.contains("Te weinig historie om te beoordelen: Afval, Kapotte lantaarnpaal."),
        "{out}"
    );
}

/// Reports without a date cannot be placed in a period: they are not counted, and the note
/// says how many (here 2 of 17), rather than dropping them silently.
#[test]
fn undated_reports_are_named() {
    let wd = Workdir::new();
    let mut csv = events(
        &(1..=5)
            .map(|d| (format!("{d}-2-2024"), "Afval".to_string(), 3))
            .collect::<Vec<_>>(),
    );
    csv.push_str(";Afval\n;Groen\n");
    let file = wd.write("m.csv", csv);
    let out = wd.run(wd.cmd(&[
        "peaks",
        "-q",
        "--input",
        &file.to_string_lossy(),
        "--date-column",
        "datum",
        "--period",
        "day",
        "--as-of",
        "2024-02-05",
        "--format",
        "markdown",
    ]));
    assert!(out.contains(" 2 zonder datum tellen niet mee."), "{out}");
}

/// Drivers and weather through the command: 2 reports a day about Zwerfafval from 10 to 24
/// July 2019, then on the 25th (36.9 degrees at Cabauw) 2 about Zwerfafval and 10 about
/// Hitte. EARS C1 (baseline 2, sd 0, min sigma 0.5: bound 2 + 3.090232 x 0.5 = 3.545) flags
/// the 25th; Hitte explains it (10, expected 0: it never occurred before), and the weather
/// column shows that day's values (the file holds one year: no normal).
#[test]
fn drivers_and_weather_of_an_alarm() {
    let wd = Workdir::new();
    let mut csv = String::from("datum;categorie;subcategorie\n");
    for day in 10..=25 {
        for _ in 0..2 {
            csv.push_str(&format!("{day}-7-2019;Afval;Zwerfafval\n"));
        }
    }
    for _ in 0..10 {
        csv.push_str("25-7-2019;Afval;Hitte\n");
    }
    let file = wd.write("m.csv", csv);
    let rows = peaks(
        &wd,
        &file.to_string_lossy(),
        &[
            "--period",
            "day",
            "--method",
            "ears-c1",
            "--as-of",
            "2019-07-25",
            "--weather",
            &testdata("knmi/etmgeg_348_2019.txt"),
        ],
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["period_start"], "2019-07-25");
    assert!(
        (rows[0]["upper_bound"].as_f64().unwrap() - 3.545116).abs() < 1e-6,
        "{rows:?}"
    );
    assert_eq!(rows[0]["drivers"], "subcategorie: Hitte 10 (verwacht 0,0)");
    assert_eq!(
        rows[0]["weather"],
        "windstoot max 6,0 m/s; neerslag 0,0 mm; min. temperatuur 17,0 °C"
    );
}

/// The renewal forecast from the warehouse: reisdocumenten.csv keeps 4 documents, expiring
/// 10-3-2024 and 21-3-2024 (adults, geldig_tot), 2-5-2024 (a minor) and 30-11-2026. January to
/// June 2024: March 2, May 1 (a minor); average 3 / 6 = 0.5, so March is 4 times and May 2
/// times the average: both peak months.
#[test]
fn renewals_per_month() {
    let wd = Workdir::new();
    wd.ingest_sample("reisdocumenten.csv", "reisdocumenten");
    let mut cmd = wd.cmd(&["peaks", "-q", "--as-of", "2024-01-01", "--format", "json"]);
    cmd.args(["renewals", "--horizon", "6"]);
    let rows: Vec<Value> = serde_json::from_str(&wd.run(cmd)).unwrap();
    let got: Vec<(String, i64, i64, bool)> = rows
        .iter()
        .map(|r| {
            (
                r["month"].as_str().unwrap().to_string(),
                r["expected"].as_i64().unwrap(),
                r["issued_to_minors"].as_i64().unwrap(),
                r["peak"].as_bool().unwrap(),
            )
        })
        .collect();
    let want = [
        ("2024-01", 0, 0, false),
        ("2024-02", 0, 0, false),
        ("2024-03", 2, 0, true),
        ("2024-04", 0, 0, false),
        ("2024-05", 1, 1, true),
        ("2024-06", 0, 0, false),
    ];
    let want: Vec<(String, i64, i64, bool)> = want
        .iter()
        .map(|(m, e, n, p)| (m.to_string(), *e, *n, *p))
        .collect();
    assert_eq!(got, want);
}

/// The sample exports: 9 reports from March 2024 on (2025's three lie after the as-of date).
/// Weekly series from the week of 26 February to that of 29 April: 10 weeks, so EARS C2 (9
/// weeks of history) judges only the last. Afval: weeks 26-2 and 11-3 had 1 report, the
/// baseline (the 7 weeks to 8 April) has mean 2/7 and sd 0.488, raised to the minimum 0.5:
/// bound 0.2857 + 3.090232 x 0.5 = 1.8308. No peaks.
#[test]
fn on_the_sample_exports() {
    let wd = Workdir::new();
    wd.ingest_sample("meldingen_fixi.csv", "meldingen");
    wd.ingest_sample("meldingen_signalen.json", "meldingen");
    let mut cmd = wd.cmd(&[
        "peaks",
        "-q",
        "--as-of",
        "2024-04-30",
        "--all",
        "--format",
        "json",
    ]);
    let rows: Vec<Value> = serde_json::from_str(&wd.run(cmd.arg("--explain").arg("none"))).unwrap();
    assert_eq!(rows.len(), 5, "{rows:?}");
    let afval = rows.iter().find(|r| r["group"] == "Afval").unwrap();
    assert_eq!(afval["period_start"], "2024-04-29");
    assert!(
        (afval["upper_bound"].as_f64().unwrap() - 1.830830).abs() < 1e-6,
        "{afval}"
    );
    assert!(
        rows.iter()
            .all(|r| r["alarm"] == false && r["method"] == "ears-c2")
    );
}
