//! The canonical datasets: column names, aliases, types, keys and which columns hold personal
//! data. `../docs/datasets.md` is the human version of this file; keep the two in step.

mod canonical;
pub mod personal;

pub use canonical::DATASETS;

use serde::{Deserialize, Serialize};

/// What a column holds once it is in the warehouse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Text,
    Date,
    Datetime,
    /// Euros, parsed exactly to cents and stored as Float64 with two decimals.
    Money,
    Number,
    Integer,
    Boolean,
}

/// Technical columns every dataset has: which ingest brought the row, and its place in the
/// source file (line, sheet row or object number).
pub const COL_INGEST: &str = "_ingest_id";
pub const COL_POS: &str = "_source_position";

impl Kind {
    /// The polars type a column of this kind is stored as.
    pub fn dtype(self) -> polars::prelude::DataType {
        use polars::prelude::{DataType, TimeUnit};
        match self {
            Kind::Text => DataType::String,
            Kind::Date => DataType::Date,
            Kind::Datetime => DataType::Datetime(TimeUnit::Microseconds, None),
            Kind::Money | Kind::Number => DataType::Float64,
            Kind::Integer => DataType::Int64,
            Kind::Boolean => DataType::Boolean,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Date => "date",
            Kind::Datetime => "datetime",
            Kind::Money => "money",
            Kind::Number => "number",
            Kind::Integer => "integer",
            Kind::Boolean => "boolean",
        }
    }
}

/// Money columns (euros stored as Float64 with two decimals) as Decimal(18,2): exact cents for
/// Power BI's "Fixed decimal number", DuckDB's DECIMAL and pandas' Decimal. Columns that are
/// not in `schema` or not numbers are left alone.
pub fn money_as_decimal(
    lf: polars::prelude::LazyFrame,
    schema: &polars::prelude::Schema,
    money: &[String],
) -> polars::prelude::LazyFrame {
    use polars::prelude::*;
    let casts: Vec<Expr> = money
        .iter()
        .filter(|m| schema.get(m.as_str()).is_some_and(|t| t.is_float()))
        .map(|m| {
            col(m.as_str())
                .round(2, RoundMode::HalfAwayFromZero)
                .cast(DataType::Decimal(18, 2))
        })
        .collect();
    if casts.is_empty() {
        lf
    } else {
        lf.with_columns(casts)
    }
}

/// How a column's values are treated for privacy (AVG/GDPR).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Privacy {
    /// Not personal data.
    None,
    /// A link key (BSN, name of a hired worker, document number): stored as HMAC-SHA256.
    Pseudonymised,
    /// An employee name: kept for managers, never shown in council reports.
    Employee,
}

/// One canonical column.
#[derive(Debug)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub privacy: Privacy,
    pub aliases: &'static [&'static str],
}

/// One canonical dataset.
#[derive(Debug)]
pub struct Dataset {
    pub name: &'static str,
    /// Dutch one-line description, shown in `--help` and `datasets`.
    pub description: &'static str,
    pub key: Option<&'static str>,
    pub columns: &'static [Column],
    /// Column names (normalised) that are a citizen's personal data in this dataset and are
    /// dropped, on top of [`PERSONAL_EVERYWHERE`].
    pub personal_drop: &'static [&'static str],
}

impl Dataset {
    pub fn column(&self, name: &str) -> Option<&'static Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// Header words (normalised) that are a citizen's personal data in every dataset: dropped at
/// ingest unless a canonical column claims them first (for example `Naam` as `inhuurkracht`).
pub const PERSONAL_EVERYWHERE: &[&str] = &[
    "bsn",
    "burgerservicenummer",
    "sofinummer",
    "naam",
    "voornaam",
    "voornamen",
    "voorletters",
    "achternaam",
    "tussenvoegsel",
    "geslachtsnaam",
    "naammelder",
    "meldernaam",
    "melder",
    "naamclient",
    "clientnaam",
    "naamaanvrager",
    "aanvrager",
    "email",
    "emailadres",
    "emailmelder",
    "mail",
    "telefoon",
    "telefoonnummer",
    "telefoonmelder",
    "tel",
    "telnr",
    "mobiel",
    "mobielnummer",
    "geboortedatum",
    "iban",
    "rekeningnummer",
    "gsm",
    "gsmnummer",
    "gebdatum",
    "gebdat",
    "geboren",
    "contactpersoon",
    "ouder",
    "ouders",
    "verzorger",
    "ouderverzorger",
    "voogd",
    "relatie",
    "partner",
    "client",
    "clienten",
    "klant",
    "bewoner",
    "persoon",
    "betrokkene",
    // English keys of JSON exports (Signalen and other APIs).
    "name",
    "firstname",
    "lastname",
    "surname",
    "fullname",
    "phone",
    "mobile",
    "address",
];

/// Finds a canonical dataset by name.
pub fn dataset(name: &str) -> Option<&'static Dataset> {
    DATASETS.iter().find(|d| d.name == name)
}

/// Normalises a header for matching: lower case letters and digits only, accents folded. Every
/// space, dash, dot and other punctuation goes, whatever its Unicode form ("E\u{2011}mail",
/// "Geb.\u{a0}datum", "Ouder/verzorger"), so that no privacy rule can be walked around by
/// the way a header is written.
pub fn normalise(header: &str) -> String {
    header
        .chars()
        .flat_map(char::to_lowercase)
        .map(fold_accent)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// 'é' -> 'e' and the like, for the accents Dutch headers use (lower case).
fn fold_accent(c: char) -> char {
    match c {
        'é' | 'è' | 'ë' | 'ê' => 'e',
        'ï' | 'í' => 'i',
        'ö' | 'ó' | 'ô' => 'o',
        'ü' | 'ú' => 'u',
        'á' | 'à' | 'ä' => 'a',
        other => other,
    }
}

/// Turns any header into a column name a SQL user can type: snake_case ASCII.
pub fn snake_case(header: &str) -> String {
    let mut out = String::new();
    for c in header.trim().chars().flat_map(char::to_lowercase) {
        let c = fold_accent(c);
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_string();
    match out.chars().next() {
        None => "kolom".to_string(),
        Some(c) if c.is_ascii_digit() => format!("k_{out}"),
        Some(_) => out,
    }
}

/// Parts of a header that make it personal data wherever they stand in it
/// ("E-mailadres melder", "Geboortedatum client", "Telefoonnummer 2").
pub const PERSONAL_PARTS: &[&str] = &[
    "bsn",
    "burgerservicenummer",
    "sofinummer",
    "email",
    "telefoon",
    "mobiel",
    "geboorte",
    "iban",
    "rekeningnummer",
    "achternaam",
    "voornaam",
    "voorletters",
    "tussenvoegsel",
    "gsm",
    "mailadres",
    "contactpersoon",
    "verzorger",
    "voogd",
    "gebdat",
    "wettelijkvertegenwoordiger",
    "phone",
    "birth",
];

/// Words for a citizen: "naam", "adres" or "postcode" next to one of these is personal
/// ("Naam melder", "Adres client"), in every dataset.
const CITIZEN_WORDS: &[&str] = &[
    "melder",
    "client",
    "aanvrager",
    "burger",
    "bewoner",
    "klant",
    "persoon",
    "indiener",
    "cliënt",
];

/// Whether a header (of a column no canonical column claimed) is a citizen's personal data.
/// Datasets without a canonical definition (your own) get the address rules of the case
/// datasets: better one column too few than an address too many.
pub fn is_personal_header(dataset: Option<&Dataset>, header: &str) -> bool {
    let n = normalise(header);
    let has = |part: &&str| n.contains(*part);
    let address_parts = dataset.map_or(canonical::CITIZEN_ADDRESS, |d| d.personal_drop);
    PERSONAL_EVERYWHERE.contains(&n.as_str())
        || PERSONAL_PARTS.iter().any(has)
        || (["naam", "adres", "postcode"].iter().any(has) && CITIZEN_WORDS.iter().any(has))
        || address_parts.iter().any(has)
}

/// Levenshtein distance, for "did you mean" hints on missing columns.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The canonical datasets as Markdown: `docs/datasets.md` is this text (a test keeps them equal;
    /// `DATASTROOM_BLESS=1 cargo test` rewrites the file after a change here).
    pub fn markdown() -> String {
        let mut out = String::from(
            "# Canonical datasets\n\nGenerated from `src/schema/canonical.rs`; do not edit by hand.\n\n\
             Headers are matched case-insensitively, ignoring spaces, `-`, `_`, `.`, `/`, `(`, `)` and `:`.\n\
             Columns an export has beyond these are kept as text (in a dataset of your own: with an\n\
             inferred type), unless they are personal data (`docs/privacy.md`).\n",
        );
        for d in DATASETS {
            out.push_str(&format!("\n## {}\n\n{}.", d.name, d.description));
            if let Some(k) = d.key {
                out.push_str(&format!(" Key: `{k}`."));
            }
            out.push_str("\n\n| column | type | required | privacy | also read from |\n|---|---|---|---|---|\n");
            for c in d.columns {
                let privacy = match c.privacy {
                    Privacy::None => "",
                    Privacy::Pseudonymised => "pseudonymised",
                    Privacy::Employee => "employee",
                };
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} |\n",
                    c.name,
                    c.kind.name(),
                    if c.required { "yes" } else { "" },
                    privacy,
                    c.aliases.join(", ")
                ));
            }
            if !d.personal_drop.is_empty() {
                out.push_str(&format!(
                    "\nDropped as a citizen's address: {}.\n",
                    d.personal_drop.join(", ")
                ));
            }
        }
        out.push_str(&format!(
            "\n## Dropped in every dataset\n\n{}.\n",
            PERSONAL_EVERYWHERE.join(", ")
        ));
        out
    }

    #[test]
    fn docs_datasets_md_is_up_to_date() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/datasets.md");
        if std::env::var_os("DATASTROOM_BLESS").is_some() {
            std::fs::write(path, markdown()).unwrap();
        }
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == markdown(),
            "docs/datasets.md is stale: run DATASTROOM_BLESS=1 cargo test"
        );
    }

    #[test]
    fn normalise_ignores_case_spaces_and_punctuation() {
        assert_eq!(normalise(" Datum melding "), "datummelding");
        assert_eq!(normalise("Datum_Melding"), "datummelding");
        assert_eq!(normalise("Bedrag excl. btw"), "bedragexclbtw");
        assert_eq!(normalise("E-mail"), "email");
    }

    #[test]
    fn snake_case_makes_sql_names() {
        assert_eq!(snake_case("Datum melding"), "datum_melding");
        assert_eq!(snake_case("Bedrag (excl. btw)"), "bedrag_excl_btw");
        assert_eq!(snake_case("2e categorie"), "k_2e_categorie");
        assert_eq!(snake_case("  "), "kolom");
        assert_eq!(snake_case("Één-tweestraat"), "een_tweestraat");
    }

    #[test]
    fn every_alias_points_at_one_column_only() {
        for d in DATASETS {
            let mut seen = std::collections::HashMap::new();
            for c in d.columns {
                for a in c.aliases.iter().chain(std::iter::once(&c.name)) {
                    let n = normalise(a);
                    if let Some(other) = seen.insert(n.clone(), c.name) {
                        assert_eq!(other, c.name, "{}: alias {a} used twice", d.name);
                    }
                }
            }
        }
    }

    #[test]
    fn personal_header_variants() {
        let m = dataset("meldingen");
        for h in [
            "E-mailadres melder",
            "Telefoonnummer melder",
            "Adres melder",
            "Naam  melder",
        ] {
            assert!(is_personal_header(m, h), "{h}");
        }
        let z = dataset("zaken_sociaal");
        for h in [
            "Geboortedatum client",
            "Achternaam client",
            "Woonadres",
            "Postcode",
        ] {
            assert!(is_personal_header(z, h), "{h}");
        }
        assert!(
            is_personal_header(None, "Adres"),
            "own datasets drop addresses too"
        );
        for h in ["Omschrijving", "Categorie", "Straat", "Buurtnaam"] {
            assert!(!is_personal_header(m, h), "{h}");
        }
    }

    /// Issue 10, item 5: headers that kept personal data in clear, and Unicode forms of
    /// known ones (a non-breaking hyphen in E-mail, a non-breaking space, a soft hyphen).
    #[test]
    fn personal_headers_in_every_form() {
        for h in [
            "GSM",
            "Geb. datum",
            "Contactpersoon",
            "Ouder/verzorger",
            "Relatie",
            "Client",
            "Cliënt",
            "E\u{2011}mail",
            "E\u{2013}mail melder",
            "Telefoon\u{a0}nummer",
            "Tele\u{ad}foon",
            "Mobiel\u{200b}nummer",
            "Naam\u{3000}melder",
            "BSN\u{fe58}nummer",
        ] {
            for d in [dataset("meldingen"), dataset("zaken_sociaal"), None] {
                assert!(is_personal_header(d, h), "{h:?} in {:?}", d.map(|d| d.name));
            }
        }
        assert_eq!(normalise("E\u{2011}mail"), "email");
        assert_eq!(normalise(" Datum\u{a0}melding\u{200b} "), "datummelding");
        for h in ["Ouderenzorg", "Relatienummer", "Categorie", "Omschrijving"] {
            assert!(!is_personal_header(dataset("meldingen"), h), "{h}");
        }
    }

    #[test]
    fn personal_headers() {
        let zaken = dataset("zaken_sociaal").unwrap();
        assert!(is_personal_header(Some(zaken), "E-mailadres"));
        assert!(is_personal_header(Some(zaken), "Adres"));
        let meldingen = dataset("meldingen").unwrap();
        assert!(!is_personal_header(Some(meldingen), "Straat"));
        assert!(is_personal_header(None, "Telefoon"));
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("datum", "datum"), 0);
        assert_eq!(edit_distance("datummelding", "datummeldng"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
