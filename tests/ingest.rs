//! `datastroom ingest` on every sample export, with counts and values checked by hand.

use crate::util::{Workdir, testdata};
use serde_json::json;

/// Ingests one sample and returns the JSON summary row.
fn ingest(wd: &Workdir, file: &str, dataset: &str, code: i32) -> serde_json::Value {
    wd.ingest_json(&[&testdata(file), "--dataset", dataset], code)
}

/// Three years of reports (the history behind the weekly example): every row accepted, the
/// melder's name, e-mail and phone never stored.
#[test]
fn fixi_history_all_rows_accepted() {
    let wd = Workdir::new();
    let s = ingest(&wd, "meldingen_historie.csv", "meldingen", 0);
    assert_eq!(
        (s["read"].as_u64(), s["rejected"].as_u64()),
        (Some(2230), Some(0))
    );
    // Counted with Python's csv module: 726 Groen, 173 Riolering; first and last report.
    let rows = wd.sql(
        "SELECT categorie, COUNT(*) AS n FROM meldingen GROUP BY categorie ORDER BY categorie",
    );
    let n = |cat: &str| rows.iter().find(|r| r["categorie"] == cat).unwrap()["n"].clone();
    assert_eq!((n("Groen"), n("Riolering")), (json!(726), json!(173)));
    let span =
        wd.sql("SELECT MIN(datum_melding) AS eerste, MAX(datum_melding) AS laatste FROM meldingen");
    assert_eq!(span[0]["eerste"], "2021-06-28 11:37:00");
    assert_eq!(span[0]["laatste"], "2024-07-28 16:10:00");
    let columns = wd.sql("SELECT * FROM meldingen LIMIT 1");
    let names: Vec<&String> = columns[0].as_object().unwrap().keys().collect();
    assert!(
        !names
            .iter()
            .any(|c| c.contains("melder") || c.contains("mail") || c.contains("telefoon")),
        "{names:?}"
    );
}

#[test]
fn fixi_csv_windows_1252_semicolons_title_rows_and_rejects() {
    let wd = Workdir::new();
    let s = ingest(&wd, "meldingen_fixi.csv", "meldingen", 3);
    // 14 data rows: 31-02 is no date (line 10), empty category (line 11), an identical
    // duplicate (line 13), and a key used twice with other content (lines 14 and 15).
    assert_eq!(
        (
            s["read"].as_u64(),
            s["accepted"].as_u64(),
            s["rejected"].as_u64()
        ),
        (Some(14), Some(9), Some(5))
    );
    let rows = wd.sql(
        "SELECT melding_id, datum_melding, categorie, adres, kanaal FROM meldingen \
         WHERE melding_id IN ('M-2024-0001', 'M-2024-0003', 'M-2024-0006') ORDER BY melding_id",
    );
    assert_eq!(rows[0]["datum_melding"], "2024-03-01 08:05:00");
    assert_eq!(
        rows[1]["adres"], "Café de Gouden Leeuw, Markt 3",
        "Windows-1252 é read right"
    );
    assert_eq!(
        rows[2]["datum_melding"], "2024-03-14 00:00:00",
        "0:00 without padding"
    );
    assert_eq!(rows[0]["kanaal"], "App");

    let out = wd.run(wd.cmd(&["datasets", "rejects", "meldingen", "--format", "json"]));
    let rejects: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let got: Vec<(u64, &str, &str)> = rejects
        .iter()
        .map(|r| {
            (
                r["position"].as_u64().unwrap(),
                r["column"].as_str().unwrap(),
                r["value"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (10, "Datum melding", "31-02-2024 10:00"),
            (11, "Hoofdcategorie", ""),
            (13, "Meldingnummer", "M-2024-0009"),
            (14, "Meldingnummer", ""),
            (15, "Meldingnummer", "M-2024-0010"),
        ]
    );
    assert_eq!(
        rejects[0]["reason"],
        "'31-02-2024 10:00' is geen geldige datum/tijd"
    );
    assert_eq!(rejects[1]["reason"], "verplicht veld is leeg");
    assert_eq!(rejects[2]["reason"], "dubbele rij: gelijk aan regel 12");
    assert!(
        rejects[0]["source"]
            .as_str()
            .unwrap()
            .ends_with("meldingen_fixi.csv")
    );
    // The rejected row is kept, without the personal columns.
    let row: serde_json::Value = serde_json::from_str(rejects[0]["row"].as_str().unwrap()).unwrap();
    assert_eq!(row["Meldingnummer"], "M-2024-0007");
    assert!(row.get("Naam melder").is_none());
}

#[test]
fn signalen_json_utc_times_become_dutch_local_time() {
    let wd = Workdir::new();
    let s = ingest(&wd, "meldingen_signalen.json", "meldingen", 3);
    assert_eq!(
        (s["accepted"].as_u64(), s["rejected"].as_u64()),
        (Some(3), Some(1))
    );
    let rows = wd.sql("SELECT melding_id, datum_melding, lon FROM meldingen ORDER BY melding_id");
    // Winter: UTC+1. Summer: UTC+2, across midnight. 00:59:59 UTC on 30 March 2025 is one
    // second before summer time starts: still UTC+1.
    assert_eq!(rows[0]["datum_melding"], "2025-01-15 08:26:07");
    assert_eq!(rows[1]["datum_melding"], "2025-07-02 00:30:00");
    assert_eq!(rows[2]["datum_melding"], "2025-03-30 01:59:59");
    assert_eq!(rows[0]["lon"], 6.07);
    assert_eq!(rows[2]["lon"], serde_json::Value::Null);
}

#[test]
fn zaken_xlsx_with_title_rows_dates_and_bsn() {
    let wd = Workdir::new();
    let s = ingest(&wd, "zaken_sociaal.xlsx", "zaken_sociaal", 3);
    // 7 rows: 'onbekend' as a date (Z-006), an empty Wet (Z-007).
    assert_eq!(
        (s["read"].as_u64(), s["rejected"].as_u64()),
        (Some(7), Some(2))
    );
    let rows = wd.sql(
        "SELECT zaak_id, wet, consulent, datum_melding, datum_aanvraag, datum_beschikking, \
         opschorting_dagen, verdaagd FROM zaken_sociaal ORDER BY zaak_id",
    );
    let ids: Vec<&str> = rows
        .iter()
        .map(|r| r["zaak_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["Z-001", "Z-002", "Z-003", "Z-004", "Z-005"]);
    assert_eq!(
        rows[0]["datum_beschikking"], "2024-02-12",
        "Excel date cell"
    );
    assert_eq!(
        rows[3]["datum_melding"], "2024-03-14",
        "text date among date cells"
    );
    assert_eq!(rows[1]["opschorting_dagen"], 5);
    assert_eq!(rows[1]["verdaagd"], true);
    assert_eq!(
        rows[0]["consulent"], "P. Bakker",
        "employee names are kept for managers"
    );
    let out = wd.run(wd.cmd(&["datasets", "rejects", "zaken_sociaal", "--format", "json"]));
    let rejects: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(
        rejects[0]["position"], 10,
        "sheet row of Z-006 (header on row 4)"
    );
    assert_eq!(rejects[0]["reason"], "'onbekend' is geen geldige datum");
    assert_eq!(rejects[1]["position"], 11);
    assert_eq!(rejects[1]["column"], "Wet");
}

#[test]
fn inhuur_contracts_xlsx_and_invoices_with_dutch_money() {
    let wd = Workdir::new();
    // Empty Leverancier is rejected; Einddatum "tot nader order" is an open end (no date).
    let c = ingest(&wd, "inhuur_contracten.xlsx", "inhuur_contracten", 3);
    assert_eq!(
        (c["accepted"].as_u64(), c["rejected"].as_u64()),
        (Some(4), Some(1))
    );
    let open = wd.sql("SELECT einddatum FROM inhuur_contracten WHERE contract_id = 'C-2024-03'");
    assert_eq!(open[0]["einddatum"], serde_json::Value::Null);
    let f = ingest(&wd, "inhuur_facturen.csv", "inhuur_facturen", 3);
    assert_eq!(
        (f["accepted"].as_u64(), f["rejected"].as_u64()),
        (Some(7), Some(2))
    );
    let rows = wd.sql("SELECT factuur_id, bedrag, uren FROM inhuur_facturen ORDER BY factuur_id");
    let amounts: Vec<f64> = rows.iter().map(|r| r["bedrag"].as_f64().unwrap()).collect();
    // 20.080,00 | EUR 18.825,00 | 9.800,00 | 4.900,00 | (980,00) | 1.234,56 | 12,5
    assert_eq!(
        amounts,
        [20080.0, 18825.0, 9800.0, 4900.0, -980.0, 1234.56, 12.5]
    );
    assert_eq!(rows[6]["uren"], 0.5);
    assert_eq!(rows[4]["uren"], -10.0);
    let total = wd.sql("SELECT ROUND(SUM(bedrag), 2) AS totaal FROM inhuur_facturen");
    assert_eq!(total[0]["totaal"], 53872.06);
    let rate = wd.sql(
        "SELECT uurtarief, contractwaarde FROM inhuur_contracten WHERE contract_id = 'C-2023-01'",
    );
    assert_eq!(
        rate[0],
        json!({"uurtarief": 125.5, "contractwaarde": 200800.0})
    );
}

/// The waiting-list samples: 13 + 8 rows; W13's "31-6-2024" and V08's empty wet are rejected.
/// W12 (end before start) is kept: `waitlist` reports it.
#[test]
fn waitlist_samples() {
    let wd = Workdir::new();
    let s = ingest(&wd, "zaken_wachtlijst.csv", "zaken_sociaal", 3);
    assert_eq!(
        (s["accepted"].as_u64(), s["rejected"].as_u64()),
        (Some(18), Some(1))
    );
    let s = ingest(&wd, "vth_vergunningen.csv", "zaken_sociaal", 3);
    assert_eq!(
        (s["accepted"].as_u64(), s["rejected"].as_u64()),
        (Some(7), Some(1))
    );
    let rows = wd.sql(
        "SELECT wet, COUNT(*) AS n, SUM(opschorting_dagen) AS opgeschort, \
         SUM(CAST(verdaagd AS INT)) AS verdaagd FROM zaken_sociaal GROUP BY wet ORDER BY wet",
    );
    assert_eq!(
        rows,
        [
            json!({"wet": "Jeugdwet", "n": 6, "opgeschort": 24, "verdaagd": 0}),
            json!({"wet": "Omgevingswet", "n": 7, "opgeschort": 7, "verdaagd": 2}),
            json!({"wet": "Wmo", "n": 12, "opgeschort": 30, "verdaagd": 1}),
        ]
    );
    let out = wd.run(wd.cmd(&["datasets", "rejects", "zaken_sociaal", "--format", "json"]));
    let rejects: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(rejects[0]["reason"], "'31-6-2024' is geen geldige datum");
    assert_eq!(rejects[1]["column"], "Wettelijk kader");
}

#[test]
fn reisdocumenten_comma_csv_iso_dates() {
    let wd = Workdir::new();
    let s = ingest(&wd, "reisdocumenten.csv", "reisdocumenten", 3);
    assert_eq!(
        (s["accepted"].as_u64(), s["rejected"].as_u64()),
        (Some(4), Some(2))
    );
    let rows = wd.sql(
        "SELECT soort, COUNT(*) AS n, MIN(datum_uitgifte) AS eerste FROM reisdocumenten GROUP BY soort ORDER BY soort",
    );
    assert_eq!(
        rows[0],
        json!({"soort": "identiteitskaart", "n": 2, "eerste": "2014-03-21"})
    );
    assert_eq!(
        rows[1],
        json!({"soort": "paspoort", "n": 2, "eerste": "2014-03-10"})
    );
    let out = wd.run(wd.cmd(&["datasets", "rejects", "reisdocumenten", "--format", "json"]));
    let rejects: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    // Both date columns of line 6 are wrong: one reject row naming both.
    assert_eq!(
        rejects[0]["reason"],
        "'2015-13-01' is geen geldige datum; Geldig tot: '2025-13-01' is geen geldige datum"
    );
    assert_eq!(
        rejects[1]["reason"],
        "'onbekend' is geen geldig geheel getal"
    );
}

#[test]
fn projecten_xls_with_written_out_dates() {
    let wd = Workdir::new();
    let s = ingest(&wd, "projecten.xls", "projecten", 3);
    assert_eq!(
        (s["accepted"].as_u64(), s["rejected"].as_u64()),
        (Some(3), Some(1))
    );
    let rows = wd.sql("SELECT project_id, naam, startdatum, einddatum, eigenaar, budget, realisatie FROM projecten ORDER BY project_id");
    assert_eq!(rows[0]["startdatum"], "2024-03-14");
    assert_eq!(rows[0]["realisatie"], 310000.5);
    assert_eq!(rows[1]["startdatum"], "2023-01-01");
    assert_eq!(rows[2]["project_id"], "P-04");
    assert_eq!(rows[2]["einddatum"], "2024-11-30");
}

#[test]
fn tab_and_pipe_delimiters_month_first_dates_and_mapping() {
    let wd = Workdir::new();
    wd.write(
        "tab.txt",
        "Nummer\tGemeld op\tOnderwerp\n1\t03/14/2024\tAfval\n2\t3/1/2024\tGroen\n",
    );
    let s = wd.ingest_json(&["tab.txt", "-d", "meldingen"], 0);
    assert_eq!(s["accepted"], 2);
    let rows = wd.sql("SELECT datum_melding FROM meldingen ORDER BY melding_id");
    // 03/14/2024 proves month-first for the column, so 3/1/2024 is 1 March.
    assert_eq!(rows[0]["datum_melding"], "2024-03-14 00:00:00");
    assert_eq!(rows[1]["datum_melding"], "2024-03-01 00:00:00");

    wd.write(
        "pipe.csv",
        "Nr|Wanneer|Soort|Stat\nA|1-2-2024|Afval|1\nB|2-2-2024|Groen|9\n",
    );
    wd.write(
        "map.toml",
        "[kolommen]\n\"Nr\" = \"melding_id\"\n\"Wanneer\" = \"datum_melding\"\n\"Soort\" = \"categorie\"\n\"Stat\" = \"status\"\n\n[waarden.status]\n\"1\" = \"open\"\n\"9\" = \"afgehandeld\"\n",
    );
    let wd2 = Workdir::new();
    std::fs::copy(wd.path("pipe.csv"), wd2.path("pipe.csv")).unwrap();
    std::fs::copy(wd.path("map.toml"), wd2.path("map.toml")).unwrap();
    wd2.run(wd2.cmd(&[
        "ingest",
        "pipe.csv",
        "-d",
        "meldingen",
        "--mapping",
        "map.toml",
        "--gemeente",
        "Duiven",
    ]));
    let rows = wd2.sql(
        "SELECT melding_id, status, gemeente, datum_melding FROM meldingen ORDER BY melding_id",
    );
    assert_eq!(
        rows[0],
        json!({"melding_id": "A", "status": "open", "gemeente": "Duiven", "datum_melding": "2024-02-01 00:00:00"})
    );
    assert_eq!(rows[1]["status"], "afgehandeld");
}

#[test]
fn upsert_replaces_older_versions_and_same_file_changes_nothing() {
    let wd = Workdir::new();
    wd.write("week1.csv", "Meldingnummer;Datum melding;Categorie;Status\n1;1-3-2024;Afval;open\n2;2-3-2024;Groen;open\n");
    wd.write("week2.csv", "Meldingnummer;Datum melding;Categorie;Status\n2;2-3-2024;Groen;afgehandeld\n3;8-3-2024;Wegen;open\n");
    wd.run(wd.cmd(&["ingest", "week1.csv", "-d", "meldingen"]));
    let s = wd.ingest_json(&["week2.csv", "-d", "meldingen"], 0);
    assert_eq!(
        (
            s["new"].as_u64(),
            s["replaced"].as_u64(),
            s["total_rows"].as_u64()
        ),
        (Some(1), Some(1), Some(3))
    );
    let rows = wd.sql("SELECT melding_id, status, _ingest_id FROM meldingen ORDER BY melding_id");
    assert_eq!(
        rows[1],
        json!({"melding_id": "2", "status": "afgehandeld", "_ingest_id": 2})
    );
    assert_eq!(rows.len(), 3);

    let before = wd.logs();
    let out = wd.output(wd.cmd(&["ingest", "week2.csv", "-d", "meldingen"]));
    assert!(String::from_utf8_lossy(&out.stderr).contains("al ingelezen"));
    assert_eq!(wd.logs(), before);

    // A file of week 1's size but other rows: its SHA-256 is computed before the rows, is not
    // taken for week 1's, and is kept, so that the same file is known the next time.
    wd.write("week4.csv", "Meldingnummer;Datum melding;Categorie;Status\n4;4-3-2024;Afval;open\n5;5-3-2024;Groen;open\n");
    assert_eq!(
        std::fs::metadata(wd.path("week4.csv")).unwrap().len(),
        std::fs::metadata(wd.path("week1.csv")).unwrap().len()
    );
    let s = wd.ingest_json(&["week4.csv", "-d", "meldingen"], 0);
    assert_eq!(
        (s["new"].as_u64(), s["total_rows"].as_u64()),
        (Some(2), Some(5))
    );
    let out = wd.output(wd.cmd(&["ingest", "week4.csv", "-d", "meldingen"]));
    assert!(String::from_utf8_lossy(&out.stderr).contains("al ingelezen"));

    // append adds rows as they are; replace keeps only the new export.
    wd.write(
        "week3.csv",
        "Meldingnummer;Datum melding;Categorie\n9;9-3-2024;Afval\n",
    );
    wd.run(wd.cmd(&[
        "ingest",
        "week3.csv",
        "-d",
        "meldingen",
        "--mode",
        "replace",
    ]));
    assert_eq!(wd.sql("SELECT COUNT(*) AS n FROM meldingen")[0]["n"], 1);
}

#[test]
fn new_dataset_keeps_columns_and_infers_types() {
    let wd = Workdir::new();
    wd.write(
        "volumes.csv",
        "Gemeente\tInwoners\tOppervlakte\tPeildatum\tPostcode\n\
         Zevenaar\t45.106\t5.621,00\t1-1-2024\t6901 AB\n\
         Duiven\t25.789\t3.401,50\t1-1-2024\t6921 AA\n",
    );
    wd.run(wd.cmd(&["ingest", "volumes.csv", "-d", "gemeentefonds"]));
    let rows = wd.sql("SELECT * FROM gemeentefonds ORDER BY gemeente");
    assert_eq!(
        rows[0]["inwoners"], 25789,
        "thousands dot in a TAB file with decimal commas"
    );
    assert_eq!(rows[1]["oppervlakte"], 5621.0);
    assert_eq!(rows[0]["peildatum"], "2024-01-01");
    assert!(
        rows[0].get("postcode").is_none(),
        "addresses are personal in datasets of your own too"
    );
}

#[test]
fn wrong_files_get_clear_errors() {
    let wd = Workdir::new();
    wd.write("leeg.csv", "");
    let err = wd.fail(wd.cmd(&["ingest", "leeg.csv", "-d", "meldingen"]));
    assert!(err.contains("leeg.csv is empty"), "{err}");

    wd.write("anders.csv", "Nummer;Omschrijving\n1;iets\n");
    let err = wd.fail(wd.cmd(&["ingest", "anders.csv", "-d", "meldingen"]));
    assert!(err.contains("missing: datum_melding, categorie"), "{err}");
    assert!(
        err.contains("found in the file: 'Nummer', 'Omschrijving'"),
        "{err}"
    );

    wd.write("kapot.json", "[{\"id\": 1,");
    let err = wd.fail(wd.cmd(&["ingest", "kapot.json", "-d", "meldingen"]));
    assert!(err.contains("kapot.json is not valid JSON"), "{err}");

    // Text under a workbook's name is read as text (web applications' "export to Excel").
    wd.write("geen.xlsx", "dit is geen Excel");
    let err = wd.fail(wd.cmd(&["ingest", "geen.xlsx", "-d", "meldingen"]));
    assert!(
        err.contains("found in the file: 'dit is geen Excel'"),
        "{err}"
    );
    wd.write("kapot.xlsx", [&b"PK\x03\x04"[..], &[1u8; 64][..]].concat());
    let err = wd.fail(wd.cmd(&["ingest", "kapot.xlsx", "-d", "meldingen"]));
    assert!(
        err.contains("kapot.xlsx is not a readable Excel/ODS workbook"),
        "{err}"
    );

    let err = wd.fail(wd.cmd(&["ingest", "bestaat-niet.csv", "-d", "meldingen"]));
    assert!(err.contains("cannot open bestaat-niet.csv"), "{err}");

    wd.write(
        "gemengd.csv",
        "Nummer;Gemeld op;Onderwerp\n1;13/02/2024;A\n2;02/13/2024;B\n",
    );
    let err = wd.fail(wd.cmd(&["ingest", "gemengd.csv", "-d", "meldingen"]));
    assert!(
        err.contains(
            "column 'Gemeld op' mixes day-month ('13/02/2024') and month-day ('02/13/2024')"
        ),
        "{err}"
    );

    wd.write(
        "bijna-alles-fout.csv",
        "Nummer;Gemeld op;Onderwerp\n1;x;A\n2;y;B\n3;1-1-2024;C\n",
    );
    let err = wd.fail(wd.cmd(&["ingest", "bijna-alles-fout.csv", "-d", "meldingen"]));
    assert!(err.contains("2 of 3 rows"), "{err}");
    let listed = wd.run(wd.cmd(&["datasets", "--format", "json"]));
    assert_eq!(listed.trim(), "[]", "nothing was written");

    let err = wd.fail(wd.cmd(&["ingest", "anders.csv", "-d", "Mijn Data"]));
    assert!(err.contains("not a usable dataset name"), "{err}");
}

#[test]
fn dry_run_writes_nothing() {
    // A dry run reports what the real ingest would: the same counts as the Fixi test above,
    // and for an upsert the rows it would replace.
    let wd = Workdir::new();
    let fixi = testdata("meldingen_fixi.csv");
    let s = wd.ingest_json(&[&fixi, "-d", "meldingen", "--dry-run"], 3);
    assert_eq!(s["status"], "dry_run");
    let counts = |s: &serde_json::Value| {
        ["read", "accepted", "rejected", "total_rows"].map(|k| s[k].as_u64().unwrap())
    };
    assert_eq!(counts(&s), [14, 9, 5, 9]);
    assert!(
        !wd.warehouse().exists(),
        "a dry run must not create the warehouse"
    );

    wd.write(
        "week1.csv",
        "Meldingnummer;Datum melding;Categorie\n1;1-3-2024;Afval\n2;2-3-2024;Groen\n",
    );
    wd.write(
        "week2.csv",
        "Meldingnummer;Datum melding;Categorie\n2;2-3-2024;Wegen\n3;8-3-2024;Wegen\n",
    );
    wd.run(wd.cmd(&["ingest", "week1.csv", "-d", "meldingen"]));
    let before = wd.logs();
    let s = wd.ingest_json(&["week2.csv", "-d", "meldingen", "--dry-run"], 0);
    assert_eq!(
        (
            s["new"].as_u64(),
            s["replaced"].as_u64(),
            s["total_rows"].as_u64()
        ),
        (Some(1), Some(1), Some(3))
    );
    assert_eq!(wd.logs(), before);
}

#[test]
fn sheet_choice_and_overrides() {
    let wd = Workdir::new();
    let err = wd.fail(wd.cmd(&[
        "ingest",
        &testdata("zaken_sociaal.xlsx"),
        "-d",
        "zaken_sociaal",
        "--sheet",
        "Blad9",
    ]));
    assert!(
        err.contains("has no sheet 'Blad9'; its sheets are: Zaken"),
        "{err}"
    );
    wd.run_code(
        wd.cmd(&[
            "ingest",
            &testdata("zaken_sociaal.xlsx"),
            "-d",
            "zaken_sociaal",
            "--sheet",
            "1",
        ]),
        3,
    );

    // é as the single byte 0xE9 is Windows-1252. Detected by default; forcing UTF-8 names the
    // line that is not UTF-8.
    let wd = Workdir::new();
    wd.write(
        "w.csv",
        b"Nummer;Gemeld op;Onderwerp\n1;1-2-2024;Caf\xe9\n".as_slice(),
    );
    let err = wd.fail(wd.cmd(&["ingest", "w.csv", "-d", "meldingen", "--encoding", "utf-8"]));
    assert!(
        err.contains("w.csv: line 2 is not valid UTF-8 (field 3)"),
        "{err}"
    );
    wd.run(wd.cmd(&["ingest", "w.csv", "-d", "meldingen"]));
    assert_eq!(
        wd.sql("SELECT categorie FROM meldingen")[0]["categorie"],
        "Café"
    );

    // Only integers with a thousands dot in a ';' file: decimal comma by default, so 1.234 is
    // 1234. "1.25" proves a decimal point for its column; --decimal-comma overrides that.
    let wd = Workdir::new();
    wd.write(
        "f.csv",
        "Factuurnummer;Crediteur;Factuurdatum;Bedrag\nF1;A;1-2-2024;1.234\n",
    );
    wd.run(wd.cmd(&["ingest", "f.csv", "-d", "inhuur_facturen"]));
    assert_eq!(
        wd.sql("SELECT bedrag FROM inhuur_facturen")[0]["bedrag"],
        1234.0
    );
    let wd = Workdir::new();
    wd.write(
        "f.csv",
        "Factuurnummer;Crediteur;Factuurdatum;Bedrag\nF1;A;1-2-2024;1.25\n",
    );
    let err = wd.fail(wd.cmd(&[
        "ingest",
        "f.csv",
        "-d",
        "inhuur_facturen",
        "--decimal-comma",
    ]));
    assert!(
        err.contains("1 of 1 rows"),
        "1.25 is no amount with a decimal comma: {err}"
    );
    wd.run(wd.cmd(&["ingest", "f.csv", "-d", "inhuur_facturen"]));
    assert_eq!(
        wd.sql("SELECT bedrag FROM inhuur_facturen")[0]["bedrag"],
        1.25
    );
}

#[test]
fn bsn_under_an_unexpected_header_is_dropped() {
    let wd = Workdir::new();
    wd.write(
        "z.csv",
        "Zaaknummer;Wet;Kenmerk\nZ1;Wmo;123456782\nZ2;Wmo;111222333\nZ3;Jeugdwet;999999990\n",
    );
    let out = wd.output(wd.cmd(&["ingest", "z.csv", "-d", "zaken_sociaal"]));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("column 'Kenmerk' holds personal data (bsn)")
    );
    let rows = wd.sql("SELECT * FROM zaken_sociaal");
    assert!(rows[0].get("kenmerk").is_none(), "{rows:?}");
}

#[test]
fn municipalities_numbering_alike_do_not_replace_each_other() {
    let wd = Workdir::new();
    wd.write(
        "z.csv",
        "Meldingnummer;Datum melding;Categorie\n1;1-3-2024;Afval\n2;2-3-2024;Groen\n",
    );
    wd.write(
        "d.csv",
        "Meldingnummer;Datum melding;Categorie\n1;5-3-2024;Wegen\n",
    );
    wd.run(wd.cmd(&[
        "ingest",
        "z.csv",
        "-d",
        "meldingen",
        "--gemeente",
        "Zevenaar",
    ]));
    let out = wd.ingest_json(&["d.csv", "-d", "meldingen", "--gemeente", "Duiven"], 0);
    assert_eq!(
        (out["replaced"].as_u64(), out["total_rows"].as_u64()),
        (Some(0), Some(3))
    );
    let rows = wd
        .sql("SELECT gemeente, categorie FROM meldingen WHERE melding_id = '1' ORDER BY gemeente");
    assert_eq!(rows.len(), 2);
    // A newer Duiven export does replace Duiven's own row.
    wd.write(
        "d2.csv",
        "Meldingnummer;Datum melding;Categorie\n1;5-3-2024;Riolering\n",
    );
    let out = wd.ingest_json(&["d2.csv", "-d", "meldingen", "--gemeente", "Duiven"], 0);
    assert_eq!(
        (out["replaced"].as_u64(), out["total_rows"].as_u64()),
        (Some(1), Some(3))
    );
}

#[test]
fn review_cases_privacy_and_empty_exports() {
    // A header-only export makes an empty dataset that SQL can still query.
    let wd = Workdir::new();
    wd.write("leeg.csv", "Factuurnummer;Crediteur;Factuurdatum;Bedrag\n");
    wd.run(wd.cmd(&["ingest", "leeg.csv", "-d", "inhuur_facturen"]));
    assert_eq!(
        wd.sql("SELECT COUNT(*) AS n FROM inhuur_facturen")[0]["n"],
        0
    );

    // persoonsgegevens wins over an alias; a second name column for a pseudonymised column
    // is dropped, not kept in clear text.
    let wd = Workdir::new();
    wd.write(
        "c.csv",
        "Contractnummer;Leverancier;Naam;Kandidaat;Startdatum;Einddatum;Functie\nC1;Bureau;Piet;Piet P.;1-1-2024;31-12-2024;Jurist\n",
    );
    wd.write("m.toml", "persoonsgegevens = [\"Functie\"]\n");
    wd.run(wd.cmd(&[
        "ingest",
        "c.csv",
        "-d",
        "inhuur_contracten",
        "--mapping",
        "m.toml",
    ]));
    let row = &wd.sql("SELECT * FROM inhuur_contracten")[0];
    // The canonical column functie exists (every dataset has all its columns) but is empty.
    assert!(
        row["functie"].is_null() && row.get("inhuurkracht_2").is_none(),
        "{row}"
    );
    assert!(!row.to_string().contains("Piet"), "{row}");

    // Nested JSON: the reporter's e-mail is a column of its own, and dropped.
    let wd = Workdir::new();
    wd.write(
        "s.json",
        r#"[{"id": "a", "category": "Afval", "created_at": "2025-01-01T10:00:00Z", "reporter": {"email": "x@y.nl", "channel": "app"}}]"#,
    );
    wd.run(wd.cmd(&["ingest", "s.json", "-d", "meldingen"]));
    let row = &wd.sql("SELECT * FROM meldingen")[0];
    assert!(!row.to_string().contains("x@y.nl"), "{row}");
    assert_eq!(row["reporter_channel"], "app");
}

#[test]
fn old_mac_line_ends_and_municipalities_inside_one_export() {
    // CR-only line ends; two municipalities numbering alike in one regional export.
    let wd = Workdir::new();
    wd.write(
        "mac.csv",
        "Gemeente;Meldingnummer;Datum melding;Categorie\rAssen;1001;1-3-2024;Afval\rTynaarlo;1001;2-3-2024;Groen\r",
    );
    let out = wd.ingest_json(&["mac.csv", "-d", "meldingen"], 0);
    assert_eq!(out["accepted"], 2);
    let rows = wd.sql("SELECT gemeente, _source_position FROM meldingen ORDER BY gemeente");
    assert_eq!(rows[0]["_source_position"], 2);
    assert_eq!(rows[1]["_source_position"], 3);
}

/// Issue 11, item 6: a typo in --dataset is refused with the name it is close to, instead of
/// starting a dataset of its own with looser rules; --new-dataset says it is meant. In a
/// dataset of one's own, one bad date does not turn the column into text: it stays a date
/// column, the row is rejected and the settings say so.
#[test]
fn a_dataset_name_close_to_a_canonical_one() {
    let wd = Workdir::new();
    let mut csv = String::from("Meldingnummer;Datum melding;Categorie\n");
    for d in 1..=9 {
        csv.push_str(&format!("{d};{d}-3-2024;Groen\n"));
    }
    csv.push_str("10;31-02-2024;Groen\n");
    wd.write("m.csv", &csv);
    let err = wd.fail(wd.cmd(&["ingest", "m.csv", "-d", "meldngen"]));
    assert!(
        err.contains("there is no dataset 'meldngen'; did you mean meldingen?"),
        "{err}"
    );
    assert!(err.contains("--new-dataset"), "{err}");
    assert!(!wd.warehouse().join("meldngen").exists());
    let out = wd.output(wd.cmd(&["ingest", "m.csv", "-d", "meldngen", "--new-dataset"]));
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "1 van 10 waarden in de steekproef zijn geen datum (bijvoorbeeld '31-02-2024')"
        ),
        "{stderr}"
    );
    let rows = wd.sql("SELECT COUNT(*) AS n, MIN(datum_melding) AS eerste FROM meldngen");
    assert_eq!(
        (rows[0]["n"].as_u64(), rows[0]["eerste"].as_str()),
        (Some(9), Some("2024-03-01"))
    );
}

/// Issue 11, item 7: a canonical dataset has all its columns, whichever export came first: a
/// query on datum_afgehandeld after a Signalen export without it works (empty).
#[test]
fn every_canonical_column_exists() {
    let wd = Workdir::new();
    wd.write(
        "s.json",
        r#"[{"id": "S1", "created_at": "2024-03-01T10:00:00Z", "category": "Afval"}]"#,
    );
    wd.run(wd.cmd(&["ingest", "s.json", "-d", "meldingen"]));
    let rows = wd.sql("SELECT melding_id, datum_afgehandeld, wijk, gemeente FROM meldingen");
    assert!(
        rows[0]["datum_afgehandeld"].is_null() && rows[0]["wijk"].is_null(),
        "{rows:?}"
    );
    // In the Parquet files themselves, for any reader.
    let part = std::fs::read_dir(wd.warehouse().join("meldingen"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    use polars::prelude::SerReader;
    let df = polars::prelude::ParquetReader::new(std::fs::File::open(part).unwrap())
        .finish()
        .unwrap();
    assert!(
        df.column("datum_afgehandeld").is_ok() && df.column("kanaal").is_ok(),
        "{df:?}"
    );
}

/// Issue 11, item 10: footer rows of an Excel export ("Totaal", "Aantal zaken: 3") are named as
/// such, not rejected as broken rows; a folder that is no warehouse says so; a dropped column
/// points to the mapping that keeps it.
#[test]
fn footers_missing_warehouses_and_kept_names() {
    let wd = Workdir::new();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    let rows: [&[&str]; 6] = [
        &["Zaaknummer", "Wet", "Team", "Datum melding"],
        &["Z1", "Wmo", "Noord", "1-3-2024"],
        &["Z2", "Wmo", "Zuid", "2-3-2024"],
        &["Z3", "Jeugdwet", "Noord", "3-3-2024"],
        &["Totaal", "", "", "3"],
        &["Aantal zaken: 3", "", "", ""],
    ];
    for (i, row) in rows.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            sheet.write_string(i as u32, j as u16, *v).unwrap();
        }
    }
    wb.save(wd.path("zaken.xlsx")).unwrap();
    let out = wd.output(wd.cmd(&[
        "ingest",
        "zaken.xlsx",
        "-d",
        "zaken_sociaal",
        "--format",
        "json",
    ]));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "2 voetregel(s) onder de gegevens niet ingelezen: 'Totaal', 'Aantal zaken: 3'"
        ),
        "{stderr}"
    );
    let s: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (s[0]["read"].as_u64(), s[0]["footer_rows"].as_u64()),
        (Some(3), Some(2))
    );

    let err = wd.fail(wd.cmd(&["datasets", "--warehouse", "bestaat-niet"]));
    assert!(
        err.contains("bestaat-niet is not a warehouse: the folder does not exist"),
        "{err}"
    );
    std::fs::create_dir_all(wd.path("leeg")).unwrap();
    let err = wd.fail(wd.cmd(&["sql", "SELECT 1", "--warehouse", "leeg"]));
    assert!(
        err.contains("is not a datastroom warehouse: it has no _datastroom.json"),
        "{err}"
    );

    wd.write("gf.csv", "Naam\tinwo\nZevenaar\t45.041\nDuiven\t25.000\n");
    let out = wd.output(wd.cmd(&["ingest", "gf.csv", "-d", "gemeentefonds"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("'Naam': persoonsgegeven, niet opgeslagen"),
        "{stderr}"
    );
    assert!(
        stderr.contains("houdt u met een mapping: [kolommen] \"Naam\" = \"<andere naam>\""),
        "{stderr}"
    );
}

/// Excel's "Unicode-tekst" (UTF-16 with a byte order mark, TAB-separated), little and big
/// endian: the same rows, rejects and text as the export saved as UTF-8.
#[test]
fn utf16_exports_read_as_utf8() {
    // The Fixi sample (Windows-1252, semicolons) as Excel would save it as Unicode text.
    let bytes = std::fs::read(testdata("meldingen_fixi.csv")).unwrap();
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut wtr = csv::WriterBuilder::new()
        .delimiter(b'\t')
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for rec in rdr.records() {
        wtr.write_record(&rec.unwrap()).unwrap();
    }
    let tab = String::from_utf8(wtr.into_inner().unwrap()).unwrap();
    let units = |big: bool| -> Vec<u8> {
        let mut out: Vec<u8> = if big {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for u in tab.encode_utf16() {
            out.extend(if big {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        out
    };
    let read = |content: Vec<u8>| {
        let wd = Workdir::new();
        let file = wd.write("meldingen.txt", content);
        let s = wd.ingest_json(&[file.to_str().unwrap(), "-d", "meldingen"], 3);
        let rows = wd.sql("SELECT * EXCLUDE (_ingest_id) FROM meldingen ORDER BY melding_id");
        let out = wd.run(wd.cmd(&["datasets", "rejects", "meldingen", "--format", "json"]));
        let mut rejects: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
        // The file's path differs per working folder.
        rejects.iter_mut().for_each(|r| {
            r.as_object_mut().unwrap().remove("source");
        });
        let catalog = wd.catalog();
        let ingest = catalog["datasets"]["meldingen"]["ingests"][0].clone();
        let counts = ["read", "accepted", "rejected", "lines"].map(|k| s[k].clone());
        (counts, rows, rejects, ingest)
    };
    let (utf8_counts, utf8_rows, utf8_rejects, _) = read(tab.clone().into_bytes());
    assert_eq!(utf8_counts[0], json!(14), "{utf8_counts:?}");
    assert!(
        utf8_rows
            .iter()
            .any(|r| r["adres"] == "Café de Gouden Leeuw, Markt 3"),
        "{utf8_rows:?}"
    );
    for (big, label) in [(false, "UTF-16LE"), (true, "UTF-16BE")] {
        let bytes = units(big);
        let (counts, rows, rejects, ingest) = read(bytes.clone());
        assert_eq!(counts, utf8_counts, "{label}");
        assert_eq!(rows, utf8_rows, "{label}");
        assert_eq!(rejects, utf8_rejects, "{label}");
        assert_eq!(ingest["settings"]["encoding"], label);
        assert_eq!(ingest["settings"]["delimiter"], "TAB");
        assert_eq!(ingest["size"], bytes.len());
    }
}

/// `-` reads the export from standard input: the same summary and rows as the file itself
/// (a CSV and a workbook, named by their content), and `-` as the source in the lineage.
#[test]
fn standard_input_ingests_like_the_file() {
    for (file, dataset, key, extra) in [
        (
            "meldingen_fixi.csv",
            "meldingen",
            "melding_id",
            ["--gemeente", "Zevenaar"],
        ),
        (
            "zaken_sociaal.xlsx",
            "zaken_sociaal",
            "zaak_id",
            ["--sheet", "Zaken"],
        ),
    ] {
        let by_name = Workdir::new();
        let mut cmd = by_name.cmd(&["ingest", &testdata(file), "-d", dataset]);
        let named: serde_json::Value =
            serde_json::from_str(&by_name.run_code(cmd.args(extra).args(["--format", "json"]), 3))
                .unwrap();
        let piped = Workdir::new();
        let mut cmd = piped.cmd(&["ingest", "-", "-d", dataset]);
        cmd.args(extra).args(["--format", "json"]);
        cmd.stdin(std::fs::File::open(testdata(file)).unwrap());
        let from_stdin: serde_json::Value = serde_json::from_str(&piped.run_code(cmd, 3)).unwrap();
        assert_eq!(from_stdin[0]["file"], "-");
        for key in [
            "read",
            "accepted",
            "rejected",
            "blank_rows",
            "masked",
            "total_rows",
        ] {
            assert_eq!(from_stdin[0][key], named[0][key], "{key} of {file}");
        }
        let everything = format!("SELECT * FROM {dataset} ORDER BY {key}");
        assert_eq!(piped.sql(&everything), by_name.sql(&everything), "{file}");
        let lineage = piped.run(piped.cmd(&["datasets", "lineage", dataset, "--format", "json"]));
        let lineage: serde_json::Value = serde_json::from_str(&lineage).unwrap();
        assert_eq!(lineage[0]["source"], "-", "{lineage}");
    }
}

/// A wildcard that reaches datastroom unexpanded (cmd.exe, PowerShell, a quoted pattern) is
/// expanded in alphabetical order; one that matches nothing is an error.
#[test]
fn wildcards_are_expanded_in_order() {
    let wd = Workdir::new();
    let pattern = std::path::Path::new(&testdata("x")).with_file_name("meldingen_*.csv");
    let out = wd.run_code(
        wd.cmd(&[
            "ingest",
            pattern.to_str().unwrap(),
            "-d",
            "meldingen",
            "--format",
            "json",
        ]),
        3,
    );
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let files: Vec<&str> = rows.iter().map(|r| r["file"].as_str().unwrap()).collect();
    assert_eq!(files.len(), 2, "{out}");
    assert!(
        files[0].ends_with("meldingen_fixi.csv") && files[1].ends_with("meldingen_historie.csv")
    );
    let none = pattern.with_file_name("maandcijfers_*.csv");
    let err = wd.fail(wd.cmd(&["ingest", none.to_str().unwrap(), "-d", "meldingen"]));
    assert!(err.contains("no file matches"), "{err}");
}

/// An export long enough to go through the loader in many blocks and chunks (the sample of
/// 20,000 rows, then chunks of 8,192 rows, each parsed and accepted in blocks of 1,024, the
/// next block parsed while one is accepted): rejects that sit at block and chunk boundaries
/// and duplicates whose rows lie far apart come out as when the rows went one by one, and
/// every stored row keeps its own values with its own line.
#[test]
fn rejects_and_duplicates_across_blocks_and_chunks() {
    let wd = Workdir::new();
    // Data row i (1-based) on line i + 1, key M-i, all alike apart from the key.
    let row = |i: usize| format!("M-{i:05};1-3-2024 10:00;Groen;Centrum;Kerkstraat {i}\n");
    let mut text = String::from("Meldingnummer;Datum melding;Hoofdcategorie;Wijk;Straat\n");
    for i in 1..=30_000 {
        text.push_str(&match i {
            // Line 1026, the first row of the sample's second block: line 3 again.
            1025 => row(2),
            // Line 2049, the last row of the second block: no such date.
            2048 => "M-02048;31-02-2024 10:00;Groen;Centrum;Kerkstraat 2048\n".to_string(),
            // Line 20002, the first row after the sample: the key of line 5, other content.
            20_001 => "M-00004;1-3-2024 10:00;Afval;Centrum;Kerkstraat 4\n".to_string(),
            // Line 21026, the first row of the second block of the first chunk after the
            // sample: the last row of the block before (line 21025) again.
            21_025 => row(21_024),
            // Line 28194, the first row of the second chunk after the sample: the last row
            // of the chunk before (line 28193) again.
            28_193 => row(28_192),
            _ => row(i),
        });
    }
    let file = wd.write("lang.csv", text);
    let s = wd.ingest_json(&[file.to_str().unwrap(), "--dataset", "meldingen"], 3);
    assert_eq!(
        (
            s["read"].as_u64(),
            s["accepted"].as_u64(),
            s["rejected"].as_u64()
        ),
        (Some(30_000), Some(29_994), Some(6))
    );
    let out = wd.run(wd.cmd(&["datasets", "rejects", "meldingen", "--format", "json"]));
    let rejects: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let mut got: Vec<(u64, String)> = rejects
        .iter()
        .map(|r| {
            (
                r["position"].as_u64().unwrap(),
                r["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    let other = |key: &str, pos: u64| {
        format!("sleutel '{key}' komt ook voor op regel {pos} met andere inhoud")
    };
    assert_eq!(
        got,
        [
            (5, other("M-00004", 20_002)),
            (1026, "dubbele rij: gelijk aan regel 3".to_string()),
            (
                2049,
                "'31-02-2024 10:00' is geen geldige datum/tijd".to_string()
            ),
            (20_002, other("M-00004", 5)),
            (21_026, "dubbele rij: gelijk aan regel 21025".to_string()),
            (28_194, "dubbele rij: gelijk aan regel 28193".to_string()),
        ]
    );
    let rows = wd.sql(
        "SELECT COUNT(*) AS n, COUNT(DISTINCT melding_id) AS keys, \
         MIN(_source_position) AS first, MAX(_source_position) AS last FROM meldingen",
    );
    assert_eq!(
        (
            &rows[0]["n"],
            &rows[0]["keys"],
            &rows[0]["first"],
            &rows[0]["last"]
        ),
        (&json!(29_994), &json!(29_994), &json!(2), &json!(30_001))
    );
    // Every stored row is the row of its line: key M-i on line i + 1.
    let same = wd.sql(
        "SELECT SUM(CASE WHEN CAST(SUBSTR(melding_id, 3) AS BIGINT) + 1 = _source_position \
         THEN 1 ELSE 0 END) AS n FROM meldingen",
    );
    assert_eq!(same[0]["n"], json!(29_994));
}
