//! Waiting lists and legal terms (Wmo, Jeugd, VTH permits): the clock and filters from the
//! options, the cases from the warehouse or a file, the figures from `analysis::caseflow`.

mod notes;
mod presets;

use crate::analysis::caseflow::{self, Cases, Scope};
use crate::analysis::survival::CiMethod;
use crate::context::Context as Ctx;
use crate::lang::Lang;
use crate::render::Table;
use crate::warehouse::Warehouse;
use crate::warehouse::pseudo::Pseudonymiser;
use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use polars::prelude::*;
use serde::Deserialize;
use std::path::PathBuf;

/// The options of a waiting list: the command line's flags (`datastroom waitlist --preset
/// jeugd`) and a report section's keys (`preset = "jeugd"`), with one set of defaults
/// (`Default`).
#[derive(Debug, Clone, clap::Args, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// The dataset with the cases (see `datastroom datasets`).
    #[arg(long, default_value_t = Options::default().dataset)]
    pub dataset: String,

    /// Read the cases from this export instead of the warehouse (mapped onto zaken_sociaal,
    /// with the same privacy rules; nothing is stored).
    #[arg(long)]
    pub input: Option<PathBuf>,

    /// With --input: a mapping file for columns with other names (see docs/ingest.md).
    #[arg(long, requires = "input")]
    pub mapping: Option<PathBuf>,

    /// The legal clock: wmo-onderzoek (melding -> einde onderzoek, 6 weeks), wmo-beschikking
    /// (aanvraag -> beschikking, 2 weeks), jeugd (aanvraag -> beschikking, 8 weeks),
    /// vth-regulier (8 weeks, +6 when verdaagd), vth-uitgebreid (26 weeks, +6).
    #[arg(long, value_enum)]
    pub preset: Option<Preset>,

    /// Start of the clock (a date column), e.g. datum_aanvraag. Overrides the preset's.
    #[arg(long)]
    pub start: Option<String>,

    /// End of the clock (a date column), e.g. datum_beschikking. Empty = still open.
    #[arg(long)]
    pub end: Option<String>,

    /// The legal term in calendar days (6 weeks = 42). Overrides the preset's.
    #[arg(long, value_parser = clap::value_parser!(i64).range(0..=3660))]
    pub term_days: Option<i64>,

    /// Days added to the term for cases marked verdaagd (extended, Awb 4:14).
    #[arg(long, value_parser = clap::value_parser!(i64).range(0..=3660))]
    pub extension_days: Option<i64>,

    /// Do not subtract recorded suspension days (opschorting_dagen, Awb 4:15).
    #[arg(long)]
    pub ignore_suspension: bool,

    /// Only cases whose wet contains this text (e.g. Wmo, Jeugdwet). Presets set it; "alle"
    /// turns the preset's filter off.
    #[arg(long)]
    pub wet: Option<String>,

    /// Only cases whose product contains this text (e.g. "hulpmiddel").
    #[arg(long)]
    pub product: Option<String>,

    /// Only cases whose team contains this text (e.g. "Noord").
    #[arg(long)]
    pub team: Option<String>,

    /// Only cases of this municipality (the gemeente column, set at ingest).
    #[arg(long)]
    pub gemeente: Option<String>,

    /// Only cases that started on or after this date (the cohort), e.g. 2024-01-01.
    #[arg(long, value_parser = crate::dates::parse_date)]
    #[serde(deserialize_with = "crate::dates::de_date")]
    pub since: Option<NaiveDate>,

    /// What to show: summary, open (the open cases), flow (weekly inflow, outflow, backlog),
    /// survival (the Kaplan-Meier table), by (the summary per --by group).
    #[arg(long, value_enum, default_value_t = Options::default().section)]
    pub section: View,

    /// Group by team, product, wet, gemeente or consulent (consulent needs
    /// --allow-employee-names); several comma-separated (--by gemeente,team) give a total per
    /// outer group ("Zevenaar / totaal") and an overall total.
    #[arg(long, value_enum, value_delimiter = ',')]
    #[serde(deserialize_with = "de_by")]
    pub by: Vec<By>,

    /// Allow figures per consulent (employee): for managers, not for the council.
    #[arg(long)]
    pub allow_employee_names: bool,

    /// With --section open: also show client_id (the pseudonym) and consulent. Needs the
    /// warehouse key; each use is logged on stderr.
    #[arg(long)]
    pub show_personal: bool,

    /// The key file for --show-personal (else DATASTROOM_KEY).
    #[arg(long)]
    pub key_file: Option<PathBuf>,

    /// Confidence interval of the survival curve and the median: log-log (lifelines' default),
    /// log (R's default) or plain.
    #[arg(long, value_enum, default_value_t = Options::default().ci)]
    pub ci: CiMethod,

    /// 1 - confidence level: 0.05 gives 95% intervals.
    #[arg(long, default_value_t = Options::default().alpha)]
    pub alpha: f64,

    /// Weeks shown by --section flow, up to the as-of date (1 to 520).
    #[arg(long, default_value_t = Options::default().weeks,
          value_parser = clap::value_parser!(u32).range(1..=520))]
    pub weeks: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            dataset: "zaken_sociaal".into(),
            input: None,
            mapping: None,
            preset: None,
            start: None,
            end: None,
            term_days: None,
            extension_days: None,
            ignore_suspension: false,
            wet: None,
            product: None,
            team: None,
            gemeente: None,
            since: None,
            section: View::Summary,
            by: Vec::new(),
            allow_employee_names: false,
            show_personal: false,
            key_file: None,
            ci: CiMethod::LogLog,
            alpha: 0.05,
            weeks: 26,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    WmoOnderzoek,
    WmoBeschikking,
    Jeugd,
    VthRegulier,
    VthUitgebreid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Deserialize)]
/// The table a waiting-list run shows (`--section`, `section = "..."` in a spec).
#[serde(rename_all = "kebab-case")]
pub enum View {
    Summary,
    Open,
    Flow,
    Survival,
    By,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum By {
    Team,
    Product,
    Wet,
    Gemeente,
    Consulent,
}

/// `by = "team"`, `by = "gemeente,team"` or `by = ["gemeente", "team"]` in a report spec.
fn de_by<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<By>, D::Error> {
    use clap::ValueEnum;
    super::de_list(d)?
        .iter()
        .map(|b| {
            By::from_str(b, true).map_err(|_| {
                serde::de::Error::custom(format!(
                    "`{b}` is not a column to group by; use team, product, wet, gemeente or \
                     consulent"
                ))
            })
        })
        .collect()
}

impl By {
    pub fn column(self) -> &'static str {
        match self {
            By::Team => "team",
            By::Product => "product",
            By::Wet => "wet",
            By::Gemeente => "gemeente",
            By::Consulent => "consulent",
        }
    }
}

/// Column labels in tables for people (the JSON and CSV keys stay the column names).
pub const LABELS: crate::render::Labels = &[
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
    ("decided_12m", "besluiten (12 mnd)", "decisions (12 mo)"),
    (
        "within_term_pct",
        "% binnen termijn (12 mnd)",
        "% within term (12 mo)",
    ),
    ("decided_3m", "besluiten (3 mnd)", "decisions (3 mo)"),
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

/// Checked options: the settings of the analysis and the legal rule in words.
pub struct Config {
    pub options: Options,
    pub settings: Scope,
    pub rule: String,
}

/// Checks the options against each other (a clock, a --by for --section by, ...): an error is
/// a usage error (exit code 2).
pub fn validate(ctx: &Ctx, o: &Options) -> Result<Config> {
    let (settings, rule) = presets::settings(o, ctx.as_of, ctx.lang).map_err(super::usage)?;
    Ok(Config {
        options: o.clone(),
        settings,
        rule,
    })
}

/// The figures asked for, as a table with its note.
pub fn compute(ctx: &Ctx, c: &Config) -> Result<Table> {
    let args = &c.options;
    let key = if args.show_personal || args.input.is_some() {
        Pseudonymiser::from_env_or_file(args.key_file.as_deref())?
    } else {
        None
    };
    if args.show_personal && args.input.is_none() {
        check_key(&ctx.open()?, key.as_ref())?;
    }
    let input = super::Input {
        dataset: &args.dataset,
        file: args.input.as_deref(),
        read_as: Some("zaken_sociaal"),
        mapping: args.mapping.as_deref(),
    };
    let rows = input.rows(ctx, key.as_ref())?;
    compute_on(ctx, c, rows.lf, rows.unreadable, key.is_some())
}

/// The figures of `compute` on cases already read (a dashboard reads them once for all its
/// views); `has_key`: the warehouse key was given (for --show-personal).
pub fn compute_on(
    ctx: &Ctx,
    c: &Config,
    lf: LazyFrame,
    unreadable: u64,
    has_key: bool,
) -> Result<Table> {
    let (args, settings) = (&c.options, &c.settings);
    let cases = measure(lf.clone(), args, settings)?;
    notes::warn_excluded(&cases);
    let e = &cases.excluded;
    let none_excluded = e.no_start + e.after_as_of + e.end_before_start.len() == 0;
    if cases.cases.is_empty() && none_excluded {
        return notes::nothing_matched(lf, settings, ctx);
    }
    let df = match args.section {
        View::Summary | View::By => caseflow::summary(&cases, settings)?,
        View::Survival => caseflow::survival_table(&cases, settings)?,
        View::Flow => caseflow::flow(&cases, args.weeks)?,
        View::Open => open_section(&cases, args, has_key, ctx)?,
    };
    Ok(Table {
        df,
        note: notes::note(settings, &c.rule, &cases, unreadable, ctx),
        labels: LABELS,
        money: Vec::new(),
        for_people: Some(not_reached_as_text),
    })
}

/// The cases measured on the clock; the columns an open-cases table shows are kept.
fn measure(lf: LazyFrame, args: &Options, settings: &Scope) -> Result<Cases> {
    const OPEN: &[&str] = &[
        "zaak_id",
        "wet",
        "product",
        "team",
        "client_id",
        "consulent",
    ];
    let keep: &[&str] = match args.section {
        View::Open => OPEN,
        _ => &[],
    };
    caseflow::prepare(lf, settings, keep).with_context(|| match args.preset {
        Some(Preset::VthRegulier | Preset::VthUitgebreid) => {
            "the vth presets select permits by wet and tell the regular from the extended \
             procedure by the product (zaaktype); without those columns use --start, --end and \
             --term-days"
        }
        _ => "measuring the cases",
    })
}

/// --show-personal needs the key the warehouse was built with.
fn check_key(wh: &Warehouse, key: Option<&Pseudonymiser>) -> Result<()> {
    let Some(key) = key else {
        bail!(
            "--show-personal needs the warehouse key (DATASTROOM_KEY or --key-file): only key \
             holders may see client codes"
        );
    };
    if let Some(known) = &wh.catalog.key_fingerprint
        && *known != key.fingerprint()
    {
        bail!("--show-personal: this key is not the one the warehouse was built with");
    }
    Ok(())
}

/// The open cases, oldest first; with --show-personal also the client's pseudonym and the
/// consulent, recorded in the audit log first.
fn open_section(cases: &Cases, args: &Options, has_key: bool, ctx: &Ctx) -> Result<DataFrame> {
    let mut extra = vec!["zaak_id", "wet", "product", "team"];
    if !args.show_personal {
        return caseflow::open_cases(cases, &extra);
    }
    if !has_key {
        bail!("--show-personal needs the key (DATASTROOM_KEY or --key-file)");
    }
    extra.extend(["client_id", "consulent"]);
    let df = caseflow::open_cases(cases, &extra)?;
    record_personal(ctx, df.height(), args)?;
    Ok(df)
}

/// A lasting record before anything personal is shown (docs/privacy.md), and a line on stderr.
fn record_personal(ctx: &Ctx, rows: usize, args: &Options) -> Result<()> {
    std::fs::create_dir_all(&ctx.warehouse).with_context(|| {
        format!(
            "cannot create {} for the audit log",
            crate::warehouse::remote::display(&ctx.warehouse)
        )
    })?;
    crate::warehouse::audit(
        &ctx.warehouse,
        "waitlist --show-personal",
        serde_json::json!({
            "kolommen": ["client_id", "consulent"],
            "rijen": rows,
            "peildatum": ctx.as_of.to_string(),
            "invoer": args.input.as_ref().map(|p| p.display().to_string()),
        }),
    )?;
    let log = ctx.warehouse.join(crate::warehouse::AUDIT_FILE);
    crate::messages::info(match ctx.lang {
        Lang::Nl => format!(
            "persoonsgegevens getoond (client_id, consulent); vastgelegd in {}",
            crate::warehouse::remote::display(&log)
        ),
        Lang::En => format!(
            "personal data shown (client_id, consulent); recorded in {}",
            crate::warehouse::remote::display(&log)
        ),
    });
    Ok(())
}

/// For people: an empty median means "not reached", so say it.
fn not_reached_as_text(df: DataFrame, lang: Lang) -> Result<DataFrame> {
    let text = match lang {
        Lang::Nl => "niet bereikt",
        Lang::En => "not reached",
    };
    let cols = [
        "median_days",
        "median_ci_lower",
        "median_ci_upper",
        "p75_days",
        "p90_days",
    ];
    if df.column("median_days").is_err() {
        return Ok(df);
    }
    let exprs: Vec<Expr> = cols
        .iter()
        .map(|c| {
            col(*c)
                .cast(DataType::String)
                .fill_null(lit(text))
                .alias(*c)
        })
        .collect();
    df.lazy()
        .with_columns(exprs)
        .collect()
        .map_err(anyhow::Error::from)
        .context("formatting the medians")
}
