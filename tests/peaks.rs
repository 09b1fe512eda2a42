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

/// The sample exports: 9 reports from March 2024 on (2025's three lie after the as-of date,
/// Sunday 5 May). Each series starts at its own first report; Afval, Groen and Wegen in the
/// week of 26 February: 10 weeks to that of 29 April, so EARS C2 (9 weeks of history) judges
/// only the last. Riolering and Verlichting began on 11 March: too little history, named.
/// Afval: weeks 26-2 and 11-3 had 1 report, the baseline (the 7 weeks to 8 April) has mean 2/7
/// and sd 0.488, raised to the minimum 0.5: bound 0.2857 + 3.090232 x 0.5 = 1.8308. No peaks.
#[test]
fn on_the_sample_exports() {
    let wd = Workdir::new();
    wd.ingest_sample("meldingen_fixi.csv", "meldingen");
    wd.ingest_sample("meldingen_signalen.json", "meldingen");
    let mut cmd = wd.cmd(&[
        "peaks",
        "-q",
        "--as-of",
        "2024-05-05",
        "--all",
        "--format",
        "json",
    ]);
    let rows: Vec<Value> = serde_json::from_str(&wd.run(cmd.arg("--explain").arg("none"))).unwrap();
    assert_eq!(rows.len(), 3, "{rows:?}");
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

/// Issue 11, item 1: nothing after the as-of date is counted. 2 reports a day since March, 3
/// on Monday 1 July and 14 later that week: with --as-of 1 July the week is not complete and
/// not judged (the note says so, and that 14 lie after the peildatum); per day, 1 July counts
/// 3. On Sunday 7 July the week is complete: 17.
#[test]
fn nothing_after_the_as_of_date() {
    let wd = Workdir::new();
    let first = chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
    let mut counts: Vec<(String, String, u64)> = (0..122)
        .map(|i| {
            let d = first + chrono::Duration::days(i);
            (d.format("%d-%m-%Y").to_string(), "Afval".to_string(), 2)
        })
        .collect();
    counts.push(("1-7-2024".into(), "Afval".into(), 3));
    counts.push(("3-7-2024".into(), "Afval".into(), 14));
    let file = wd.write("m.csv", events(&counts));
    let file = file.to_string_lossy();
    let week = |as_of: &str| {
        let mut cmd = wd.cmd(&["peaks", "-q", "--input", &file, "--date-column", "datum"]);
        cmd.args([
            "--by",
            "none",
            "--all",
            "--explain",
            "none",
            "--format",
            "markdown",
        ])
        .args(["--as-of", as_of]);
        wd.run(cmd)
    };
    let md = week("2024-07-01");
    assert!(!md.contains("| 01-07-2024 |"), "{md}");
    assert!(
        md.contains("de week van 01-07-2024 is op de peildatum (01-07-2024) nog niet compleet en is niet beoordeeld. 14 van na de peildatum tellen niet mee."),
        "{md}"
    );
    let md = week("2024-07-07");
    assert!(md.contains("| 01-07-2024 | totaal | 17 |"), "{md}");
    let rows = peaks(
        &wd,
        &file,
        &[
            "--by",
            "none",
            "--all",
            "--period",
            "day",
            "--as-of",
            "2024-07-01",
            "--explain",
            "none",
        ],
    );
    let july1 = rows
        .iter()
        .find(|r| r["period_start"] == "2024-07-01")
        .unwrap();
    assert_eq!(july1["observed"], 3.0, "{july1}");
    // A month likewise: July is not judged on 1 July.
    let mut cmd = wd.cmd(&["peaks", "-q", "--input", &file, "--date-column", "datum"]);
    cmd.args([
        "--by",
        "none",
        "--all",
        "--explain",
        "none",
        "--format",
        "markdown",
    ])
    .args(["--period", "month", "--as-of", "2024-07-01"]);
    let md = wd.run(cmd);
    assert!(md.contains("de maand 07-2024 is op de peildatum"), "{md}");
}

/// Issue 11, item 2: a category that began later has its history from its first report, not
/// years of zeros. Afval: 10 a week since 2020; Parkeren: 45 a week since January 2022. In
/// the weeks of 2025, Farrington expects about 45 for Parkeren (it expected 13.8 with the
/// zeros and alarmed every week), and raises no alarm; the note names its start.
#[test]
fn a_series_starts_at_its_first_report() {
    let wd = Workdir::new();
    let mut text = String::from("datum;categorie;aantal\n");
    let mut day = chrono::NaiveDate::from_ymd_opt(2020, 1, 6).unwrap();
    let end = chrono::NaiveDate::from_ymd_opt(2025, 6, 29).unwrap();
    let start_parkeren = chrono::NaiveDate::from_ymd_opt(2022, 1, 3).unwrap();
    let mut k = 0u64;
    while day <= end {
        // A little variation, the same every year: 9, 10, 11.
        k += 1;
        text.push_str(&format!("{};Afval;{}\n", day.format("%d-%m-%Y"), 9 + k % 3));
        if day >= start_parkeren {
            text.push_str(&format!(
                "{};Parkeren;{}\n",
                day.format("%d-%m-%Y"),
                44 + k % 3
            ));
        }
        day += chrono::Duration::days(7);
    }
    let file = wd.write("weken.csv", text);
    let mut cmd = wd.cmd(&["peaks", "-q", "--input", &file.to_string_lossy()]);
    cmd.args([
        "--date-column",
        "datum",
        "--count-column",
        "aantal",
        "--by",
        "categorie",
    ])
    .args([
        "--from",
        "2025-01-06",
        "--as-of",
        "2025-06-29",
        "--all",
        "--explain",
        "none",
    ])
    .args(["--format", "json"]);
    let rows: Vec<Value> = serde_json::from_str(&wd.run(cmd)).unwrap();
    let parkeren: Vec<&Value> = rows.iter().filter(|r| r["group"] == "Parkeren").collect();
    // The weeks of 6 January to 23 June 2025 (29 June, a Sunday, completes the last).
    assert_eq!(parkeren.len(), 25, "{rows:?}");
    for r in &parkeren {
        let e = r["expected"].as_f64().unwrap();
        assert!((40.0..50.0).contains(&e) && r["alarm"] == false, "{r}");
        assert_eq!(r["method"], "farrington", "{r}");
    }
    let mut cmd = wd.cmd(&["peaks", "-q", "--input", &file.to_string_lossy()]);
    cmd.args(["--date-column", "datum", "--count-column", "aantal"])
        .args([
            "--as-of",
            "2025-06-29",
            "--explain",
            "none",
            "--format",
            "markdown",
        ]);
    let md = wd.run(cmd);
    assert!(
        md.contains("Historie vanaf de eerste melding: Parkeren (03-01-2022)."),
        "{md}"
    );
}

/// Issue 11, item 4: counts that come aggregated (a weekly series with a count column) give
/// the same figures as the events they count.
#[test]
fn aggregated_counts_equal_their_events() {
    let wd = Workdir::new();
    let weekly: Vec<u64> = vec![3, 4, 2, 5, 3, 4, 3, 2, 4, 3, 12];
    let mut agg = String::from("datum;categorie;aantal\n");
    let mut counts = Vec::new();
    for (i, n) in weekly.iter().enumerate() {
        let d = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
            + chrono::Duration::weeks(i as i64);
        agg.push_str(&format!("{};Afval;{n}\n", d.format("%d-%m-%Y")));
        counts.push((d.format("%d-%m-%Y").to_string(), "Afval".to_string(), *n));
    }
    agg.push_str("4-3-2024;Afval;\n");
    let agg = wd.write("agg.csv", agg);
    let ev = wd.write("ev.csv", events(&counts));
    let args = ["--all", "--as-of", "2024-03-17", "--explain", "none"];
    let mut from_agg = peaks(
        &wd,
        &agg.to_string_lossy(),
        &[&args[..], &["--count-column", "aantal"]].concat(),
    );
    let from_events = peaks(&wd, &ev.to_string_lossy(), &args);
    assert!(!from_events.is_empty());
    assert_eq!(from_agg, from_events);
    // Without --count-column every row is one event: one or two a week, and no peak.
    from_agg = peaks(&wd, &agg.to_string_lossy(), &args);
    assert!(
        from_agg
            .iter()
            .all(|r| r["observed"].as_f64() <= Some(2.0) && r["alarm"] == false)
    );
    let mut cmd = wd.cmd(&[
        "peaks",
        "-q",
        "--input",
        &agg.to_string_lossy(),
        "--date-column",
        "datum",
    ]);
    cmd.args(args)
        .args(["--count-column", "aantal", "--format", "markdown"]);
    assert!(
        wd.run(cmd)
            .contains("1 rijen zonder aantal tellen niet mee.")
    );
}

/// Issue 11, item 3: a KNMI file that does not cover the judged weeks: the note (and stderr)
/// say which period the file covers and which it lacks, instead of an empty column.
#[test]
fn weather_that_does_not_cover_the_weeks_is_said() {
    let wd = Workdir::new();
    let counts: Vec<(String, String, u64)> = (1..=28)
        .map(|d| (format!("{d}-2-2024"), "Afval".to_string(), 2))
        .collect();
    let file = wd.write("m.csv", events(&counts));
    let mut cmd = wd.cmd(&[
        "peaks",
        "--input",
        &file.to_string_lossy(),
        "--date-column",
        "datum",
    ]);
    cmd.args(["--weather", &testdata("knmi/etmgeg_348_2019.txt")])
        .args([
            "--as-of",
            "2024-02-25",
            "--explain",
            "none",
            "--format",
            "markdown",
        ]);
    let out = wd.output(cmd);
    let (md, err) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    let said = "Het weerbestand loopt van 03-07-2019 t/m 12-08-2019; voor ";
    assert!(
        md.contains(said) && md.contains("t/m 25-02-2024 is er geen weer"),
        "{md}"
    );
    assert!(err.contains(said), "{err}");
}

/// Issue 12: `--by categorie,wijk` gives a series per wijk of each categorie, a total per
/// categorie ("Afval / totaal") and an overall total ("totaal"), whose counts add up. EARS C1
/// by hand on 8 March 2024 (baseline the 7 days before; z(0.999) = 3.090232, least sd 0.5):
/// - Afval / Noord 1,1,1,1,1,1,1 then 3: mean 1, sd 0 -> 0.5, upper 2.545116: a peak;
/// - Afval / Zuid 1,1,2,3,4,5,6 then 8: mean 3.142857, sd 1.951800, upper 9.174373: none;
/// - Afval / totaal 2,2,3,4,5,6,7 then 11: mean 4.142857, upper 10.174373: a peak;
/// - Groen / Noord 2 every day: mean 2, sd 0 -> 0.5, upper 3.545116: none;
/// - totaal 4,4,5,6,7,8,9 then 13: mean 6.142857, upper 12.174373: a peak.
#[test]
fn by_two_columns_with_totals() {
    let wd = Workdir::new();
    let series: [(&str, &str, [u64; 8]); 3] = [
        ("Afval", "Noord", [1, 1, 1, 1, 1, 1, 1, 3]),
        ("Afval", "Zuid", [1, 1, 2, 3, 4, 5, 6, 8]),
        ("Groen", "Noord", [2; 8]),
    ];
    let mut csv = String::from("datum;categorie;wijk\n");
    for (cat, wijk, counts) in &series {
        for (day, n) in counts.iter().enumerate() {
            for _ in 0..*n {
                csv.push_str(&format!("{}-3-2024;{cat};{wijk}\n", day + 1));
            }
        }
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
            "--by",
            "categorie,wijk",
            "--all",
            "--as-of",
            "2024-03-08",
        ],
    );
    let got: BTreeMap<String, (i64, f64, bool)> = rows
        .iter()
        .map(|r| {
            (
                r["group"].as_str().unwrap().to_string(),
                (
                    r["observed"].as_i64().unwrap(),
                    r["upper_bound"].as_f64().unwrap(),
                    r["alarm"].as_bool().unwrap(),
                ),
            )
        })
        .collect();
    let want = [
        ("Afval / Noord", 3, 2.545116, true),
        ("Afval / Zuid", 8, 9.174373, false),
        ("Afval / totaal", 11, 10.174373, true),
        ("Groen / Noord", 2, 3.545116, false),
        ("Groen / totaal", 2, 3.545116, false),
        ("totaal", 13, 12.174373, true),
    ];
    assert_eq!(got.len(), want.len(), "{rows:?}");
    for (group, observed, upper, alarm) in want {
        let (o, u, a) = got[group];
        assert_eq!((o, a), (observed, alarm), "{group}");
        assert!((u - upper).abs() < 1e-6, "{group}: {u}");
    }
    // The parts add up to their totals.
    assert_eq!(
        got["Afval / Noord"].0 + got["Afval / Zuid"].0,
        got["Afval / totaal"].0
    );
    assert_eq!(
        got["Afval / totaal"].0 + got["Groen / totaal"].0,
        got["totaal"].0
    );
}
