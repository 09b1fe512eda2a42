//! A report spec (docs/report.md): title, audience, period, and typed sections, each holding
//! the same `Options` as its subcommand. A key a section does not know, a value of the wrong
//! type or an unknown section type is a usage error (exit code 2) in the spec's own words:
//! "section 3 (waitlist): unknown key `secton`; known keys: ...".

use crate::context::UsageError;
use crate::figures::{inhuur, peaks, renewals, timeline, waitlist};
use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::path::PathBuf;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The base of the file names: `<name>-<period>.md`.
    pub name: String,
    pub title: String,
    #[serde(default)]
    pub audience: Audience,
    pub period: PeriodKind,
    #[serde(default)]
    pub language: Language,
    #[serde(default)]
    pub privacy: Privacy,
    /// Also one Excel workbook with a sheet per table.
    #[serde(default)]
    pub xlsx: bool,
    /// An ingest plan (relative to the spec) to load into a temporary warehouse first, so
    /// that the report runs end to end on exports (the README's example).
    #[serde(default)]
    pub inlezen: Option<PathBuf>,
    /// The sections as written; `sections()` types them.
    #[serde(rename = "section", default)]
    pub raw_sections: Vec<toml::Table>,
}

/// Publication safety: for audience `raad`, counts below `min_cell` are hidden.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Privacy {
    #[serde(default = "default_min_cell")]
    pub min_cell: i64,
}

fn default_min_cell() -> i64 {
    5
}

impl Default for Privacy {
    fn default() -> Self {
        Privacy { min_cell: 5 }
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    #[default]
    Management,
    Raad,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKind {
    Week,
    Month,
    Quarter,
    Year,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Nl,
    En,
}

impl Language {
    /// The language of labels and words for this spec.
    pub fn lang(self) -> crate::lang::Lang {
        match self {
            Language::Nl => crate::lang::Lang::Nl,
            Language::En => crate::lang::Lang::En,
        }
    }
}

/// One section: a heading, what it computes, and how it is shown.
#[derive(Debug)]
pub struct Section {
    /// 1 for the first section of the spec.
    pub number: usize,
    pub title: Option<String>,
    /// `chart = false`: the table without its chart.
    pub chart: bool,
    /// Waiting-list tables: `kolommen = "alle"` shows every column; by default the report
    /// shows the core ones and the CSV has them all.
    pub all_columns: bool,
    pub kind: Kind,
    /// The keys as written, for the council's checks (no per-person sections).
    pub keys: toml::Table,
}

/// What a section computes, with the options of its analysis.
#[derive(Debug)]
pub enum Kind {
    /// Markdown as written.
    Text(String),
    /// A query (with `{start}` and `{end}`) and the caption under its table.
    Sql {
        query: String,
        caption: String,
    },
    Waitlist(waitlist::Options),
    Peaks(peaks::Options),
    Renewals(renewals::Options),
    Inhuur(inhuur::Options),
    Timeline(timeline::Options),
}

/// The section types and the keys each knows besides the common ones.
const TYPES: &[&str] = &[
    "text", "sql", "waitlist", "peaks", "renewals", "inhuur", "timeline",
];

/// Keys of every section that shows a table.
const TABLE_KEYS: &[&str] = &["type", "title", "chart", "kolommen", "columns"];

impl Kind {
    /// The section type as a spec writes it.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Text(_) => "text",
            Kind::Sql { .. } => "sql",
            Kind::Waitlist(_) => "waitlist",
            Kind::Peaks(_) => "peaks",
            Kind::Renewals(_) => "renewals",
            Kind::Inhuur(_) => "inhuur",
            Kind::Timeline(_) => "timeline",
        }
    }
}

impl Spec {
    /// The sections, typed: every key known and of the right type.
    pub fn sections(&self) -> Result<Vec<Section>> {
        self.raw_sections
            .iter()
            .enumerate()
            .map(|(i, t)| section(i + 1, t).map_err(|e| usage(i + 1, t, e)))
            .collect()
    }
}

/// "section 3 (waitlist): ..." as a usage error.
fn usage(number: usize, t: &toml::Table, e: String) -> anyhow::Error {
    let kind = t.get("type").and_then(|v| v.as_str()).unwrap_or("?");
    anyhow::Error::new(UsageError(format!("section {number} ({kind}): {e}")))
}

fn section(number: usize, t: &toml::Table) -> Result<Section, String> {
    let kind_name = match t.get("type") {
        Some(toml::Value::String(s)) => s.as_str(),
        Some(other) => {
            return Err(format!(
                "type = {other}: give the type as text, e.g. type = \"waitlist\""
            ));
        }
        None => return Err(format!("no type; give one of {}", quoted(TYPES))),
    };
    let text = |k: &str| -> Result<Option<String>, String> {
        match t.get(k) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!("key `{k}` = {other}: expected a text")),
        }
    };
    let common = |extra: &[&str]| -> toml::Table {
        t.iter()
            .filter(|(k, _)| !TABLE_KEYS.contains(&k.as_str()) && !extra.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let kind = match kind_name {
        "text" => {
            only(t, &["type", "title", "text"])?;
            Kind::Text(text("text")?.unwrap_or_default())
        }
        "sql" => {
            only(t, &[TABLE_KEYS, &["query", "text"]].concat())?;
            let query = text("query")?.ok_or("no query; give query = \"SELECT ...\"")?;
            Kind::Sql {
                query,
                caption: text("text")?.unwrap_or_default(),
            }
        }
        "waitlist" => Kind::Waitlist(options::<waitlist::Options>(&common(&[]), TABLE_KEYS)?),
        "peaks" => Kind::Peaks(options::<peaks::Options>(&common(&[]), TABLE_KEYS)?),
        "renewals" => Kind::Renewals(options::<renewals::Options>(&common(&[]), TABLE_KEYS)?),
        "inhuur" => Kind::Inhuur(options::<inhuur::Options>(&common(&[]), TABLE_KEYS)?),
        "timeline" => Kind::Timeline(options::<timeline::Options>(&common(&[]), TABLE_KEYS)?),
        other => {
            return Err(format!(
                "unknown section type `{other}`{}; known types: {}",
                suggestion(other, TYPES),
                quoted(TYPES)
            ));
        }
    };
    let all_columns = match text("kolommen")?
        .or(text("columns")?)
        .map(|s| s.to_lowercase())
    {
        None => false,
        Some(k) if k == "kern" || k == "core" => false,
        Some(k) if k == "alle" || k == "all" => true,
        Some(other) => {
            return Err(format!(
                "kolommen = \"{other}\": use \"kern\" (the default) or \"alle\""
            ));
        }
    };
    let chart = match t.get("chart") {
        None => true,
        Some(toml::Value::Boolean(b)) => *b,
        Some(other) => return Err(format!("key `chart` = {other}: expected true or false")),
    };
    Ok(Section {
        number,
        title: text("title")?,
        chart,
        all_columns,
        kind,
        keys: t.clone(),
    })
}

/// Refuses keys outside `known`.
fn only(t: &toml::Table, known: &[&str]) -> Result<(), String> {
    match t.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(unknown_key(k, known)),
        None => Ok(()),
    }
}

pub(crate) fn unknown_key(key: &str, known: &[&str]) -> String {
    format!(
        "unknown key `{key}`{}; known keys: {}",
        suggestion(key, known),
        known.join(", ")
    )
}

/// " (did you mean `section`?)" for a key or type close to a known one.
fn suggestion(word: &str, known: &[&str]) -> String {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(word, k), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}

fn quoted(words: &[&str]) -> String {
    words.join(", ")
}

/// The keys an analysis' options know: the names of its fields, as its command-line flags have
/// them (`--term-days` is `term_days`).
fn keys_of<T: clap::Args>() -> Vec<String> {
    T::augment_args(clap::Command::new("section"))
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect()
}

/// The options of an analysis from a section's keys: each key checked on its own first, so
/// that an error names the key.
pub(crate) fn options<T: DeserializeOwned + OptionKeys>(
    t: &toml::Table,
    common: &[&str],
) -> Result<T, String> {
    let own = T::keys();
    let mut known: Vec<&str> = common.to_vec();
    known.extend(own.iter().map(String::as_str));
    for (k, v) in t {
        if !own.iter().any(|o| o == k) {
            return Err(unknown_key(k, &known));
        }
        let one: toml::Table = [(k.clone(), v.clone())].into_iter().collect();
        if let Err(e) = T::deserialize(one) {
            return Err(format!("key `{k}` = {v}: {}", first_line(&e.to_string())));
        }
    }
    T::deserialize(t.clone()).map_err(|e| first_line(&e.to_string()))
}

/// The field names of an analysis' options.
pub(crate) trait OptionKeys {
    fn keys() -> Vec<String>;
}

impl OptionKeys for waitlist::Options {
    fn keys() -> Vec<String> {
        keys_of::<Self>()
    }
}

impl OptionKeys for peaks::Options {
    fn keys() -> Vec<String> {
        keys_of::<Self>()
    }
}

impl OptionKeys for renewals::Options {
    fn keys() -> Vec<String> {
        keys_of::<Self>()
    }
}

impl OptionKeys for inhuur::Options {
    fn keys() -> Vec<String> {
        keys_of::<Self>()
    }
}

impl OptionKeys for timeline::Options {
    fn keys() -> Vec<String> {
        ["dataset", "id", "name", "start", "end", "status"]
            .map(String::from)
            .to_vec()
    }
}

/// serde's message without the TOML excerpt it may add.
fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("TOML parse error"))
        .unwrap_or(text)
        .to_string()
}

/// The first day of the period that ends on `end`.
pub fn period_start(kind: PeriodKind, end: NaiveDate) -> NaiveDate {
    let first = |m: u32| NaiveDate::from_ymd_opt(end.year(), m, 1).unwrap_or(end);
    match kind {
        PeriodKind::Week => end - chrono::Duration::days(6),
        PeriodKind::Month => first(end.month()),
        PeriodKind::Quarter => first((end.month() - 1) / 3 * 3 + 1),
        PeriodKind::Year => first(1),
    }
}

/// The last complete period on or before `as_of`: its label and last day.
pub fn last_complete(kind: PeriodKind, as_of: NaiveDate) -> (String, NaiveDate) {
    let next = as_of.succ_opt().unwrap_or(as_of);
    match kind {
        PeriodKind::Week => {
            let end = next
                - chrono::Duration::days(next.weekday().num_days_from_monday().into())
                - chrono::Duration::days(1);
            let w = end.iso_week();
            (format!("{}-W{:02}", w.year(), w.week()), end)
        }
        PeriodKind::Month => {
            let end = next.with_day(1).expect("day 1") - chrono::Duration::days(1);
            (end.format("%Y-%m").to_string(), end)
        }
        PeriodKind::Quarter => {
            let first_month = (next.month0() / 3) * 3 + 1;
            let start = NaiveDate::from_ymd_opt(next.year(), first_month, 1).expect("a quarter");
            let end = start - chrono::Duration::days(1);
            (format!("{}-Q{}", end.year(), end.month0() / 3 + 1), end)
        }
        PeriodKind::Year => {
            let start = NaiveDate::from_ymd_opt(next.year(), 1, 1).expect("1 January");
            let end = start - chrono::Duration::days(1);
            (end.year().to_string(), end)
        }
    }
}

/// A report's name is the start of its file names, never a path: letters, digits, '-', '_'
/// and '.', not starting with '.', so that every file lands in --out-dir.
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        crate::usage!(
            "name = \"{name}\" is not a usable report name: it becomes the start of the file \
             names (name-2024-W26.md), so use letters, digits, '-', '_' and '.', without '/' \
             or '\\' and not starting with '.' (for example name = \"week-meldingen\")"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn spec(sections: &str) -> Spec {
        toml::from_str(&format!(
            "name = \"t\"\ntitle = \"T\"\nperiod = \"week\"\n{sections}"
        ))
        .unwrap()
    }

    fn error(sections: &str) -> String {
        let e = spec(sections).sections().unwrap_err();
        assert!(e.downcast_ref::<UsageError>().is_some(), "{e:#}");
        e.to_string()
    }

    #[test]
    fn sections_are_typed() {
        let s = spec(
            "[[section]]\ntype = \"waitlist\"\npreset = \"jeugd\"\nsection = \"by\"\nby = \
             \"gemeente,team\"\nkolommen = \"alle\"\n[[section]]\ntype = \"peaks\"\nby = \
             [\"categorie\"]\nchart = false\n[[section]]\ntype = \"text\"\ntext = \"x\"",
        )
        .sections()
        .unwrap();
        let Kind::Waitlist(w) = &s[0].kind else {
            panic!("{:?}", s[0].kind)
        };
        assert_eq!(w.section, waitlist::View::By);
        assert_eq!(w.by.len(), 2);
        assert!(s[0].all_columns && s[0].chart);
        assert!(matches!(&s[1].kind, Kind::Peaks(p) if p.by == ["categorie"]));
        assert!(!s[1].chart);
        assert!(matches!(&s[2].kind, Kind::Text(t) if t == "x"));
        assert_eq!(s[2].number, 3);
    }

    #[test]
    fn misspelt_key_names_section_and_key() {
        let e = error(
            "[[section]]\ntype = \"text\"\ntext = \"a\"\n[[section]]\ntype = \"text\"\n\
             [[section]]\ntype = \"waitlist\"\npreset = \"jeugd\"\nsecton = \"by\"",
        );
        assert!(
            e.starts_with("section 3 (waitlist): unknown key `secton`"),
            "{e}"
        );
        assert!(e.contains("did you mean `section`?"), "{e}");
        assert!(e.contains("known keys: type, title, chart"), "{e}");
        assert!(e.contains("term_days"), "{e}");
    }

    #[test]
    fn wrong_type_names_the_key() {
        let e = error("[[section]]\ntype = \"waitlist\"\npreset = \"jeugd\"\nweeks = \"vier\"");
        assert!(
            e.starts_with("section 1 (waitlist): key `weeks` = \"vier\": "),
            "{e}"
        );
        let e = error("[[section]]\ntype = \"waitlist\"\npreset = \"jeug\"");
        assert!(e.contains("key `preset` = \"jeug\""), "{e}");
        assert!(e.contains("jeugd"), "{e}");
        let e = error("[[section]]\ntype = \"peaks\"\nlimit54 = \"vijf\"");
        assert!(e.contains("key `limit54`"), "{e}");
    }

    #[test]
    fn unknown_section_type() {
        let e = error("[[section]]\ntype = \"wachtlijst\"");
        assert!(
            e.starts_with("section 1 (wachtlijst): unknown section type"),
            "{e}"
        );
        assert!(e.contains("known types: text, sql, waitlist"), "{e}");
        let e = error("[[section]]\ntype = \"waitlst\"");
        assert!(e.contains("did you mean `waitlist`?"), "{e}");
        let e = error("[[section]]\ntitle = \"x\"");
        assert!(e.starts_with("section 1 (?): no type"), "{e}");
    }

    /// The first day of each kind of period.
    #[test]
    fn period_starts() {
        assert_eq!(
            period_start(PeriodKind::Week, d(2024, 6, 30)),
            d(2024, 6, 24)
        );
        assert_eq!(
            period_start(PeriodKind::Month, d(2024, 6, 30)),
            d(2024, 6, 1)
        );
        assert_eq!(
            period_start(PeriodKind::Quarter, d(2024, 6, 30)),
            d(2024, 4, 1)
        );
        assert_eq!(
            period_start(PeriodKind::Quarter, d(2024, 12, 31)),
            d(2024, 10, 1)
        );
        assert_eq!(
            period_start(PeriodKind::Year, d(2023, 12, 31)),
            d(2023, 1, 1)
        );
    }

    /// The last complete period on or before as-of.
    #[test]
    fn last_complete_periods() {
        // Wednesday 3 July 2024: the week of 24-30 June (W26), June, Q2, 2023.
        let as_of = d(2024, 7, 3);
        assert_eq!(
            last_complete(PeriodKind::Week, as_of),
            ("2024-W26".into(), d(2024, 6, 30))
        );
        assert_eq!(
            last_complete(PeriodKind::Month, as_of),
            ("2024-06".into(), d(2024, 6, 30))
        );
        assert_eq!(
            last_complete(PeriodKind::Quarter, as_of),
            ("2024-Q2".into(), d(2024, 6, 30))
        );
        assert_eq!(
            last_complete(PeriodKind::Year, as_of),
            ("2023".into(), d(2023, 12, 31))
        );
        // On a Sunday, that week is complete; on 30 June, June is.
        assert_eq!(
            last_complete(PeriodKind::Week, d(2024, 6, 30)).1,
            d(2024, 6, 30)
        );
        assert_eq!(
            last_complete(PeriodKind::Month, d(2024, 6, 30)).1,
            d(2024, 6, 30)
        );
        assert_eq!(
            last_complete(PeriodKind::Quarter, d(2024, 6, 30)).0,
            "2024-Q2"
        );
    }
}
