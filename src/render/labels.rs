//! Display labels for column names in human-facing output (table, Markdown, xlsx). CSV and JSON
//! keep the column names themselves, so scripts do not break when a label changes.

use super::Lang;

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
    // waitlist
    ("group", "groep", "group"),
    ("n", "zaken", "cases"),
    ("started_12m", "gestart (12 mnd)", "started (12 mo)"),
    ("closed_12m", "afgesloten (12 mnd)", "closed (12 mo)"),
    ("open", "open", "open"),
    (
        "open_past_term",
        "open, termijn verstreken",
        "open past term",
    ),
    (
        "within_term_pct",
        "% binnen termijn (12 mnd)",
        "% within term (12 mo)",
    ),
    (
        "within_term_pct_3m",
        "% binnen termijn (3 mnd)",
        "% within term (3 mo)",
    ),
    ("withdrawn", "ingetrokken", "withdrawn"),
    ("median_days", "mediaan (dagen)", "median (days)"),
    ("median_ci_lower", "mediaan ondergrens", "median lower"),
    ("median_ci_upper", "mediaan bovengrens", "median upper"),
    ("p75_days", "75% binnen (dagen)", "75% within (days)"),
    ("p90_days", "90% binnen (dagen)", "90% within (days)"),
    ("time", "dagen", "days"),
    ("at_risk", "nog wachtend", "at risk"),
    ("events", "afgehandeld", "decided"),
    ("censored", "gecensureerd", "censored"),
    ("survival", "aandeel nog wachtend", "share still waiting"),
    ("lower", "ondergrens", "lower"),
    ("upper", "bovengrens", "upper"),
    ("zaak_id", "zaak", "case"),
    ("wet", "wet", "law"),
    ("product", "product", "product"),
    ("team", "team", "team"),
    ("start", "start", "start"),
    ("age_days", "leeftijd (dagen)", "age (days)"),
    ("suspension_days", "opgeschort (dagen)", "suspended (days)"),
    ("net_days", "netto (dagen)", "net (days)"),
    ("term_days", "termijn (dagen)", "term (days)"),
    ("days_past_term", "dagen over termijn", "days past term"),
    ("client_id", "client (pseudoniem)", "client (pseudonym)"),
    ("consulent", "consulent", "consultant"),
    ("week", "week", "week"),
    ("week_start", "maandag", "monday"),
    ("inflow", "instroom", "inflow"),
    ("outflow", "uitstroom", "outflow"),
    ("backlog", "werkvoorraad", "backlog"),
    (
        "outflow_per_week_8w",
        "uitstroom per week (8 wk)",
        "outflow per week (8 wk)",
    ),
    ("weeks_to_clear", "weken tot leeg", "weeks to clear"),
];

/// The label of a column name in the given language; the name itself when it has none.
pub fn label(name: &str, lang: Lang) -> String {
    LABELS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, nl, en)| if lang == Lang::Nl { *nl } else { *en })
        .unwrap_or(name)
        .to_string()
}
