//! Display labels for column names in human-facing output (table, Markdown, xlsx). CSV and JSON
//! keep the column names themselves, so scripts do not break when a label changes.

use crate::lang::Lang;

/// The warehouse's own tables (datasets, lineage, rejects, the ingest summary): their labels
/// for people. Not applied to other output, so that a SQL column named `time` stays `time`.
pub const WAREHOUSE: super::Labels = &[
    // datasets
    ("dataset", "dataset", "dataset"),
    ("description", "omschrijving", "description"),
    ("rows", "rijen", "rows"),
    ("columns", "kolommen", "columns"),
    ("last_ingest", "laatste inlading", "last ingest"),
    ("sources", "bronbestanden", "source files"),
    ("rejected", "afgekeurd", "rejected"),
    ("column", "kolom", "column"),
    ("type", "type", "type"),
    ("privacy", "privacy", "privacy"),
    ("item", "onderdeel", "item"),
    // lineage and rejects
    ("ingest_id", "inlading", "ingest"),
    ("time", "tijd", "time"),
    ("source", "bronbestand", "source file"),
    ("mode", "modus", "mode"),
    ("position", "regel/rij", "line/row"),
    ("value", "waarde", "value"),
    ("reason", "reden", "reason"),
    (
        "row",
        "rij (zonder persoonsgegevens)",
        "row (without personal data)",
    ),
    // the ingest summary
    ("file", "bestand", "file"),
    ("status", "status", "status"),
    ("read", "gelezen", "read"),
    ("accepted", "geaccepteerd", "accepted"),
    ("blank_rows", "lege rijen", "blank rows"),
    ("footer_rows", "voetregels", "footer rows"),
    ("lines", "regels", "lines"),
    ("masked", "gemaskeerd", "masked"),
    ("new", "nieuw", "new"),
    ("replaced", "vervangen", "replaced"),
    ("total_rows", "totaal in dataset", "total in dataset"),
    // export, warehouse migrate
    ("files", "bestanden", "files"),
    // history
    ("version", "versie", "version"),
    ("operation", "bewerking", "operation"),
    ("left_out", "weggelaten kolommen", "columns left out"),
];

/// The label of a column that its command gives no label: the name itself, except that
/// `spend_<year>` (inhuur's spend per calendar year) reads "besteed <year> (EUR)".
pub fn label(name: &str, lang: Lang) -> String {
    if let Some(year) = name.strip_prefix("spend_")
        && year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
    {
        return match lang {
            Lang::Nl => format!("besteed {year} (EUR)"),
            Lang::En => format!("spent {year} (EUR)"),
        };
    }
    name.to_string()
}
