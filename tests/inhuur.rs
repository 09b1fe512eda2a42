//! `datastroom inhuur` on testdata/inhuur_contracten_2026.xlsx and inhuur_facturen_2026.csv
//! (as-of 31-3-2026). Every figure is computed by hand from the rows in make_testdata.py; the
//! comments show the sums.

use crate::util::{Workdir, testdata};
use serde_json::{Value, json};

const AS_OF: &str = "2026-03-31";

fn loaded() -> Workdir {
    let wd = Workdir::new();
    wd.ingest_json(
        &[
            &testdata("inhuur_contracten_2026.xlsx"),
            "-d",
            "inhuur_contracten",
        ],
        0,
    );
    // F903's amount "n.v.t." is rejected: 32 of 33 invoices.
    let f = wd.ingest_json(
        &[
            &testdata("inhuur_facturen_2026.csv"),
            "-d",
            "inhuur_facturen",
        ],
        3,
    );
    assert_eq!(f["accepted"], 32);
    wd
}

fn inhuur(wd: &Workdir, args: &[&str]) -> Vec<Value> {
    let mut cmd = wd.cmd(&["inhuur", "-q", "--as-of", AS_OF, "--format", "json"]);
    cmd.args(args);
    serde_json::from_str(&wd.run(cmd)).expect("json")
}

/// (rule, contract_id, leverancier, amount) of every finding.
fn short(rows: &[Value]) -> Vec<(String, String, String, f64)> {
    rows.iter()
        .map(|r| {
            (
                r["rule"].as_str().unwrap().to_string(),
                r["contract_id"].as_str().unwrap_or("-").to_string(),
                r["leverancier"].as_str().unwrap().to_string(),
                r["amount"].as_f64().unwrap(),
            )
        })
        .collect()
}

/// Every rule at least once, and K10 (the clean contract) in none:
/// - spend_after_end: K01 ends 31-12-2024; F103 covers January 2025 (2.000), and K12 (the
///   same person, from 1-5-2026) starts far too late to take over: expired_active too.
///   K02 ends 31-12-2025; F202 covers January 2026 (9.000); F203 covers
///   15-12-2025..14-1-2026, 14 of its 31 days after the end: 6.200 x 14/31 = 2.800. K07 ends
///   31-12-2024; F705 covers January 2025 (5.000), but K08 follows K07 for the same person, so
///   K07 is no expired_active.
/// - over_contract_value: K03 has no contractwaarde: 110 x 800 = 88.000; invoices 3 x 30.000
///   minus credit 1.500 = 88.500 (100,6%). The credit after the end date is no signal.
/// - near_contract_value: K04 45.000 + 47.000 = 92.000 of 100.000.
/// - eu_threshold (216.000 on 31-3-2026; window 1-4-2022..31-3-2026):
///   Data B.V. (also "Data BV"): K04 92.000 + K08, open-ended: 75.000 over 15 months = 5.000 a
///   month x 48 = 240.000 -> 92.000 + 240.000 = 332.000.
///   Interim Partners (three spellings): K01 is European-tendered and does not count; K03 88.500
///   + K05 140.000 = 228.500.
/// - eu_threshold_near: Bureau Groot 3 x 60.000 = 180.000 (83,3%; F601 of 31-3-2022 lies just
///   outside the window, or it would be 220.000); Detacheer & Co K02 24.200 + K07 185.000 =
///   209.200 (96,9%).
/// - long_running: Lisa Lam (K06) 1-1-2022..31-12-2025, 48 months, 220.000; Mark Mol K07
///   (Detacheer) then K08 (Data, open) from 1-1-2023 to now, 39 months, 185.000 + 75.000.
///   Piet Pieters (K01) was hired exactly 24 months: not longer than 24.
/// - invoice_without_contract: F901 (no contract) 1.234,56; F902 (K99 unknown) 2.500.
/// - contract_without_invoices: K09 started 1-12-2025, 120 days ago; amount its value 51.000.
///   K11 started 16 days ago, K12 starts in May: no signal.
/// - expired_active: K01 2.000; K02, invoices after its end 9.000 + 2.800 = 11.800.
#[test]
fn every_rule_fires_and_the_clean_contract_does_not() {
    let wd = loaded();
    let rows = inhuur(&wd, &["--section", "findings"]);
    let expected = [
        ("spend_after_end", "K01", "Interim Partners BV", 2000.0),
        ("spend_after_end", "K02", "Detacheer & Co", 9000.0),
        ("spend_after_end", "K02", "Detacheer & Co", 2800.0),
        ("spend_after_end", "K07", "Detacheer & Co", 5000.0),
        ("over_contract_value", "K03", "Interim Partners BV", 88500.0),
        ("near_contract_value", "K04", "Data B.V.", 92000.0),
        ("eu_threshold", "-", "Data B.V.", 332000.0),
        ("eu_threshold", "-", "Interim Partners BV", 228500.0),
        ("eu_threshold_near", "-", "Bureau Groot", 180000.0),
        ("eu_threshold_near", "-", "Detacheer & Co", 209200.0),
        ("long_running", "K06", "Bureau Groot", 220000.0),
        ("long_running", "K08", "Data B.V.", 260000.0),
        (
            "invoice_without_contract",
            "-",
            "Adviesbureau Zonder Contract",
            1234.56,
        ),
        ("invoice_without_contract", "K99", "Onbekend Bureau", 2500.0),
        (
            "contract_without_invoices",
            "K09",
            "Nieuwe Inzet BV",
            51000.0,
        ),
        ("expired_active", "K01", "Interim Partners BV", 2000.0),
        ("expired_active", "K02", "Detacheer & Co", 11800.0),
    ];
    let expected: Vec<(String, String, String, f64)> = expected
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), *d))
        .collect();
    assert_eq!(short(&rows), expected);
    assert!(rows.iter().all(|r| r["contract_id"] != "K10"));
    for r in &rows {
        assert!(!r["detail"].as_str().unwrap().is_empty(), "{r}");
    }
    let detail = |k: usize| rows[k]["detail"].as_str().unwrap().to_string();
    assert!(detail(2).contains("14/31"), "{}", detail(2));
    assert!(
        detail(6).contains("€ 5.000,00 per maand x 48 = € 240.000,00"),
        "{}",
        detail(6)
    );
    assert!(detail(4).contains("100,6%"), "{}", detail(4));
    assert!(
        detail(11).contains("39 maanden, 2 contract(en) (K07, K08), 2 leverancier(s)"),
        "{}",
        detail(11)
    );
}

/// On 31-3-2026 with 60 days ahead (to 30-5): active K04, K08 (open), K09, K10, K11; K12
/// starts 1-5; K11 ends 15-5. Invoices 1-1..31-3-2026: 125.434,56 (Sociaal Domein 30.200,
/// Ruimte 31.000, Bedrijfsvoering 64.234,56), so 41.811,52 a month. 2025: F201 9.000, F301
/// and F302 60.000, F401 45.000, F604 60.000, F705 5.000, F801-F804 60.000, F103 2.000 =
/// 241.000.
#[test]
fn overview_on_the_as_of_date() {
    let wd = loaded();
    let rows = inhuur(&wd, &[]);
    assert_eq!(
        rows,
        [
            json!({"active": 5, "starting": 1, "ending": 1, "run_rate_month": 41811.52,
                "spend_ytd": 125434.56, "spend_last_year": 241000.0})
        ]
    );
}

/// Costs per department in 2026 by invoice date, forecast = year to date / 3 months x 12, and
/// the budget of 2026 (the 2025 line of Ruimte is ignored).
/// Bedrijfsvoering: Jan F1001 8.000, Feb F402 47.000 + F1002 8.000, Mar F901 1.234,56 ->
/// 64.234,56, forecast 256.938,24, budget 200.000: +56.938,24.
/// Ruimte: Feb F303 30.000 + F902 2.500, Mar credit F304 -1.500 -> 31.000, 124.000, +24.000.
/// Sociaal Domein: Jan F202 9.000 + F203 6.200, Mar F805 15.000 -> 30.200, 120.800, -29.200.
#[test]
fn costs_per_department_with_budget() {
    let wd = loaded();
    let budget = testdata("inhuur_budget.csv");
    let rows = inhuur(&wd, &["--section", "costs", "--budget", &budget]);
    assert_eq!(
        rows,
        [
            json!({"afdeling": "Bedrijfsvoering", "2026-01": 8000.0, "2026-02": 55000.0,
                   "2026-03": 1234.56, "ytd": 64234.56, "forecast": 256938.24,
                   "budget": 200000.0, "forecast_minus_budget": 56938.24}),
            json!({"afdeling": "Ruimte", "2026-01": 0.0, "2026-02": 32500.0, "2026-03": -1500.0,
                   "ytd": 31000.0, "forecast": 124000.0, "budget": 100000.0,
                   "forecast_minus_budget": 24000.0}),
            json!({"afdeling": "Sociaal Domein", "2026-01": 15200.0, "2026-02": 0.0,
                   "2026-03": 15000.0, "ytd": 30200.0, "forecast": 120800.0,
                   "budget": 150000.0, "forecast_minus_budget": -29200.0}),
        ]
    );
}

/// Suppliers, their spellings joined: Interim Partners (4 spellings, 3 contracts), spend per
/// year and the 48-month figures. 2024: F102 150.000 + F501 + F502 140.000 = 290.000; all 48
/// months: K01 302.000 (European, not counted) + 228.500 = 530.500.
#[test]
fn suppliers_with_years_and_threshold_status() {
    let wd = loaded();
    let rows = inhuur(&wd, &["--section", "suppliers"]);
    let interim = rows
        .iter()
        .find(|r| r["leverancier"] == "Interim Partners BV")
        .expect("one row for all spellings");
    assert_eq!(interim["contracts"], 3);
    assert_eq!(interim["spend_2024"], 290000.0);
    assert_eq!(interim["spend_48m"], 530500.0);
    assert_eq!(interim["counted_48m"], 228500.0);
    assert_eq!(interim["status"], "boven de drempel");
    assert_eq!(rows.len(), 8, "one row per supplier: {rows:?}");
    let groot = rows
        .iter()
        .find(|r| r["leverancier"] == "Bureau Groot")
        .unwrap();
    assert_eq!(
        (
            groot["spend_2022"].as_f64(),
            groot["pct_threshold"].as_f64()
        ),
        (Some(40000.0), Some(83.3))
    );
}

/// The timeline: status per contract on 31-3-2026 (60 days ahead).
#[test]
fn timeline_statuses() {
    let wd = loaded();
    let rows = inhuur(&wd, &["--section", "timeline"]);
    let status = |id: &str| {
        rows.iter()
            .find(|r| r["contract_id"] == id)
            .map(|r| r["status"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(status("K03"), "beëindigd");
    assert_eq!(status("K08"), "lopend");
    assert_eq!(status("K11"), "loopt af");
    assert_eq!(status("K12"), "toekomstig");
    let k08 = rows.iter().find(|r| r["contract_id"] == "K08").unwrap();
    assert_eq!(k08["end"], Value::Null, "open-ended: 'tot nader order'");
}

/// Money in tables for people: two decimals, thousands dots; in Dutch Excel CSV the same.
#[test]
fn money_in_dutch() {
    let wd = loaded();
    let md = wd.run(wd.cmd(&[
        "inhuur",
        "-q",
        "--as-of",
        AS_OF,
        "--section",
        "findings",
        "--format",
        "markdown",
    ]));
    assert!(md.contains("| 88.500,00 |"), "{md}");
    assert!(md.contains("| bedrag (EUR) |"), "{md}");
    let csv = wd.run(wd.cmd(&[
        "inhuur",
        "-q",
        "--as-of",
        AS_OF,
        "--section",
        "costs",
        "--format",
        "csv-excel",
    ]));
    assert!(
        csv.contains("Ruimte;0,00;32.500,00;-1.500,00;31.000,00;124.000,00"),
        "{csv}"
    );
}

/// `--format parquet`: the findings as computed, each amount a Decimal(18,2) to the cent,
/// the same as the JSON output; the Wet DBA finding's 88,500.00 among them.
#[test]
fn findings_as_parquet_with_exact_money() {
    let wd = loaded();
    let mut cmd = wd.cmd(&["inhuur", "-q", "--as-of", AS_OF, "--section", "findings"]);
    wd.run(cmd.args(["-o", "signalen.parquet"]));
    let df = crate::export::read(&wd.path("signalen.parquet"));
    let json = inhuur(&wd, &["--section", "findings"]);
    assert_eq!(df.height(), json.len());
    let cents = crate::export::cents_of(&df, "amount");
    let expected: Vec<Option<i128>> = json
        .iter()
        .map(|r| r["amount"].as_f64().map(|x| (x * 100.0).round() as i128))
        .collect();
    assert_eq!(cents, expected);
    assert!(cents.contains(&Some(8_850_000)), "{cents:?}");
}

/// Files instead of the warehouse, without a key: the names are left out, so the Wet DBA
/// signal cannot be computed and the note says so; the other rules still run. A threshold of
/// 750.000 (social services) leaves no supplier near it.
#[test]
fn files_without_key_and_another_threshold() {
    let wd = Workdir::new();
    let (c, f) = (
        testdata("inhuur_contracten_2026.xlsx"),
        testdata("inhuur_facturen_2026.csv"),
    );
    let mut cmd = wd.cmd(&[
        "inhuur",
        "-q",
        "--as-of",
        AS_OF,
        "--contracts",
        &c,
        "--invoices",
        &f,
    ]);
    cmd.args([
        "--section",
        "findings",
        "--threshold",
        "750000",
        "--format",
        "markdown",
    ]);
    cmd.env_remove("DATASTROOM_KEY");
    let out = wd.run(cmd);
    // Tables for people name the rules in words (issue 11, item 12); JSON keeps the codes.
    assert!(
        !out.contains("langdurige inhuur") && !out.contains("boven Europese drempel"),
        "{out}"
    );
    assert!(
        out.contains("boven contractwaarde") && out.contains("Wet DBA-signaal kon niet"),
        "{out}"
    );
    assert!(!out.contains("over_contract_value"), "{out}");
    assert!(out.contains("EUR 750.000,00"), "{out}");
}

/// On 30-6-2025 the threshold is 221.000, and the 16 invoices dated later do not count (32
/// read: 16 up to 30-6-2025). Interim Partners then: K03 F301 30.000 + K05 140.000 = 170.000
/// (76,9%: under 80%). --threshold in Dutch notation; English details with --lang en.
#[test]
fn an_earlier_as_of_date_and_english() {
    let wd = loaded();
    let mut cmd = wd.cmd(&[
        "inhuur",
        "-q",
        "--as-of",
        "2025-06-30",
        "--section",
        "suppliers",
    ]);
    cmd.args(["--format", "markdown"]);
    let out = wd.run(cmd);
    assert!(
        out.contains("221.000,00") && out.contains("16 facturen gedateerd na de peildatum"),
        "{out}"
    );
    let mut cmd = wd.cmd(&[
        "inhuur",
        "-q",
        "--as-of",
        "2025-06-30",
        "--section",
        "suppliers",
    ]);
    cmd.args(["--format", "json"]);
    let rows: Vec<Value> = serde_json::from_str(&wd.run(cmd)).unwrap();
    // Up to 30-6-2025 "Interim Partners B.V." is the spelling seen most often.
    let interim = rows
        .iter()
        .find(|r| r["leverancier"] == "Interim Partners B.V.")
        .unwrap();
    assert_eq!(
        (
            interim["counted_48m"].as_f64(),
            interim["pct_threshold"].as_f64()
        ),
        (Some(170000.0), Some(76.9))
    );
    let rows = inhuur(
        &wd,
        &[
            "--section",
            "findings",
            "--threshold",
            "150.000",
            "--lang",
            "en",
        ],
    );
    let eu: Vec<&Value> = rows
        .iter()
        .filter(|r| r["rule"] == "eu_threshold")
        .collect();
    // Over 150.000: Data (332.000), Detacheer (209.200), Bureau Groot (180.000), Interim (228.500).
    assert_eq!(eu.len(), 4, "{rows:?}");
    let detail = eu[0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("of the EU threshold € 150000.00"),
        "{detail}"
    );
}

/// Open-ended contracts in a CSV export: an empty Einddatum and "Tot nader order" are both no
/// end date; an unreadable one ("Q3") is still rejected.
#[test]
fn open_ended_end_dates_in_a_csv() {
    let wd = Workdir::new();
    let file = wd.write(
        "c.csv",
        "Contractnummer;Leverancier;Startdatum;Einddatum\n\
         A;X BV;1-1-2026;\n\
         B;X BV;1-2-2026;Tot nader order\n\
         C;X BV;1-3-2026;Q3\n",
    );
    let s = wd.ingest_json(&[&file.to_string_lossy(), "-d", "inhuur_contracten"], 3);
    assert_eq!(
        (s["accepted"].as_u64(), s["rejected"].as_u64()),
        (Some(2), Some(1))
    );
    let rows = wd.sql("SELECT contract_id, einddatum FROM inhuur_contracten ORDER BY contract_id");
    assert_eq!(
        rows,
        [
            json!({"contract_id": "A", "einddatum": null}),
            json!({"contract_id": "B", "einddatum": null})
        ]
    );
}
