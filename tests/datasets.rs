//! `datastroom datasets`: listing, schema, lineage and rejects.

use crate::util::{Workdir, testdata};
use sha2::{Digest, Sha256};

#[test]
fn list_show_and_lineage() {
    let wd = Workdir::new();
    wd.ingest_sample("meldingen_fixi.csv", "meldingen");
    wd.ingest_sample("inhuur_facturen.csv", "inhuur_facturen");
    let out = wd.run(wd.cmd(&["datasets", "--format", "json"]));
    let list: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["dataset"], "inhuur_facturen");
    assert_eq!(list[0]["rows"], 7);
    assert_eq!(list[0]["rejected"], 2);
    assert_eq!(list[1]["dataset"], "meldingen");
    assert_eq!(list[1]["rows"], 9);
    assert_eq!(list[1]["rejected"], 5);

    let out = wd.run(wd.cmd(&["datasets", "show", "meldingen", "--format", "csv"]));
    assert!(
        out.starts_with(
            "column,type,privacy\nmelding_id,text (sleutel),\ndatum_melding,datetime,\n"
        ),
        "{out}"
    );

    let out = wd.run(wd.cmd(&["datasets", "lineage", "meldingen", "--format", "json"]));
    let lineage: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let bytes = std::fs::read(testdata("meldingen_fixi.csv")).unwrap();
    let sha = datastroom::source::hex(&Sha256::digest(&bytes));
    assert_eq!(lineage[0]["sha256"], sha[..16]);
    assert_eq!(lineage[0]["read"], 14);

    let catalog = wd.catalog();
    let ingest = &catalog["datasets"]["meldingen"]["ingests"][0];
    assert_eq!(ingest["sha256"], sha);
    assert_eq!(ingest["size"], bytes.len());
    assert_eq!(ingest["settings"]["encoding"], "Windows-1252");
    assert_eq!(ingest["settings"]["delimiter"], ";");
    assert_eq!(ingest["settings"]["header_row"], 3);
    assert_eq!(
        ingest["dropped_columns"],
        serde_json::json!(["Naam melder", "E-mail melder", "Telefoon melder"])
    );

    let table = wd.run(wd.cmd(&["datasets", "--format", "markdown", "--lang", "en"]));
    assert!(
        table.contains("| dataset | description | rows |"),
        "{table}"
    );
}

#[test]
fn unknown_dataset_names_the_known_ones() {
    let wd = Workdir::new();
    wd.ingest_sample("inhuur_facturen.csv", "inhuur_facturen");
    let err = wd.fail(wd.cmd(&["datasets", "show", "meldingen"]));
    assert!(
        err.contains("no dataset 'meldingen'") && err.contains("inhuur_facturen"),
        "{err}"
    );
}
