//! `datastroom sql` and the output formats.

use crate::util::{Workdir, testdata};

#[test]
fn sql_over_the_warehouse_in_every_format() {
    let wd = Workdir::new();
    wd.ingest_sample("inhuur_facturen.csv", "inhuur_facturen");
    let q = "SELECT leverancier, SUM(bedrag) AS bedrag FROM inhuur_facturen GROUP BY leverancier ORDER BY leverancier";
    let csv = wd.run(wd.cmd(&["sql", q, "--format", "csv"]));
    assert_eq!(
        csv,
        "leverancier,bedrag\nAdviesbureau Zonder Contract,1234.56\nDetacheer & Co,13720\nInterim BV,38917.5\n"
    );
    let excel = wd.run(wd.cmd(&["sql", q, "--format", "csv-excel"]));
    assert_eq!(
        excel,
        "\u{feff}leverancier;bedrag\nAdviesbureau Zonder Contract;1234,56\nDetacheer & Co;13720\nInterim BV;38917,5\n"
    );
    let md = wd.run(wd.cmd(&["sql", q, "--format", "markdown"]));
    assert!(md.contains("| Interim BV | 38917,50 |"), "{md}");
    let table = wd.run(wd.cmd(&["sql", q, "--format", "table", "--lang", "en"]));
    assert!(table.contains("38917.50"), "{table}");

    let xlsx = wd.path("uit.xlsx");
    wd.run(wd.cmd(&["sql", q, "--output", xlsx.to_str().unwrap()]));
    use calamine::{Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(&xlsx).unwrap();
    let sheet = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&sheet).unwrap();
    assert_eq!(
        range.get_value((3, 1)),
        Some(&calamine::Data::Float(38917.5))
    );
    assert_eq!(
        range.get_value((0, 0)),
        Some(&calamine::Data::String("leverancier".into()))
    );
}

#[test]
fn sql_on_a_file_without_ingesting_and_formula_injection() {
    let wd = Workdir::new();
    wd.write(
        "lijst.csv",
        "Naam;Omschrijving;Bedrag\nJan;=HYPERLINK(\"http://x\");12,50\nPiet;-gewoon;7\n",
    );
    let as_format = |format: &str| {
        wd.run(wd.cmd(&[
            "sql",
            "SELECT * FROM input",
            "--input",
            "lijst.csv",
            "--format",
            format,
        ]))
    };
    // 'Naam' is personal data and dropped; the formula is defused; the minus too (text column).
    assert_eq!(
        as_format("csv-excel"),
        "\u{feff}omschrijving;bedrag\n\"'=HYPERLINK(\"\"http://x\"\")\";12,5\n'-gewoon;7\n"
    );
    // Plain CSV is for scripts, which run no formulas: every value exactly as it was.
    assert_eq!(
        as_format("csv"),
        "omschrijving,bedrag\n\"=HYPERLINK(\"\"http://x\"\")\",12.5\n-gewoon,7\n"
    );
    assert!(
        !wd.warehouse().exists(),
        "--input must not create a warehouse"
    );

    let out = wd.run(wd.cmd(&[
        "sql",
        "SELECT COUNT(*) AS n, SUM(uren) AS uren FROM input",
        "--input",
        &testdata("inhuur_facturen.csv"),
        "--format",
        "json",
    ]));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    // Read as a new dataset: no required columns, so only unreadable values are left out.
    assert_eq!(rows[0]["n"], 9);
    // 160 + 150 + 100 + 50 - 10 + 50 + 0,5 (two rows have no hours)
    assert_eq!(rows[0]["uren"], 500.5);
}

#[test]
fn bad_sql_names_the_tables() {
    let wd = Workdir::new();
    wd.ingest_sample("inhuur_facturen.csv", "inhuur_facturen");
    let err = wd.fail(wd.cmd(&["sql", "SELECT * FROM facturen"]));
    assert!(err.contains("Tables: inhuur_facturen"), "{err}");
    assert!(
        err.contains("no column or table 'facturen'") && !err.contains("Resolved plan"),
        "{err}"
    );
}

/// Column labels of one command do not leak into another: `n` stays `n` in SQL output.
#[test]
fn sql_headers_are_the_column_names() {
    let wd = Workdir::new();
    wd.write("t.csv", "a\n1\n2\n");
    let out = wd.run(wd.cmd(&[
        "sql",
        "SELECT COUNT(*) AS n, MAX(a) AS time FROM input",
        "--input",
        "t.csv",
        "--format",
        "markdown",
        "-q",
    ]));
    assert!(out.starts_with("| n | time |"), "{out}");
}

/// Issue 10, item 1: SQL cannot read files around the privacy rules. read_csv, read_parquet
/// and read_json (alone, in a JOIN, in a subquery) are refused before anything is read, with
/// a message that says how to query a file safely; nothing of the file reaches the output.
#[test]
fn table_functions_cannot_read_files() {
    let wd = Workdir::new();
    wd.ingest_sample("inhuur_facturen.csv", "inhuur_facturen");
    wd.write(
        "export.csv",
        "BSN;Naam client;Team\n123456782;K. de Vries;Noord\n",
    );
    wd.write("sleutel.txt", "geheime-sleutel-0123456789\n");
    for q in [
        "SELECT * FROM read_csv('export.csv')",
        "SELECT * FROM read_csv('sleutel.txt')",
        "SELECT * FROM read_parquet('export.csv')",
        "SELECT * FROM read_json('export.csv')",
        "SELECT f.leverancier, e.* FROM inhuur_facturen f JOIN read_csv('export.csv') e ON 1 = 1",
        "SELECT * FROM (SELECT * FROM read_csv('export.csv')) AS t",
        "SELECT * FROM inhuur_facturen WHERE leverancier IN (SELECT Naam FROM read_csv('export.csv'))",
    ] {
        let out = wd.output(wd.cmd(&["sql", q]));
        assert_eq!(out.status.code(), Some(1), "{q}");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(all.contains("reads a file directly"), "{q}: {all}");
        assert!(all.contains("--input FILE"), "{q}: {all}");
        for secret in ["123456782", "de Vries", "geheime-sleutel"] {
            assert!(!all.contains(secret), "{q}: {all}");
        }
    }
    // The safe route: --input drops the BSN and the client's name.
    let out = wd.run(wd.cmd(&["sql", "SELECT * FROM input", "--input", "export.csv", "-q"]));
    assert_eq!(out, "team\nNoord\n");
}

/// Issue 11, item 8: a file read as a dataset: its money parsed ("EUR 18.825,00"), so the
/// README's example sums. The sums are those of the same file ingested (see above).
#[test]
fn input_read_as_a_dataset() {
    let wd = Workdir::new();
    let out = wd.run(wd.cmd(&[
        "sql",
        "SELECT leverancier, SUM(bedrag) AS bedrag FROM input GROUP BY 1 ORDER BY 1",
        "--input",
        &testdata("inhuur_facturen.csv"),
        "--dataset",
        "inhuur_facturen",
        "--format",
        "csv",
        "-q",
    ]));
    assert_eq!(
        out,
        "leverancier,bedrag\nAdviesbureau Zonder Contract,1234.56\nDetacheer & Co,13720\nInterim BV,38917.5\n"
    );
    let err = wd.usage(wd.cmd(&[
        "sql",
        "SELECT 1",
        "--input",
        "x.csv",
        "--dataset",
        "facturen",
    ]));
    assert!(err.contains("not a canonical dataset"), "{err}");
}

/// Issue 11, item 9: SQL as BI people write it. Unnamed MIN and MAX of one column no longer
/// clash (min_datum_melding, max_datum_melding), COUNT(*) is `aantal`, and a date minus a
/// date is a whole number of days, not the text "21d".
#[test]
fn sql_as_bi_people_write_it() {
    let wd = Workdir::new();
    wd.write(
        "m.csv",
        "Meldingnummer;Datum melding;Categorie;Datum afgehandeld\n\
         1;1-3-2024 10:00;Groen;22-3-2024 09:00\n2;4-3-2024;Groen;6-3-2024\n3;5-3-2024;Afval;\n",
    );
    wd.run(wd.cmd(&["ingest", "m.csv", "-d", "meldingen"]));
    let rows = wd.sql(
        "SELECT categorie, MIN(datum_melding), MAX(datum_melding), COUNT(*) FROM meldingen \
         GROUP BY categorie ORDER BY categorie",
    );
    assert_eq!(
        rows[1]["min_datum_melding"], "2024-03-01 10:00:00",
        "{rows:?}"
    );
    assert_eq!(
        rows[1]["max_datum_melding"], "2024-03-04 00:00:00",
        "{rows:?}"
    );
    assert_eq!(rows[1]["aantal"], 2, "{rows:?}");
    // 22 March 09:00 - 1 March 10:00 is 20 days and 23 hours: 20 whole days.
    let rows = wd.sql(
        "SELECT melding_id, datum_afgehandeld - datum_melding AS doorlooptijd FROM meldingen \
         ORDER BY melding_id",
    );
    assert_eq!(rows[0]["doorlooptijd"], 20, "{rows:?}");
    assert_eq!(rows[1]["doorlooptijd"], 2, "{rows:?}");
    assert!(rows[2]["doorlooptijd"].is_null(), "{rows:?}");
}

/// An --output name says what the file holds: an extension no format writes, or another
/// format's, is refused (exit 2) and nothing is written; the extension chooses the format
/// when --format is not given, in any case.
#[test]
fn output_extension_matches_the_format() {
    let wd = Workdir::new();
    wd.ingest_sample("inhuur_facturen.csv", "inhuur_facturen");
    let q = "SELECT COUNT(*) AS n FROM inhuur_facturen";
    let xls = wd.path("uit.xls");
    let err = wd.usage(wd.cmd(&["sql", q, "-o", xls.to_str().unwrap()]));
    assert!(err.contains("does not write .xls files"), "{err}");
    assert!(!xls.exists());
    let parquet = wd.path("uit.parquet");
    let err = wd.usage(wd.cmd(&[
        "sql",
        q,
        "--format",
        "json",
        "-o",
        parquet.to_str().unwrap(),
    ]));
    assert!(err.contains("ends in .parquet, but --format json"), "{err}");
    let xlsx = wd.path("uit.xlsx");
    let err = wd.usage(wd.cmd(&["sql", q, "--format", "csv", "-o", xlsx.to_str().unwrap()]));
    assert!(
        err.contains("ends in .xlsx, but --format csv writes .csv files"),
        "{err}"
    );
    assert!(!xlsx.exists());
    let json = wd.path("UIT.JSON");
    wd.run(wd.cmd(&["sql", q, "-o", json.to_str().unwrap()]));
    let rows: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert!(rows[0]["n"].as_u64().is_some(), "{rows}");
    let txt = wd.path("uit.txt");
    wd.run(wd.cmd(&[
        "sql",
        q,
        "--format",
        "csv-excel",
        "-o",
        txt.to_str().unwrap(),
    ]));
    assert!(
        std::fs::read_to_string(&txt)
            .unwrap()
            .starts_with("\u{feff}n\n")
    );
}

/// `sql -f FILE` and `-f -` run the query in a file (with a comment line) as on the command
/// line; `--input -` queries a file piped in; without any query it is a usage error.
#[test]
fn query_from_a_file_or_standard_input() {
    let wd = Workdir::new();
    wd.ingest_sample("inhuur_facturen.csv", "inhuur_facturen");
    let q = "SELECT leverancier, COUNT(*) AS n FROM inhuur_facturen GROUP BY 1 ORDER BY 1";
    let direct = wd.run(wd.cmd(&["sql", q, "--format", "json"]));
    let file = wd.write("vraag.sql", format!("-- facturen per leverancier\n{q}\n"));
    let from_file = wd.run(wd.cmd(&["sql", "-f", file.to_str().unwrap(), "--format", "json"]));
    assert_eq!(from_file, direct);
    let mut piped = wd.cmd(&["sql", "-f", "-", "--format", "json"]);
    piped.stdin(std::fs::File::open(&file).unwrap());
    assert_eq!(wd.run(piped), direct);

    let mut input = wd.cmd(&["sql", "SELECT COUNT(*) AS n FROM input", "--input", "-"]);
    input.args(["--dataset", "inhuur_facturen", "--format", "json"]);
    input.stdin(std::fs::File::open(crate::util::testdata("inhuur_facturen.csv")).unwrap());
    let rows: serde_json::Value = serde_json::from_str(&wd.run(input)).unwrap();
    // 9 invoices, 2 of them rejected (as in the warehouse).
    assert_eq!(rows[0]["n"], 7, "{rows}");

    let err = wd.usage(wd.cmd(&["sql"]));
    assert!(err.contains("--query-file"), "{err}");
}
