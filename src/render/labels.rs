//! Display labels for column names in human-facing output (table, Markdown, xlsx). CSV and JSON
//! keep the column names themselves, so scripts do not break when a label changes.

use crate::lang::Lang;

/// (column name, Dutch label, English label).
const LABELS: &[(&str, &str, &str)] = &[
    ("dataset", "dataset", "dataset"),
    ("omschrijving", "omschrijving", "description"),
    ("rijen", "rijen", "rows"),
    ("kolommen", "kolommen", "columns"),
    ("laatste_ingest", "laatste inlading", "last ingest"),
    ("bronnen", "bronbestanden", "source files"),
    ("afgekeurd", "afgekeurde rijen", "rejected rows"),
    ("kolom", "kolom", "column"),
    ("type", "type", "type"),
    ("privacy", "privacy", "privacy"),
    ("ingest_id", "inlading", "ingest"),
    ("tijd", "tijd", "time"),
    ("bron", "bronbestand", "source file"),
    ("modus", "modus", "mode"),
    ("gelezen", "gelezen", "read"),
    ("geaccepteerd", "geaccepteerd", "accepted"),
    ("nieuw", "nieuw", "new"),
    ("lege_rijen", "lege rijen", "blank rows"),
    ("vervangen", "vervangen", "replaced"),
    ("positie", "regel/rij", "line/row"),
    ("waarde", "waarde", "value"),
    ("reden", "reden", "reason"),
    (
        "rij",
        "rij (zonder persoonsgegevens)",
        "row (without personal data)",
    ),
    ("bestand", "bestand", "file"),
    ("status", "status", "status"),
    ("totaal", "totaal in dataset", "total in dataset"),
];

/// The label of a column name in the given language; the name itself when it has none.
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
    LABELS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, nl, en)| if lang == Lang::Nl { *nl } else { *en })
        .unwrap_or(name)
        .to_string()
}
