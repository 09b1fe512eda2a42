//! `datastroom export` and `--format parquet`: files that Power BI, DuckDB and polars read,
//! with exact money, stable paths and no technical or employee columns unless asked for.
//! (DuckDB itself reads them in .ci/export-check when it installs.)

use crate::util::Workdir;
use polars::prelude::*;
use std::path::Path;

pub fn read(path: &Path) -> DataFrame {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ParquetReader::new(file).finish().expect("parquet")
}

/// The values of a Decimal(18,2) column in cents, exactly (through their text, "20080.00").
pub fn cents_of(df: &DataFrame, column: &str) -> Vec<Option<i128>> {
    let c = df.column(column).unwrap();
    assert_eq!(c.dtype(), &DataType::Decimal(18, 2), "{column}");
    let text = c.cast(&DataType::String).unwrap();
    text.str()
        .unwrap()
        .iter()
        .map(|v| {
            v.map(|t| {
                let (units, decimals) = t.split_once('.').expect("two decimals");
                assert_eq!(decimals.len(), 2, "{t}");
                format!("{units}{decimals}").parse::<i128>().unwrap()
            })
        })
        .collect()
}

/// The cents of a Decimal(18,2) column, summed exactly.
pub fn cents(df: &DataFrame, column: &str) -> i128 {
    cents_of(df, column).into_iter().flatten().sum()
}

fn names(df: &DataFrame) -> Vec<String> {
    df.get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect()
}

/// The invoices sample has 9 rows; F-1007 (no date) and F-1008 ("n.v.t.") are rejected. The
/// 7 others sum to 20,080.00 + 18,825.00 + 9,800.00 + 4,900.00 - 980.00 + 1,234.56 + 12.50
/// = 53,872.06 euros, by hand.
#[test]
fn export_writes_stable_files_with_exact_money() {
    let wd = Workdir::new();
    wd.ingest_sample("inhuur_facturen.csv", "inhuur_facturen");
    wd.ingest_sample("zaken_wachtlijst.csv", "zaken_sociaal");
    let out = wd.run(wd.cmd(&["export", "--to", "bi", "--format", "json", "-q"]));
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rows[0]["dataset"], "inhuur_facturen", "{rows}");
    assert_eq!(rows[0]["rows"], 7, "{rows}");
    assert_eq!(rows[1]["dataset"], "zaken_sociaal", "{rows}");
    assert!(
        rows[1]["left_out"].as_str().unwrap().contains("consulent"),
        "{rows}"
    );

    let facturen = read(&wd.path("bi/inhuur_facturen.parquet"));
    let count = wd.sql("SELECT COUNT(*) AS n FROM inhuur_facturen")[0]["n"].clone();
    assert_eq!(facturen.height() as u64, count.as_u64().unwrap());
    assert_eq!(cents(&facturen, "bedrag"), 5_387_206);
    assert_eq!(
        facturen.column("factuurdatum").unwrap().dtype(),
        &DataType::Date
    );
    assert!(!names(&facturen).iter().any(|n| n.starts_with('_')));

    // Employees' names stay out; pseudonymised BSNs are codes, not numbers.
    let zaken = read(&wd.path("bi/zaken_sociaal.parquet"));
    assert!(!names(&zaken).contains(&"consulent".to_string()));
    let client = zaken
        .column("client_id")
        .unwrap()
        .str()
        .unwrap()
        .get(0)
        .unwrap();
    assert_eq!(client.len(), 64, "{client}");

    let views = std::fs::read_to_string(wd.path("bi/views.sql")).unwrap();
    assert!(
        views.contains("CREATE OR REPLACE VIEW zaken_sociaal AS SELECT * FROM read_parquet('"),
        "{views}"
    );

    // A later ingest: the same path, the new rows, nothing left beside it.
    wd.ingest_sample("inhuur_facturen_2026.csv", "inhuur_facturen");
    wd.run(wd.cmd(&["export", "inhuur_facturen", "--to", "bi", "--lineage", "-q"]));
    let again = read(&wd.path("bi/inhuur_facturen.parquet"));
    let count = wd.sql("SELECT COUNT(*) AS n FROM inhuur_facturen")[0]["n"].clone();
    assert_eq!(again.height() as u64, count.as_u64().unwrap());
    assert!(again.height() > facturen.height());
    assert!(names(&again).contains(&"_ingest_id".to_string()));
    let mut files: Vec<String> = std::fs::read_dir(wd.path("bi"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "inhuur_facturen.parquet",
            "views.sql",
            "zaken_sociaal.parquet"
        ]
    );
}

#[test]
fn export_refuses_unknown_datasets_and_the_warehouse_folder() {
    let wd = Workdir::new();
    wd.ingest_sample("inhuur_facturen.csv", "inhuur_facturen");
    let err = wd.fail(wd.cmd(&["export", "facturen", "--to", "bi"]));
    assert!(err.contains("facturen"), "{err}");
    assert!(!wd.path("bi").exists());
    let inside = wd.warehouse().join("bi");
    let err = wd.fail(wd.cmd(&["export", "--to", inside.to_str().unwrap()]));
    assert!(err.contains("warehouse"), "{err}");
}

/// `--employee-names` keeps them and says so in the audit log.
#[test]
fn employee_names_only_when_asked_and_recorded() {
    let wd = Workdir::new();
    wd.ingest_sample("zaken_wachtlijst.csv", "zaken_sociaal");
    wd.run(wd.cmd(&["export", "--to", "bi", "--employee-names", "-q"]));
    let zaken = read(&wd.path("bi/zaken_sociaal.parquet"));
    assert_eq!(
        zaken.column("consulent").unwrap().str().unwrap().get(0),
        Some("P. Bakker")
    );
    let audit = std::fs::read_to_string(wd.warehouse().join("audit.jsonl")).unwrap();
    assert!(
        audit.contains("export met namen van medewerkers"),
        "{audit}"
    );
}

/// `--format parquet` writes a query's result (the Decimal money of a subcommand's table is
/// tested in tests/inhuur.rs); without --output it is refused.
#[test]
fn format_parquet_for_a_subcommand() {
    let wd = Workdir::new();
    wd.ingest_sample("inhuur_facturen.csv", "inhuur_facturen");
    let q = "SELECT leverancier, SUM(bedrag) AS bedrag FROM inhuur_facturen GROUP BY 1 ORDER BY 1";
    wd.run(wd.cmd(&["sql", q, "-o", "uit.parquet"]));
    let df = read(&wd.path("uit.parquet"));
    assert_eq!(
        df.column("leverancier")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap_or_default())
            .collect::<Vec<_>>(),
        [
            "Adviesbureau Zonder Contract",
            "Detacheer & Co",
            "Interim BV"
        ]
    );
    // SQL results have no money columns of their own: the sum stays a float.
    assert_eq!(df.column("bedrag").unwrap().dtype(), &DataType::Float64);

    let err = wd.fail(wd.cmd(&["sql", q, "--format", "parquet"]));
    assert!(err.contains("--output FILE.parquet"), "{err}");
}
