//! Hired staff ("inhuur"): contracts and invoices from the warehouse or from files, the
//! analysis in `analysis::inhuur`.

use crate::analysis::inhuur::{self, Book, Budget, Checks};
use crate::context::Context as Ctx;
use crate::lang::Lang;
use crate::render::Table;
use crate::warehouse::pseudo::Pseudonymiser;
use anyhow::{Result, bail};
use polars::prelude::*;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The options of an inhuur analysis: `datastroom inhuur`'s flags and a report section's keys,
/// with one set of defaults (`Default`).
#[derive(Debug, Clone, clap::Args, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// The contracts: a dataset in the warehouse, or an export file (read on the spot).
    #[arg(long, default_value_t = Options::default().contracts)]
    pub contracts: String,

    /// The invoices: a dataset in the warehouse, or an export file (read on the spot).
    #[arg(long, default_value_t = Options::default().invoices)]
    pub invoices: String,

    /// Budgets per department: a file with the columns afdeling, jaar, budget (for --section
    /// costs: the monitor of the savings targets).
    #[arg(long)]
    pub budget: Option<PathBuf>,

    /// overview (the state on --as-of), findings (one row per signal), suppliers (spend per
    /// supplier and the threshold), costs (per department per month, forecast, budget),
    /// timeline (one row per contract, for a Gantt chart).
    #[arg(long, value_enum, default_value_t = Options::default().section)]
    pub section: View,

    /// "Starting or ending soon": within this many days after --as-of.
    #[arg(long, default_value_t = Options::default().horizon_days, value_parser = clap::value_parser!(i64).range(0..=3660))]
    pub horizon_days: i64,

    /// Wet DBA signal: the same person hired without a break for longer than this many months.
    #[arg(long, default_value_t = Options::default().dba_months, value_parser = clap::value_parser!(u32).range(1..=600))]
    pub dba_months: u32,

    /// A gap of up to this many days between two contracts of one person is no break.
    #[arg(long, default_value_t = Options::default().dba_break_days, value_parser = clap::value_parser!(i64).range(0..=3660))]
    pub dba_break_days: i64,

    /// The EU threshold in euros, instead of the one valid on --as-of (221.000 in 2024-2025,
    /// 216.000 from 2026), e.g. 750.000 for social and other specific services. Dutch
    /// notation: 750.000 and 750000 both mean seven hundred fifty thousand.
    #[arg(long, value_parser = parse_euros)]
    #[serde(deserialize_with = "de_euros")]
    pub threshold: Option<i64>,

    /// Only contracts and invoices of this municipality (the gemeente column).
    #[arg(long)]
    pub gemeente: Option<String>,

    /// The key file for contract files with worker names (else DATASTROOM_KEY): names become
    /// the same keyed hashes as in the warehouse, so the Wet DBA signal can link people.
    #[arg(long)]
    pub key_file: Option<PathBuf>,
}

/// An amount in euros, Dutch notation, as whole cents.
fn parse_euros(s: &str) -> Result<i64, String> {
    use crate::source::values::{NumberStyle, parse_money};
    match parse_money(s, NumberStyle::DecimalComma) {
        Some(x) if x > 0.0 => Ok(inhuur::cents(x)),
        _ => Err(format!(
            "'{s}' is not an amount in euros; write it as 216.000 or 216000"
        )),
    }
}

/// `threshold = "750.000"` or `threshold = 750000` in a report spec.
fn de_euros<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let text = match toml::Value::deserialize(d)? {
        toml::Value::String(s) => s,
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string().replace('.', ","),
        other => {
            return Err(serde::de::Error::custom(format!(
                "{other} is not an amount in euros"
            )));
        }
    };
    parse_euros(&text)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Deserialize)]
/// The table an inhuur run shows (`--section`, `section = "..."` in a spec).
#[serde(rename_all = "kebab-case")]
pub enum View {
    Overview,
    Findings,
    Suppliers,
    Costs,
    Timeline,
}

/// Column labels for people; JSON and CSV keep the names.
const LABELS: crate::render::Labels = &[
    ("rule", "signaal", "rule"),
    ("contract_id", "contract", "contract"),
    ("leverancier", "leverancier", "supplier"),
    ("amount", "bedrag (EUR)", "amount (EUR)"),
    ("detail", "toelichting", "detail"),
    ("active", "lopend", "active"),
    ("starting", "start binnenkort", "starting soon"),
    ("ending", "loopt binnenkort af", "ending soon"),
    (
        "run_rate_month",
        "per maand (laatste 3 mnd, EUR)",
        "per month (last 3 mo, EUR)",
    ),
    (
        "spend_ytd",
        "besteed dit jaar (EUR)",
        "spent this year (EUR)",
    ),
    (
        "spend_last_year",
        "besteed vorig jaar (EUR)",
        "spent last year (EUR)",
    ),
    ("contracts", "contracten", "contracts"),
    ("spend_48m", "48 maanden (EUR)", "48 months (EUR)"),
    (
        "counted_48m",
        "telt voor drempel (EUR)",
        "counts for threshold (EUR)",
    ),
    ("threshold", "drempel (EUR)", "threshold (EUR)"),
    ("pct_threshold", "% van drempel", "% of threshold"),
    ("status", "status", "status"),
    ("afdeling", "afdeling", "department"),
    ("ytd", "tot nu toe (EUR)", "year to date (EUR)"),
    ("forecast", "prognose jaar (EUR)", "year forecast (EUR)"),
    ("budget", "budget (EUR)", "budget (EUR)"),
    (
        "forecast_minus_budget",
        "prognose - budget (EUR)",
        "forecast - budget (EUR)",
    ),
    ("functie", "functie", "role"),
    ("start", "start", "start"),
    ("end", "einde", "end"),
];

/// The note for a council report: the rules, without counts of contracts and invoices.
fn council_note(s: &Checks) -> String {
    let euros = threshold_text(s);
    if s.lang == Lang::Nl {
        format!(
            "Peildatum {}. Europese drempel diensten: EUR {euros} (excl. btw), over 48 maanden \
             per leverancier; Europees aanbestede contracten tellen niet mee. Bedragen exact op \
             de cent.",
            s.as_of.format("%d-%m-%Y")
        )
    } else {
        format!(
            "As of {}. EU threshold for services: EUR {euros} (excl. VAT), over 48 months per \
             supplier; contracts won by a European tender do not count. Amounts exact to the \
             cent.",
            s.as_of.format("%Y-%m-%d")
        )
    }
}

/// Columns in euros. The month columns of `costs` are named YYYY-MM and added at run time.
const MONEY: &[&str] = &[
    "amount",
    "run_rate_month",
    "spend_ytd",
    "spend_last_year",
    "spend_48m",
    "counted_48m",
    "threshold",
    "ytd",
    "forecast",
    "budget",
    "forecast_minus_budget",
];

impl Default for Options {
    fn default() -> Self {
        Options {
            contracts: "inhuur_contracten".into(),
            invoices: "inhuur_facturen".into(),
            budget: None,
            section: View::Overview,
            horizon_days: 60,
            dba_months: 24,
            dba_break_days: 31,
            threshold: None,
            gemeente: None,
            key_file: None,
        }
    }
}

/// Checks the options (an error is a usage error, exit code 2).
pub fn validate(ctx: &Ctx, o: &Options) -> Result<Config> {
    if o.budget.is_some() && o.section != View::Costs {
        return Err(super::usage(anyhow::anyhow!(
            "a budget file is read by the costs section only; add --section costs"
        )));
    }
    let settings = Checks {
        as_of: ctx.as_of,
        horizon_days: o.horizon_days,
        dba_months: o.dba_months,
        dba_break_days: o.dba_break_days,
        threshold: o.threshold,
        lang: ctx.lang,
    };
    Ok(Config {
        options: o.clone(),
        settings,
    })
}

/// Checked options and the analysis' settings.
pub struct Config {
    pub options: Options,
    pub settings: Checks,
}

/// The section asked for, as a table with its note.
pub fn compute(ctx: &Ctx, c: &Config) -> Result<Table> {
    let (o, settings) = (&c.options, &c.settings);
    let book = read_book(ctx, o, settings)?;
    let df = section_frame(ctx, o, &book, settings)?;
    let money = money_columns(&df);
    Ok(Table {
        df,
        note: note(&book, settings, persons_known(&book), ctx),
        labels: LABELS,
        money,
        for_people: Some(rules_in_words),
    })
}

/// The contracts and invoices (of one municipality with --gemeente), linked on the as-of date.
fn read_book(ctx: &Ctx, o: &Options, settings: &Checks) -> Result<Book> {
    let key = Pseudonymiser::from_env_or_file(o.key_file.as_deref())?;
    let contracts = super::dataset_or_file(ctx, &o.contracts, "inhuur_contracten", key.as_ref())?;
    let invoices = super::dataset_or_file(ctx, &o.invoices, "inhuur_facturen", key.as_ref())?;
    let (contracts, invoices) = (contracts.lf.collect()?, invoices.lf.collect()?);
    let (contracts, invoices) = match &o.gemeente {
        Some(g) => (of_gemeente(contracts, g)?, of_gemeente(invoices, g)?),
        None => (contracts, invoices),
    };
    Ok(Book::new(
        inhuur::contracts_from(&contracts)?,
        inhuur::invoices_from(&invoices)?,
        settings.as_of,
    ))
}

/// The frame of the section asked for (costs: with the budget file, if given).
fn section_frame(ctx: &Ctx, o: &Options, book: &Book, settings: &Checks) -> Result<DataFrame> {
    Ok(match o.section {
        View::Overview => inhuur::overview(book, settings)?,
        View::Findings => inhuur::findings_frame(&inhuur::findings(book, settings))?,
        View::Suppliers => inhuur::suppliers(book, settings)?,
        View::Costs => {
            let budget = match &o.budget {
                Some(p) => Some(read_budget(ctx, p)?),
                None => None,
            };
            inhuur::costs(book, settings, budget.as_deref())?
        }
        View::Timeline => inhuur::timeline(book, settings)?,
    })
}

/// The columns of a section in euros: those in `MONEY`, and the month columns of `costs`
/// (YYYY-MM) and the year columns of `suppliers` (spend_YYYY).
fn money_columns(df: &DataFrame) -> Vec<String> {
    df.get_column_names()
        .iter()
        .map(|n| n.to_string())
        .filter(|n| {
            MONEY.contains(&n.as_str())
                || n.starts_with("spend_")
                || (n.len() == 7 && n.as_bytes()[4] == b'-')
        })
        .collect()
}

/// People read the rules in words; CSV and JSON keep the codes for scripts.
fn rules_in_words(df: DataFrame, lang: Lang) -> Result<DataFrame> {
    if df.column("rule").is_err() {
        return Ok(df);
    }
    let words: Vec<Option<String>> = df
        .column("rule")?
        .str()?
        .iter()
        .map(|code| {
            code.map(|c| {
                inhuur::Rule::ALL
                    .iter()
                    .find(|r| r.name() == c)
                    .map_or(c, |r| r.label(lang))
                    .to_string()
            })
        })
        .collect();
    let mut df = df;
    df.with_column(Column::new("rule".into(), words))?;
    Ok(df)
}

/// The rows of one municipality (case-insensitive).
fn of_gemeente(df: DataFrame, gemeente: &str) -> Result<DataFrame> {
    if df.column("gemeente").is_err() {
        bail!(
            "--gemeente {gemeente}: the data has no column gemeente (set it at ingest with --gemeente)"
        );
    }
    let want = gemeente.trim().to_lowercase();
    df.lazy()
        .filter(
            col("gemeente")
                .str()
                .to_lowercase()
                .eq(lit(want))
                .fill_null(lit(false)),
        )
        .collect()
        .map_err(anyhow::Error::from)
}

/// A budget file: columns afdeling, jaar, budget (any export layout the ingest reads).
fn read_budget(ctx: &Ctx, path: &Path) -> Result<Vec<Budget>> {
    let df = budget_frame(ctx, path)?;
    let dept = df.column("afdeling")?.cast(&DataType::String)?;
    let year = df.column("jaar")?.cast(&DataType::Int32)?;
    let amount = df.column("budget")?.cast(&DataType::Float64)?;
    let mut out = Vec::new();
    for (r, ((d, y), b)) in dept
        .str()?
        .iter()
        .zip(year.i32()?.iter())
        .zip(amount.f64()?.iter())
        .enumerate()
    {
        let line = budget_line(&out, path, r, (d, y, b))?;
        out.push(line);
    }
    Ok(out)
}

/// A budget file as a frame; an error when it lacks one of the columns afdeling, jaar, budget.
fn budget_frame(ctx: &Ctx, path: &Path) -> Result<DataFrame> {
    let input = super::Input {
        dataset: "budget",
        file: Some(path),
        read_as: None,
        mapping: None,
    };
    let df = input.rows(ctx, None)?.lf.collect()?;
    let need = ["afdeling", "jaar", "budget"];
    if let Some(missing) = need.iter().find(|c| df.column(c).is_err()) {
        bail!(
            "the budget file {} has no column '{missing}'; it needs the columns afdeling, jaar \
             and budget, e.g.\nafdeling;jaar;budget\nRuimte;2026;100.000,00",
            path.display()
        );
    }
    Ok(df)
}

/// Data row `r` (afdeling, jaar, budget) of a budget file as a budget line: an error when a
/// value is missing or the lines before it have one for the same afdeling (any case) and jaar.
fn budget_line(
    before: &[Budget],
    path: &Path,
    r: usize,
    row: (Option<&str>, Option<i32>, Option<f64>),
) -> Result<Budget> {
    match row {
        (Some(d), Some(y), _)
            if before
                .iter()
                .any(|(od, oy, _)| od.eq_ignore_ascii_case(d.trim()) && *oy == y) =>
        {
            bail!(
                "the budget file {}, data row {}: {d} {y} appears twice; give one budget per \
                 afdeling and jaar",
                path.display(),
                r + 1
            )
        }
        (Some(d), Some(y), Some(b)) => Ok((d.trim().to_string(), y, inhuur::cents(b))),
        _ => bail!(
            "the budget file {}, data row {}: afdeling, jaar and budget must all be filled",
            path.display(),
            r + 1
        ),
    }
}

/// Whether any contract names its hired person: the Wet DBA signal needs them.
fn persons_known(book: &Book) -> bool {
    book.contracts.iter().any(|c| c.person.is_some())
}

/// The EU threshold that applies, in euros as a person writes them (216.000,00).
fn threshold_text(s: &Checks) -> String {
    crate::lang::money_text(inhuur::euros(s.limit()), s.lang == Lang::Nl)
}

/// The note under a table: the as-of date, the counts, the threshold, invoices left out for
/// being later, and whether the Wet DBA signal could be computed.
fn note(book: &Book, s: &Checks, persons: bool, ctx: &Ctx) -> String {
    if ctx.min_cell().is_some() {
        // For the council: the number of contracts would be a total of a table that may hide
        // some (contracts per supplier), so the note leaves the numbers out.
        return council_note(s);
    }
    let nl = s.lang == Lang::Nl;
    let mut text = counts_note(book, s, ctx);
    if book.later > 0 {
        let later = ctx.count_text(book.later as i64);
        text.push_str(&if nl {
            format!(" {later} facturen gedateerd na de peildatum tellen niet mee.")
        } else {
            format!(" {later} invoices dated after the as-of date are not counted.")
        });
    }
    if !persons {
        text.push_str(if nl {
            " Geen inhuurkrachten bekend (kolom ontbreekt of geen sleutel): het Wet DBA-signaal \
             kon niet worden bepaald."
        } else {
            " No hired persons known (column missing or no key): the Wet DBA signal could not \
             be computed."
        });
    }
    text
}

/// The start of the note: the as-of date, the numbers of contracts and invoices, the rules.
fn counts_note(book: &Book, s: &Checks, ctx: &Ctx) -> String {
    let n = ctx.count_text(book.contracts.len() as i64);
    let invoices = ctx.count_text(book.invoices.len() as i64);
    let euros = threshold_text(s);
    if s.lang == Lang::Nl {
        format!(
            "Peildatum {}. {n} contracten, {invoices} facturen. Europese drempel diensten: EUR \
             {euros} (excl. btw), over 48 maanden per leverancier; Europees aanbestede contracten \
             tellen niet mee. Bedragen exact op de cent.",
            s.as_of.format("%d-%m-%Y"),
        )
    } else {
        format!(
            "As of {}. {n} contracts, {invoices} invoices. EU threshold for services: EUR \
             {euros} (excl. VAT), over 48 months per supplier; contracts won by a European tender \
             do not count. Amounts exact to the cent.",
            s.as_of.format("%Y-%m-%d"),
        )
    }
}
