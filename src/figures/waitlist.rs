//! Waiting lists and legal terms (Wmo, Jeugd, VTH permits): the clock and filters from the
//! options, the cases from the warehouse or a file, the figures from `analysis::caseflow`.

use crate::analysis::caseflow::{self, Cases, Clock, Filter, Settings};
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
    pub section: Section,

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
            section: Section::Summary,
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
#[serde(rename_all = "kebab-case")]
pub enum Section {
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
const LABELS: crate::render::Labels = &[
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

/// The values of `--wet` that mean "no filter on wet".
const ALL: [&str; 3] = ["alle", "all", "*"];

/// A preset: clock, term, extension, the wet it applies to, and the procedure filter.
struct PresetDef {
    start: &'static str,
    end: &'static str,
    term_days: i64,
    extension_days: i64,
    wet: &'static [&'static str],
    /// (product contains "uitgebreid") must be this, when set.
    extended_procedure: Option<bool>,
    /// The legal rule in Dutch and in English.
    rule: (&'static str, &'static str),
}

const VTH_WET: &[&str] = &["omgevingswet", "wabo", "omgevingsvergunning", "vth"];

impl Preset {
    fn def(self) -> PresetDef {
        let (start, end) = ("datum_aanvraag", "datum_beschikking");
        match self {
            Preset::WmoOnderzoek => PresetDef {
                start: "datum_melding",
                end: "datum_einde_onderzoek",
                term_days: 42,
                extension_days: 0,
                wet: &["wmo"],
                extended_procedure: None,
                rule: (
                    "Wmo 2015 art. 2.3.2: onderzoek binnen 6 weken na de melding",
                    "Wmo 2015 art. 2.3.2: investigation within 6 weeks of the report",
                ),
            },
            Preset::WmoBeschikking => PresetDef {
                start,
                end,
                term_days: 14,
                extension_days: 0,
                wet: &["wmo"],
                extended_procedure: None,
                rule: (
                    "Wmo 2015 art. 2.3.5: beschikking binnen 2 weken na de aanvraag",
                    "Wmo 2015 art. 2.3.5: decision within 2 weeks of the application",
                ),
            },
            Preset::Jeugd => PresetDef {
                start,
                end,
                term_days: 56,
                extension_days: 0,
                wet: &["jeugd"],
                extended_procedure: None,
                rule: (
                    "Awb 4:13: beschikking binnen 8 weken na de aanvraag (Jeugdwet)",
                    "Awb 4:13: decision within 8 weeks of the application (Jeugdwet)",
                ),
            },
            Preset::VthRegulier => PresetDef {
                start,
                end,
                term_days: 56,
                extension_days: 42,
                wet: VTH_WET,
                extended_procedure: Some(false),
                rule: (
                    "Omgevingswet, reguliere procedure: 8 weken, eenmaal 6 weken verdaagd",
                    "Omgevingswet, regular procedure: 8 weeks, once extendable by 6",
                ),
            },
            Preset::VthUitgebreid => PresetDef {
                start,
                end,
                term_days: 182,
                extension_days: 42,
                wet: VTH_WET,
                extended_procedure: Some(true),
                rule: (
                    "Omgevingswet, uitgebreide procedure: 26 weken, eenmaal 6 weken verdaagd",
                    "Omgevingswet, extended procedure: 26 weeks, once extendable by 6",
                ),
            },
        }
    }
}

/// Checked options: the settings of the analysis and the legal rule in words.
pub struct Config {
    pub options: Options,
    pub settings: Settings,
    pub rule: String,
}

/// Checks the options against each other (a clock, a --by for --section by, ...): an error is
/// a usage error (exit code 2).
pub fn validate(ctx: &Ctx, o: &Options) -> Result<Config> {
    let (settings, rule) = settings(o, ctx.as_of, ctx.lang)
        .map_err(|e| anyhow::Error::new(crate::context::UsageError(format!("{e:#}"))))?;
    Ok(Config {
        options: o.clone(),
        settings,
        rule,
    })
}

/// The figures asked for, as a table with its note.
pub fn compute(ctx: &Ctx, c: &Config) -> Result<Table> {
    let (args, settings, rule) = (&c.options, &c.settings, &c.rule);
    let key = if args.show_personal || args.input.is_some() {
        Pseudonymiser::from_env_or_file(args.key_file.as_deref())?
    } else {
        None
    };
    let mut unreadable = 0;
    let _adhoc;
    let lf = match &args.input {
        Some(path) => {
            let adhoc = crate::ingest::load_adhoc(
                path,
                Some("zaken_sociaal"),
                args.mapping.as_deref(),
                key.as_ref(),
            )?;
            unreadable = adhoc.rejected;
            let lf = adhoc.lf.clone();
            _adhoc = adhoc;
            lf
        }
        None => {
            let wh = ctx.open()?;
            if args.show_personal {
                check_key(&wh, key.as_ref())?;
            }
            wh.scan(&args.dataset)?
        }
    };
    let keep: &[&str] = match args.section {
        Section::Open => &[
            "zaak_id",
            "wet",
            "product",
            "team",
            "client_id",
            "consulent",
        ],
        _ => &[],
    };
    let all_cases = lf.clone();
    let cases = caseflow::prepare(lf, settings, keep).with_context(|| match args.preset {
        Some(Preset::VthRegulier | Preset::VthUitgebreid) => {
            "the vth presets select permits by wet and tell the regular from the extended \
             procedure by the product (zaaktype); without those columns use --start, --end and \
             --term-days"
        }
        _ => "measuring the cases",
    })?;
    warn_excluded(&cases);
    let e = &cases.excluded;
    let none_excluded = e.no_start + e.after_as_of + e.end_before_start.len() == 0;
    if cases.cases.is_empty() && none_excluded {
        return nothing_matched(all_cases, settings, ctx);
    }
    let df = match args.section {
        Section::Summary | Section::By => caseflow::summary(&cases, settings)?,
        Section::Survival => caseflow::survival_table(&cases, settings)?,
        Section::Flow => caseflow::flow(&cases, args.weeks)?,
        Section::Open => open_section(&cases, args, key.is_some(), ctx)?,
    };
    Ok(Table {
        df,
        note: note(settings, rule, &cases, unreadable, ctx),
        labels: LABELS,
        money: Vec::new(),
        for_people: Some(not_reached_as_text),
    })
}

/// No case matched the preset and filters: an empty table, and a note (also on stderr) that
/// says what was asked and which values of `wet` the data has, instead of a row of zeros.
fn nothing_matched(lf: LazyFrame, s: &Settings, ctx: &Ctx) -> Result<Table> {
    let nl = ctx.nl();
    let asked: Vec<String> = s
        .filters
        .iter()
        .map(|f| {
            let values = f
                .any_of
                .iter()
                .map(|v| format!("\"{v}\""))
                .collect::<Vec<_>>()
                .join(if nl { " of " } else { " or " });
            match (f.matching, nl) {
                (true, true) => format!("{} bevat {values}", f.column),
                (false, true) => format!("{} bevat niet {values}", f.column),
                (true, false) => format!("{} contains {values}", f.column),
                (false, false) => format!("{} does not contain {values}", f.column),
            }
        })
        .collect();
    let mut lf = lf;
    let has_wet = lf
        .collect_schema()
        .is_ok_and(|schema| schema.contains("wet"));
    let present = if has_wet {
        let df = lf
            .group_by([col("wet")])
            .agg([len().alias("n")])
            .sort(["wet"], Default::default())
            .collect()?;
        let (w, n) = (df.column("wet")?.str()?, df.column("n")?.u32()?);
        (0..df.height())
            .map(|i| {
                format!(
                    "{} ({})",
                    w.get(i).unwrap_or("-"),
                    ctx.count_text(n.get(i).unwrap_or(0))
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        String::new()
    };
    let asked = if asked.is_empty() {
        String::from(if nl { "alle zaken" } else { "all cases" })
    } else {
        asked.join(if nl { " en " } else { " and " })
    };
    let note = match (nl, present.is_empty()) {
        (true, false) => format!(
            "Geen zaak voldoet aan de selectie ({asked}); de gegevens hebben wet: {present}."
        ),
        (true, true) => format!("Geen zaak voldoet aan de selectie ({asked})."),
        (false, false) => {
            format!("No case matches the selection ({asked}); the data has wet: {present}.")
        }
        (false, true) => format!("No case matches the selection ({asked})."),
    };
    crate::messages::warn(&note, &note);
    let df = DataFrame::new_infer_height(vec![
        Column::new_empty("group".into(), &DataType::String),
        Column::new_empty("n".into(), &DataType::UInt32),
    ])?;
    Ok(Table {
        df,
        note,
        labels: LABELS,
        money: Vec::new(),
        for_people: None,
    })
}

/// Options -> checked settings, plus the sentence that says which legal rule applies.
fn settings(args: &Options, as_of: NaiveDate, lang: Lang) -> Result<(Settings, String)> {
    let def = args.preset.map(Preset::def);
    let (Some(start), Some(end), Some(term_days)) = (
        args.start
            .clone()
            .or(def.as_ref().map(|d| d.start.to_string())),
        args.end.clone().or(def.as_ref().map(|d| d.end.to_string())),
        args.term_days.or(def.as_ref().map(|d| d.term_days)),
    ) else {
        bail!(
            "say which clock to measure: --preset wmo-onderzoek|wmo-beschikking|jeugd|\
             vth-regulier|vth-uitgebreid, or --start COLUMN --end COLUMN --term-days N"
        );
    };
    if !(args.alpha > 0.0 && args.alpha < 1.0) {
        bail!("--alpha must lie between 0 and 1, e.g. 0.05 for 95% intervals");
    }
    if args.section == Section::By && args.by.is_empty() {
        bail!("--section by needs --by team|product|wet|gemeente (or several: gemeente,team)");
    }
    if args.by.contains(&By::Consulent) && !args.allow_employee_names {
        bail!(
            "figures per consulent are per employee: add --allow-employee-names (for managers, \
             never for the council)"
        );
    }
    let mut by: Vec<String> = Vec::new();
    for b in &args.by {
        if by.iter().any(|c| c == b.column()) {
            bail!("--by names {} twice", b.column());
        }
        by.push(b.column().to_string());
    }
    let mut filters = Vec::new();
    match (&args.wet, &def) {
        (Some(w), _) if ALL.contains(&w.to_lowercase().as_str()) => {}
        (Some(w), _) => filters.push(Filter::contains("wet", w)),
        (None, Some(d)) => filters.push(Filter {
            column: "wet".into(),
            any_of: d.wet.iter().map(|w| w.to_string()).collect(),
            matching: true,
        }),
        (None, None) => {}
    }
    if let Some(extended) = def.as_ref().and_then(|d| d.extended_procedure) {
        // The extended procedure is told by its product (zaaktype): "... uitgebreid".
        filters.push(Filter {
            column: "product".into(),
            any_of: vec!["uitgebreid".into()],
            matching: extended,
        });
    }
    for (c, v) in [
        ("product", &args.product),
        ("team", &args.team),
        ("gemeente", &args.gemeente),
    ] {
        if let Some(v) = v {
            if v.trim().is_empty() {
                bail!("--{c} needs a text to look for, e.g. --{c} Noord");
            }
            filters.push(Filter::contains(c, v));
        }
    }
    let rule = match &def {
        Some(d) if args.start.is_none() && args.end.is_none() && args.term_days.is_none() => {
            match lang {
                Lang::Nl => d.rule.0.to_string(),
                Lang::En => d.rule.1.to_string(),
            }
        }
        _ => match lang {
            Lang::Nl => format!("eigen termijn: {term_days} dagen van {start} tot {end}"),
            Lang::En => format!("own term: {term_days} days from {start} to {end}"),
        },
    };
    let clock = Clock {
        start,
        end,
        term_days,
        extension_days: args
            .extension_days
            .or(def.as_ref().map(|d| d.extension_days))
            .unwrap_or(0),
        subtract_suspension: !args.ignore_suspension,
    };
    let settings = Settings {
        clock,
        as_of,
        filters,
        since: args.since,
        by,
        total_label: match lang {
            Lang::Nl => "totaal".into(),
            Lang::En => "total".into(),
        },
        ci: args.ci,
        alpha: args.alpha,
    };
    Ok((settings, rule))
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

fn open_section(cases: &Cases, args: &Options, has_key: bool, ctx: &Ctx) -> Result<DataFrame> {
    let mut extra = vec!["zaak_id", "wet", "product", "team"];
    if args.show_personal {
        if !has_key {
            bail!("--show-personal needs the key (DATASTROOM_KEY or --key-file)");
        }
        extra.extend(["client_id", "consulent"]);
        let df = caseflow::open_cases(cases, &extra)?;
        // A lasting record before anything personal is shown (docs/privacy.md).
        std::fs::create_dir_all(&ctx.warehouse).with_context(|| {
            format!(
                "cannot create {} for the audit log",
                ctx.warehouse.display()
            )
        })?;
        crate::warehouse::audit(
            &ctx.warehouse,
            "waitlist --show-personal",
            serde_json::json!({
                "kolommen": ["client_id", "consulent"],
                "rijen": df.height(),
                "peildatum": ctx.as_of.to_string(),
                "invoer": args.input.as_ref().map(|p| p.display().to_string()),
            }),
        )?;
        let log = ctx.warehouse.join(crate::warehouse::AUDIT_FILE);
        crate::messages::info(match ctx.lang {
            Lang::Nl => format!(
                "persoonsgegevens getoond (client_id, consulent); vastgelegd in {}",
                log.display()
            ),
            Lang::En => format!(
                "personal data shown (client_id, consulent); recorded in {}",
                log.display()
            ),
        });
        return Ok(df);
    }
    caseflow::open_cases(cases, &extra)
}

fn warn_excluded(cases: &Cases) {
    let e = &cases.excluded;
    if !e.end_before_start.is_empty() {
        let ids: Vec<&str> = e
            .end_before_start
            .iter()
            .take(5)
            .map(String::as_str)
            .collect();
        let more = if e.end_before_start.len() > 5 {
            ", ..."
        } else {
            ""
        };
        let (n, ids) = (e.end_before_start.len(), ids.join(", "));
        crate::messages::warn(
            format!(
                "{n} zaken hebben een einddatum voor de startdatum en tellen niet mee \
                 ({ids}{more}); corrigeer ze in de bron"
            ),
            format!(
                "{n} cases end before they start and are not counted ({ids}{more}); correct \
                 them at the source"
            ),
        );
    }
}

/// Under the table: the rule, the as-of date, which cases (filters, cohort), how suspension
/// and withdrawn cases count, what was left out.
fn note(s: &Settings, rule: &str, cases: &Cases, unreadable: u64, ctx: &Ctx) -> String {
    let lang = ctx.lang;
    let c = &s.clock;
    let nl = lang == Lang::Nl;
    let conf = format!("{:.0}%", (1.0 - s.alpha) * 100.0);
    let mut parts = vec![if nl {
        format!("Peildatum {}.", s.as_of.format("%d-%m-%Y"))
    } else {
        format!("As of {}.", s.as_of.format("%Y-%m-%d"))
    }];
    parts.push(if nl {
        format!(
            "Termijn: {rule} ({} dagen{}). Wachttijd van {} tot {}{}.",
            c.term_days,
            ext_text(c.extension_days, lang),
            c.start,
            c.end,
            if c.subtract_suspension {
                ", min de opschortingsdagen"
            } else {
                ""
            }
        )
    } else {
        format!(
            "Term: {rule} ({} days{}). Wait from {} to {}{}.",
            c.term_days,
            ext_text(c.extension_days, lang),
            c.start,
            c.end,
            if c.subtract_suspension {
                ", minus suspension days"
            } else {
                ""
            }
        )
    });
    let mut scope: Vec<String> = s
        .filters
        .iter()
        .map(|f| {
            let words = f.any_of.join(if nl { "\" of \"" } else { "\" or \"" });
            match (f.matching, nl) {
                (true, true) => format!("{} bevat \"{words}\"", f.column),
                (false, true) => format!("{} bevat niet \"{words}\"", f.column),
                (true, false) => format!("{} contains \"{words}\"", f.column),
                (false, false) => format!("{} does not contain \"{words}\"", f.column),
            }
        })
        .collect();
    if let Some(since) = s.since {
        scope.push(if nl {
            format!("gestart vanaf {}", since.format("%d-%m-%Y"))
        } else {
            format!("started from {}", since.format("%Y-%m-%d"))
        });
    }
    if !scope.is_empty() {
        parts.push(if nl {
            format!("Zaken: {}.", scope.join("; "))
        } else {
            format!("Cases: {}.", scope.join("; "))
        });
    }
    parts.push(if nl {
        format!(
            "Mediaan, 75% en 90% over alle zaken hierboven (Kaplan-Meier; open en ingetrokken \
             zaken tellen als gecensureerd), betrouwbaarheidsinterval {conf} {}; % binnen termijn \
             over de zaken met een besluit in de laatste 12 en 3 maanden. \"niet bereikt\": \
             minder dan de helft (75%, 90%) heeft een besluit; bij een grens: geen grens te geven.",
            s.ci.name()
        )
    } else {
        format!(
            "Median, 75% and 90% over all cases above (Kaplan-Meier; open and withdrawn cases \
             are censored), {conf} interval {}; % within term over the cases decided in the last \
             12 and 3 months. \"not reached\": fewer than half (75%, 90%) were decided; for a \
             limit: no limit can be given.",
            s.ci.name()
        )
    });
    let excluded = excluded_text(&cases.excluded, &c.start, ctx);
    if !excluded.is_empty() {
        parts.push(excluded);
    }
    if unreadable > 0 {
        parts.push(if nl {
            format!(
                "{} rij(en) van het bestand onleesbaar: telt niet mee.",
                ctx.count_text(unreadable as i64)
            )
        } else {
            format!(
                "{} row(s) of the file could not be read and are not counted.",
                ctx.count_text(unreadable as i64)
            )
        });
    }
    parts.join(" ")
}

fn ext_text(days: i64, lang: Lang) -> String {
    match (days, lang) {
        (0, _) => String::new(),
        (d, Lang::Nl) => format!(", +{d} bij verdaging"),
        (d, Lang::En) => format!(", +{d} when extended"),
    }
}

fn excluded_text(e: &caseflow::Excluded, start: &str, ctx: &Ctx) -> String {
    let lang = ctx.lang;
    let (no_start_nl, no_start_en) = (format!("zonder {start}"), format!("without {start}"));
    let parts: Vec<String> = [
        (e.no_start, no_start_nl.as_str(), no_start_en.as_str()),
        (
            e.after_as_of,
            "gestart na de peildatum",
            "started after the as-of date",
        ),
        (
            e.end_before_start.len(),
            "einde voor start",
            "end before start",
        ),
        (
            e.withdrawn_undated,
            "ingetrokken zonder datum",
            "withdrawn without a date",
        ),
        (
            e.suspension_capped,
            "opschorting langer dan de wachttijd (afgekapt)",
            "suspension longer than the wait (capped)",
        ),
    ]
    .iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, nl, en)| {
        format!(
            "{} {}",
            ctx.count_text(*n as i64),
            if lang == Lang::Nl { nl } else { en }
        )
    })
    .collect();
    match (parts.is_empty(), lang) {
        (true, _) => String::new(),
        (false, Lang::Nl) => format!("Niet meegeteld: {}.", parts.join(", ")),
        (false, Lang::En) => format!("Not counted: {}.", parts.join(", ")),
    }
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
