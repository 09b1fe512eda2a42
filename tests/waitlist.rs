//! `datastroom waitlist` on the sample exports and on small hand-made case lists. Every expected
//! figure is computed by hand in the comments (as-of 30-6-2024 unless said otherwise); the
//! Kaplan-Meier limits were checked with lifelines (its numbers in the comments).

use crate::util::{Workdir, testdata};
use serde_json::Value;

const AS_OF: &str = "2024-06-30";

/// `waitlist ARGS --format json` on a file: the rows.
fn waitlist(wd: &Workdir, file: &str, args: &[&str]) -> Vec<Value> {
    let mut cmd = wd.cmd(&["waitlist", "-q", "--input", file, "--as-of", AS_OF]);
    cmd.args(args).args(["--format", "json"]);
    let out = wd.run(cmd);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("json: {e}\n{out}"))
}

fn sample(name: &str) -> String {
    testdata(name)
}

/// The summary keys, in a fixed order, as one comparable row.
fn figures(row: &Value) -> Vec<Value> {
    [
        "group",
        "n",
        "started_12m",
        "closed_12m",
        "open",
        "open_past_term",
        "within_term_pct",
        "within_term_pct_3m",
        "withdrawn",
        "median_days",
        "median_ci_lower",
        "median_ci_upper",
        "p75_days",
        "p90_days",
    ]
    .iter()
    .map(|k| {
        row.get(*k)
            .unwrap_or_else(|| panic!("key {k} in {row}"))
            .clone()
    })
    .collect()
}

fn row(v: &str) -> Vec<Value> {
    serde_json::from_str(v).expect("expected row")
}

/// wmo-onderzoek: datum_melding -> einde onderzoek, 42 days, net of opschorting.
/// Net days (E decided, C censored): W03 0 E (same day), W10 21 C (withdrawn), W06 27 C (open),
/// W09 29 E, W01 30 E, W04 39 E (69 - 30 suspended), W07 40 E, W08 46 C (ends 5-7, after
/// as-of: open), W02 56 E, W11 69 E, W05 121 C (open). W12 ends before it starts: left out.
/// n 11, open 3 (W05, W06, W08), past term 2 (W05 121, W08 46). Closed in 12 months 8;
/// decided 7, within 42: W01 W03 W04 W07 W09 = 5/7 = 71.4%. Last 3 months (end from 1-4):
/// W04 W07 W11, within 2/3 = 66.7%.
/// S: 0: 10/11; 29: *7/8 = .795; 30: *6/7 = .682; 39: *5/6 = .568; 40: *4/5 = .455 -> median
/// 40; 56: *2/3 = .303; 69: *1/2 = .152 -> p75 69; p90 not reached. lifelines: CI 29-69.
#[test]
fn wmo_onderzoek_summary() {
    let wd = Workdir::new();
    let rows = waitlist(
        &wd,
        &sample("zaken_wachtlijst.csv"),
        &["--preset", "wmo-onderzoek"],
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(
        figures(&rows[0]),
        row(r#"["totaal", 11, 11, 8, 3, 2, 71.4, 66.7, 1, 40, 29, 69, 69, null]"#)
    );
}

/// wmo-beschikking: aanvraag -> beschikking, 14 days. In scope W01 10, W02 21, W03 7, W07 open
/// 40, W09 37 (verdaagd, but the Wmo term has no fixed extension), W11 9. W08's aanvraag is
/// after as-of; W04 W05 W06 W10 W12 have none. Decided 5, within 14: W01 W03 W11 = 60%; last
/// 3 months (from 1-4) W09 W11: 50%. S: 7: 5/6, 9: 4/6, 10: 3/6 = 0.5 exactly -> median 10 (the smallest
/// t with S <= 0.5; lifelines says 21 because its float product is 0.5000000000000001, R says
/// 15.5, the midpoint); 21: 2/6; 37: 1/6 -> p75 37; p90 not reached. Lower limit 7 (lifelines).
#[test]
fn wmo_beschikking_summary_and_exact_half_median() {
    let wd = Workdir::new();
    let rows = waitlist(
        &wd,
        &sample("zaken_wachtlijst.csv"),
        &["--preset", "wmo-beschikking"],
    );
    assert_eq!(
        figures(&rows[0]),
        row(r#"["totaal", 6, 6, 5, 1, 1, 60.0, 50.0, 0, 10, 7, null, 37, null]"#)
    );
}

/// jeugd: 8 weeks = 56 days. J01 56 E (exactly the term: within), J02 78 - 14 = 64 E (late),
/// J03 45 E, J04 open 90 (past), J05 open 41 - 10 = 31, J06 25 withdrawn.
/// Noord: J01 56 E, J02 64 E, J06 25 C. S: 56: 1/2 -> median 56; 64: 0 -> p75 = p90 = 64.
/// Within 1/2 = 50%; in the last 3 months only J02 (late): 0%. Limits: lower 56; upper none (S = 0 at 64 has no band; lifelines: 64).
/// Zuid: J03 45 E, J05 31 C, J04 90 C: S(45) = 1/2, median 45, lower 45, upper not reached.
/// Total: 25 C, 31 C, 45 E (3/4), 56 E (1/2) -> median 56, 64 E (1/4) -> p75 64; lower 45.
#[test]
fn jeugd_by_team() {
    let wd = Workdir::new();
    let rows = waitlist(
        &wd,
        &sample("zaken_wachtlijst.csv"),
        &["--preset", "jeugd", "--section", "by", "--by", "team"],
    );
    let got: Vec<Vec<Value>> = rows.iter().map(figures).collect();
    assert_eq!(
        got,
        vec![
            row(r#"["Team Noord", 3, 3, 3, 0, 0, 50.0, 0.0, 1, 56, 56, null, 64, 64]"#),
            row(r#"["Team Zuid", 3, 3, 1, 2, 1, 100.0, 100.0, 0, 45, 45, null, null, null]"#),
            row(r#"["totaal", 6, 6, 4, 2, 1, 66.7, 50.0, 1, 56, 45, null, 64, null]"#),
        ]
    );
}

/// vth-regulier: 8 weeks, +6 when verdaagd; product without "uitgebreid". V01 49 E, V02 84 E
/// (verdaagd: term 98, within), V03 74 - 7 = 67 E (late), V04 open 90 (past), V07 open 20.
/// V08 has no wet and is rejected when read. Within 2/3 = 66.7%, last 3 months V02 V03: 50%.
/// S: 49: 3/4, 67: 1/2 -> median 67, 84: 1/4 -> p75 84. Lower limit 49 (lifelines).
/// vth-uitgebreid: 26 weeks (+6). V05 open 178 (verdaagd: term 224), V06 214 E > 182: late.
#[test]
fn vth_presets() {
    let wd = Workdir::new();
    let file = sample("vth_vergunningen.csv");
    let regulier = waitlist(&wd, &file, &["--preset", "vth-regulier"]);
    assert_eq!(
        figures(&regulier[0]),
        row(r#"["totaal", 5, 5, 3, 2, 1, 66.7, 50.0, 0, 67, 49, null, 84, null]"#)
    );
    let uitgebreid = waitlist(&wd, &file, &["--preset", "vth-uitgebreid"]);
    assert_eq!(
        figures(&uitgebreid[0]),
        row(r#"["totaal", 2, 2, 1, 1, 0, 0.0, 0.0, 0, 214, null, null, 214, 214]"#)
    );
    let open = waitlist(
        &wd,
        &file,
        &["--preset", "vth-uitgebreid", "--section", "open"],
    );
    assert_eq!(open[0]["zaak_id"], "V05");
    assert_eq!(open[0]["term_days"], 224);
    assert_eq!(open[0]["days_past_term"], 178 - 224);
}

/// The open cases, oldest first: W05 (1-3, 121 days, 79 past), W08 (15-5, 46, 4 past; its end
/// date 5-7 is after as-of), W06 (3-6, 27, 15 days left).
#[test]
fn open_cases_oldest_first() {
    let wd = Workdir::new();
    let rows = waitlist(
        &wd,
        &sample("zaken_wachtlijst.csv"),
        &["--preset", "wmo-onderzoek", "--section", "open"],
    );
    let got: Vec<(String, String, i64, i64)> = rows
        .iter()
        .map(|r| {
            (
                r["zaak_id"].as_str().unwrap().to_string(),
                r["start"].as_str().unwrap().to_string(),
                r["age_days"].as_i64().unwrap(),
                r["days_past_term"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("W05".into(), "2024-03-01".into(), 121, 79),
            ("W08".into(), "2024-05-15".into(), 46, 4),
            ("W06".into(), "2024-06-03".into(), 27, -15),
        ]
    );
    assert!(
        rows.iter()
            .all(|r| r.get("client_id").is_none() && r.get("consulent").is_none())
    );
}

/// Weekly flow over the last 4 weeks (30-6-2024 is a Sunday). Inflow: W06 on 3-6. Outflow:
/// W11 on 10-6. Backlog at the end of week 23 (9-6): 11 started - 7 closed = 4; then 3.
/// Outflow per week over 8 weeks: week 23 (14-4, 9-6]: W07 = 1/8; later weeks W07 and W11 =
/// 2/8. Weeks to clear: 4 / 0.125 = 32, then 3 / 0.25 = 12.
#[test]
fn flow_per_week() {
    let wd = Workdir::new();
    let rows = waitlist(
        &wd,
        &sample("zaken_wachtlijst.csv"),
        &[
            "--preset",
            "wmo-onderzoek",
            "--section",
            "flow",
            "--weeks",
            "4",
        ],
    );
    let got: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {} {} {} {}",
                r["week"].as_str().unwrap(),
                r["week_start"].as_str().unwrap(),
                r["inflow"],
                r["outflow"],
                r["backlog"],
                r["outflow_per_week_8w"],
                r["weeks_to_clear"]
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "2024-W23 2024-06-03 1 0 4 0.125 32.0",
            "2024-W24 2024-06-10 0 1 3 0.25 12.0",
            "2024-W25 2024-06-17 0 0 3 0.25 12.0",
            "2024-W26 2024-06-24 0 0 3 0.25 12.0",
        ]
    );
}

/// The Kaplan-Meier table of the Jeugd cases, with R's log band (--ci log) at t=45:
/// S = 3/4, V = 1/(4*3) = 1/12, exp(ln .75 -+ 1.959964 sqrt(1/12)) = .75 * exp(-+.565793)
/// = 0.425932 and 1.32 -> cut at 1.
#[test]
fn survival_table_with_log_band() {
    let wd = Workdir::new();
    let rows = waitlist(
        &wd,
        &sample("zaken_wachtlijst.csv"),
        &["--preset", "jeugd", "--section", "survival", "--ci", "log"],
    );
    let got: Vec<(i64, u64, u64, u64, f64)> = rows
        .iter()
        .map(|r| {
            (
                r["time"].as_i64().unwrap(),
                r["at_risk"].as_u64().unwrap(),
                r["events"].as_u64().unwrap(),
                r["censored"].as_u64().unwrap(),
                r["survival"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (25, 6, 0, 1, 1.0),
            (31, 5, 0, 1, 1.0),
            (45, 4, 1, 0, 0.75),
            (56, 3, 1, 0, 0.5),
            (64, 2, 1, 0, 0.25),
            (90, 1, 0, 1, 0.25),
        ]
    );
    let lower = rows[2]["lower"].as_f64().unwrap();
    assert!((lower - 0.425932).abs() < 1e-6, "{lower}");
    assert_eq!(rows[2]["upper"].as_f64(), Some(1.0));
    assert!(rows.iter().all(|r| r["group"] == "totaal"));
}

/// An as-of date in the past: on 31-3-2024 the Wmo investigations W04 (ends 10-4), W05 (started
/// 1-3) and W10... are judged as they stood then. Started by 31-3: W01 W02 W03 W04 W05 W09 W10.
/// Closed by then: W01 W02 W03 W09 W10 (withdrawn 25-3). Open: W04 (59 days minus 30
/// suspended = 29, within) and W05 (30 days). Nothing past the term.
#[test]
fn as_of_in_the_past_reopens_later_closures() {
    let wd = Workdir::new();
    let mut cmd = wd.cmd(&["waitlist", "-q", "--input", &sample("zaken_wachtlijst.csv")]);
    cmd.args(["--preset", "wmo-onderzoek", "--section", "open"])
        .args(["--as-of", "2024-03-31", "--format", "json"]);
    let rows: Vec<Value> = serde_json::from_str(&wd.run(cmd)).unwrap();
    let got: Vec<(&str, i64, i64, i64)> = rows
        .iter()
        .map(|r| {
            (
                r["zaak_id"].as_str().unwrap(),
                r["age_days"].as_i64().unwrap(),
                r["net_days"].as_i64().unwrap(),
                r["days_past_term"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, [("W04", 59, 29, -13), ("W05", 30, 30, -12)]);
}

/// Hand-made list: suspension subtracted (or not, with --ignore-suspension), a case closed on
/// its start day, a missing end date, an end before the start (reported on stderr, named).
#[test]
fn custom_clock_suspension_and_bad_dates() {
    let wd = Workdir::new();
    let file = wd.write(
        "zaken.csv",
        "Zaaknummer;Wet;Datum aanvraag;Datum beschikking;Opschorting\n\
         A1;Wmo;1-3-2024;31-3-2024;10\n\
         A2;Wmo;1-3-2024;1-3-2024;\n\
         A3;Wmo;1-6-2024;;5\n\
         A4;Wmo;10-3-2024;1-3-2024;\n",
    );
    let file = file.to_string_lossy();
    let args = [
        "--start",
        "datum_aanvraag",
        "--end",
        "datum_beschikking",
        "--term-days",
        "25",
    ];
    // A1 30 - 10 = 20 (within 25), A2 0, A3 open 29 - 5 = 24 (not past); A4 left out.
    let rows = waitlist(&wd, &file, &args);
    assert_eq!(figures(&rows[0])[1..7], row("[3, 3, 2, 1, 0, 100.0]")[..]);
    let mut no_susp = args.to_vec();
    no_susp.push("--ignore-suspension");
    // A1 30 > 25: late; A3 29 > 25: past term.
    let rows = waitlist(&wd, &file, &no_susp);
    assert_eq!(figures(&rows[0])[1..7], row("[3, 3, 2, 1, 1, 50.0]")[..]);
    let mut cmd = wd.cmd(&[
        "waitlist", "--input", &file, "--as-of", AS_OF, "--format", "markdown",
    ]);
    let out = wd.output(cmd.args(args));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("einddatum voor de startdatum") && stderr.contains("A4"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1 einde voor start"), "{stdout}");
}

/// "The last 3 months" on 30-6-2024 start on 1 April: a decision on 31 March belongs to the
/// 12-month figure only. All cases are decided within the term of 10 days except B2.
/// 12 months: B1 (31-3, 5 days), B2 (1-4, 20 days, late), B3 (1-7-2023, first day of the
/// window, 1 day) -> 2 of 3 = 66.7%; B4 (30-6-2023) is outside. 3 months: B2 only -> 0%.
#[test]
fn windows_start_on_the_day_after_as_of_minus_months() {
    let wd = Workdir::new();
    let file = wd.write(
        "w.csv",
        "Zaaknummer;Wet;Datum aanvraag;Datum beschikking\n\
         B1;Wmo;26-3-2024;31-3-2024\n\
         B2;Wmo;12-3-2024;1-4-2024\n\
         B3;Wmo;30-6-2023;1-7-2023\n\
         B4;Wmo;29-6-2023;30-6-2023\n",
    );
    let args = [
        "--start",
        "datum_aanvraag",
        "--end",
        "datum_beschikking",
        "--term-days",
        "10",
    ];
    let rows = waitlist(&wd, &file.to_string_lossy(), &args);
    // n 4; started in 12 months: B1, B2 (B3 started 30-6-2023, the day before the window);
    // closed in 12 months: B1, B2, B3.
    assert_eq!(
        figures(&rows[0])[1..8],
        row("[4, 2, 3, 0, 0, 66.7, 0.0]")[..]
    );
}

/// Nothing matches: no rows (a row of zeros would read as a figure), and the note says what
/// was asked and which wet the data has (issue 11, item 5).
#[test]
fn no_cases_gives_no_rows_and_says_why() {
    let wd = Workdir::new();
    let file = sample("zaken_wachtlijst.csv");
    let rows = waitlist(&wd, &file, &["--preset", "jeugd", "--team", "West"]);
    assert!(rows.is_empty(), "{rows:?}");
    let mut cmd = wd.cmd(&["waitlist", "-q", "--input", &file, "--preset", "jeugd"]);
    cmd.args(["--team", "West", "--as-of", AS_OF, "--format", "markdown"]);
    let out = wd.run(cmd);
    assert!(
        out.contains(
            "Geen zaak voldoet aan de selectie (wet bevat \"jeugd\" en team bevat \"West\"); \
             de gegevens hebben wet: Jeugdwet (6), Wmo (12)."
        ),
        "{out}"
    );
}

/// Rows of an --input file that cannot be read are counted in the note (W13: 31-6-2024).
#[test]
fn unreadable_rows_in_the_note() {
    let wd = Workdir::new();
    let mut cmd = wd.cmd(&["waitlist", "-q", "--input", &sample("zaken_wachtlijst.csv")]);
    cmd.args([
        "--preset",
        "wmo-onderzoek",
        "--as-of",
        AS_OF,
        "--format",
        "markdown",
    ]);
    let out = wd.run(cmd);
    assert!(
        out.contains("1 rij(en) van het bestand onleesbaar"),
        "{out}"
    );
}

/// Tables for people say "niet bereikt" where the median is not reached.
#[test]
fn not_reached_in_words() {
    let wd = Workdir::new();
    let out = wd.run(wd.cmd(&[
        "waitlist",
        "-q",
        "--input",
        &sample("zaken_wachtlijst.csv"),
        "--preset",
        "wmo-onderzoek",
        "--as-of",
        AS_OF,
        "--format",
        "markdown",
    ]));
    assert!(out.contains("| niet bereikt |"), "{out}");
    assert!(
        out.contains("mediaan (dagen)") && out.contains("Peildatum 30-06-2024"),
        "{out}"
    );
}

/// Per-employee figures need --allow-employee-names; personal columns need the key and are
/// logged; a clock is required.
#[test]
fn guards() {
    let wd = Workdir::new();
    let file = sample("zaken_wachtlijst.csv");
    let err = wd.usage(wd.cmd(&[
        "waitlist",
        "--input",
        &file,
        "--preset",
        "jeugd",
        "--by",
        "consulent",
    ]));
    assert!(err.contains("--allow-employee-names"), "{err}");
    let err = wd.usage(wd.cmd(&["waitlist", "--input", &file]));
    assert!(
        err.contains("--preset") && err.contains("--term-days"),
        "{err}"
    );
    let err = wd.usage(wd.cmd(&[
        "waitlist",
        "--input",
        &file,
        "--preset",
        "jeugd",
        "--section",
        "by",
    ]));
    assert!(err.contains("needs --by"), "{err}");

    let rows = waitlist(
        &wd,
        &file,
        &[
            "--preset",
            "jeugd",
            "--section",
            "by",
            "--by",
            "consulent",
            "--allow-employee-names",
        ],
    );
    assert_eq!(rows[0]["group"], "L. de Vries");

    let mut cmd = wd.cmd(&["waitlist", "--input", &file, "--preset", "wmo-onderzoek"]);
    cmd.args([
        "--section",
        "open",
        "--show-personal",
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]);
    let out = wd.output(cmd);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("persoonsgegevens getoond"), "{stderr}");
    // Issue 10, item 6: a lasting record, not only a stderr line.
    let audit = std::fs::read_to_string(wd.warehouse().join("audit.jsonl")).unwrap();
    let line: Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
    assert_eq!(line["wat"], "waitlist --show-personal");
    assert_eq!(
        line["details"]["kolommen"],
        serde_json::json!(["client_id", "consulent"])
    );
    assert!(
        line["gebruiker"].as_str().is_some_and(|u| !u.is_empty()),
        "{line}"
    );
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    // W05 has no BSN; the consulent is shown.
    assert_eq!(rows[0]["consulent"], "P. Bakker");

    let mut cmd = wd.cmd(&["waitlist", "--input", &file, "--preset", "wmo-onderzoek"]);
    cmd.args(["--section", "open", "--show-personal"])
        .env_remove("DATASTROOM_KEY");
    let err = wd.fail(cmd);
    assert!(err.contains("key"), "{err}");
}

/// From the warehouse: ingest both samples into zaken_sociaal, filter on gemeente, and the
/// client codes shown to a key holder are the pseudonyms, never the BSN.
#[test]
fn from_the_warehouse() {
    let wd = Workdir::new();
    let zaken = sample("zaken_wachtlijst.csv");
    wd.ingest_json(&[&zaken, "-d", "zaken_sociaal", "--gemeente", "Duiven"], 3);
    wd.ingest_json(
        &[
            &sample("zaken_sociaal.xlsx"),
            "-d",
            "zaken_sociaal",
            "--gemeente",
            "Zevenaar",
        ],
        3,
    );
    let mut cmd = wd.cmd(&[
        "waitlist",
        "-q",
        "--preset",
        "wmo-onderzoek",
        "--gemeente",
        "Duiven",
    ]);
    cmd.args(["--as-of", AS_OF, "--format", "json"]);
    let rows: Vec<Value> = serde_json::from_str(&wd.run(cmd)).unwrap();
    assert_eq!(figures(&rows[0])[1..7], row("[11, 11, 8, 3, 2, 71.4]")[..]);

    let mut cmd = wd.cmd(&[
        "waitlist",
        "-q",
        "--preset",
        "wmo-beschikking",
        "--section",
        "open",
    ]);
    cmd.args([
        "--show-personal",
        "--gemeente",
        "Duiven",
        "--as-of",
        "2024-03-20",
        "--format",
        "json",
    ]);
    let out = wd.run(cmd);
    // On 20-3-2024 one Wmo application waits: W02 (6-3 -> 27-3), BSN 111222333.
    assert!(!out.contains("111222333"), "{out}");
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(rows.len(), 1, "{out}");
    assert_eq!(rows[0]["zaak_id"], "W02");
    let code = rows[0]["client_id"].as_str().unwrap();
    assert!(
        code.len() == 64 && code.chars().all(|c| c.is_ascii_hexdigit()),
        "{code}"
    );
}

/// Issue 11, item 5: a preset that matches no case says so (what was asked, which wet the data
/// has) instead of printing a row of zeros.
#[test]
fn no_case_matches_the_preset() {
    let wd = Workdir::new();
    wd.write(
        "wmo.csv",
        "Zaaknummer;Wet;Datum melding;Datum aanvraag;Datum beschikking\n\
         Z1;Wmo;1-2-2024;5-2-2024;12-2-2024\nZ2;Wmo;3-2-2024;6-2-2024;\nZ3;Wmo 2015;4-2-2024;;\n",
    );
    wd.run(wd.cmd(&["ingest", "wmo.csv", "-d", "zaken_sociaal"]));
    let out = wd.output(wd.cmd(&[
        "waitlist",
        "--preset",
        "jeugd",
        "--as-of",
        "2024-06-30",
        "--format",
        "markdown",
    ]));
    assert!(out.status.success());
    let (md, err) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    let said = "Geen zaak voldoet aan de selectie (wet bevat \"jeugd\"); de gegevens hebben wet: Wmo (2), Wmo 2015 (1).";
    assert!(md.contains(said), "{md}");
    assert!(err.contains(said), "{err}");
    assert!(!md.contains("| 0 |"), "no row of zeros: {md}");
}

/// Issue 12: `--by gemeente,team` gives the figures per team of each gemeente, a total per
/// gemeente and an overall total; counts add up. By hand, term 10 days, as-of 30-6-2024:
/// - Duiven / Noord: 4 days (decided), open since 1-6 (29 days, past the term);
/// - Duiven / West: 3 days (decided);
/// - Zevenaar / Noord: 5 days, 20 days (late), open since 25-6 (5 days);
/// - Zevenaar / Zuid: 7 days, open since 10-6 (20 days, past the term).
///
/// Zevenaar / Noord's Kaplan-Meier: at 5 days 3 at risk, 1 decided, 1 open -> 2/3; at 20
/// days 1 at risk, decided -> 0: median 20.
#[test]
fn by_gemeente_and_team_with_totals() {
    let wd = Workdir::new();
    let file = wd.write(
        "zaken.csv",
        "Zaaknummer;Gemeente;Team;Wet;Datum aanvraag;Datum beschikking\n\
         A1;Zevenaar;Noord;Jeugdwet;1-6-2024;6-6-2024\n\
         A2;Zevenaar;Noord;Jeugdwet;1-6-2024;21-6-2024\n\
         A3;Zevenaar;Noord;Jeugdwet;25-6-2024;\n\
         B1;Zevenaar;Zuid;Jeugdwet;1-5-2024;8-5-2024\n\
         B2;Zevenaar;Zuid;Jeugdwet;10-6-2024;\n\
         C1;Duiven;Noord;Jeugdwet;1-4-2024;5-4-2024\n\
         C2;Duiven;Noord;Jeugdwet;1-6-2024;\n\
         D1;Duiven;West;Jeugdwet;20-6-2024;23-6-2024\n",
    );
    let rows = waitlist(
        &wd,
        &file.to_string_lossy(),
        &[
            "--start",
            "datum_aanvraag",
            "--end",
            "datum_beschikking",
            "--term-days",
            "10",
            "--section",
            "by",
            "--by",
            "gemeente,team",
        ],
    );
    let got: Vec<(String, i64, i64, i64, i64, Value)> = rows
        .iter()
        .map(|r| {
            let n = |k: &str| r[k].as_i64().unwrap();
            (
                r["group"].as_str().unwrap().to_string(),
                n("n"),
                n("open"),
                n("open_past_term"),
                n("decided_12m"),
                r["within_term_pct"].clone(),
            )
        })
        .collect();
    let row = |g: &str, n, open, past, decided, pct: f64| {
        (
            g.to_string(),
            n,
            open,
            past,
            decided,
            serde_json::json!(pct),
        )
    };
    assert_eq!(
        got,
        [
            row("Duiven / Noord", 2, 1, 1, 1, 100.0),
            row("Duiven / West", 1, 0, 0, 1, 100.0),
            row("Duiven / totaal", 3, 1, 1, 2, 100.0),
            row("Zevenaar / Noord", 3, 1, 0, 2, 50.0),
            row("Zevenaar / Zuid", 2, 1, 1, 1, 100.0),
            row("Zevenaar / totaal", 5, 2, 1, 3, 66.7),
            row("totaal", 8, 3, 2, 5, 80.0),
        ]
    );
    assert_eq!(rows[3]["median_days"], 20);
    // The teams add up to their gemeente, the gemeenten to the total.
    assert_eq!(got[0].1 + got[1].1, got[2].1);
    assert_eq!(got[3].1 + got[4].1, got[5].1);
    assert_eq!(got[2].1 + got[5].1, got[6].1);
}
