//! The legal clocks (presets) and the options turned into the settings of the analysis: which
//! dates start and end the wait, the term, which cases count, the groups.

use super::{By, Options, Preset, View};
use crate::analysis::caseflow::{Clock, Filter, Scope};
use crate::lang::Lang;
use anyhow::{Result, bail};
use chrono::NaiveDate;

/// The values of `--wet` that mean "no filter on wet".
const ALL: [&str; 3] = ["alle", "all", "*"];

/// A preset: clock, term, extension, the wet it applies to, and the procedure filter.
pub struct PresetDef {
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
const APPLICATION: (&str, &str) = ("datum_aanvraag", "datum_beschikking");

/// The presets, in the order of `Preset`.
const PRESETS: [PresetDef; 5] = [
    PresetDef {
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
    PresetDef {
        start: APPLICATION.0,
        end: APPLICATION.1,
        term_days: 14,
        extension_days: 0,
        wet: &["wmo"],
        extended_procedure: None,
        rule: (
            "Wmo 2015 art. 2.3.5: beschikking binnen 2 weken na de aanvraag",
            "Wmo 2015 art. 2.3.5: decision within 2 weeks of the application",
        ),
    },
    PresetDef {
        start: APPLICATION.0,
        end: APPLICATION.1,
        term_days: 56,
        extension_days: 0,
        wet: &["jeugd"],
        extended_procedure: None,
        rule: (
            "Awb 4:13: beschikking binnen 8 weken na de aanvraag (Jeugdwet)",
            "Awb 4:13: decision within 8 weeks of the application (Jeugdwet)",
        ),
    },
    PresetDef {
        start: APPLICATION.0,
        end: APPLICATION.1,
        term_days: 56,
        extension_days: 42,
        wet: VTH_WET,
        extended_procedure: Some(false),
        rule: (
            "Omgevingswet, reguliere procedure: 8 weken, eenmaal 6 weken verdaagd",
            "Omgevingswet, regular procedure: 8 weeks, once extendable by 6",
        ),
    },
    PresetDef {
        start: APPLICATION.0,
        end: APPLICATION.1,
        term_days: 182,
        extension_days: 42,
        wet: VTH_WET,
        extended_procedure: Some(true),
        rule: (
            "Omgevingswet, uitgebreide procedure: 26 weken, eenmaal 6 weken verdaagd",
            "Omgevingswet, extended procedure: 26 weeks, once extendable by 6",
        ),
    },
];

impl Preset {
    fn def(self) -> &'static PresetDef {
        &PRESETS[self as usize]
    }
}

/// Options -> checked settings, plus the sentence that says which legal rule applies.
pub fn settings(args: &Options, as_of: NaiveDate, lang: Lang) -> Result<(Scope, String)> {
    let def = args.preset.map(Preset::def);
    let clock = clock(args, def)?;
    if !(args.alpha > 0.0 && args.alpha < 1.0) {
        bail!("--alpha must lie between 0 and 1, e.g. 0.05 for 95% intervals");
    }
    let by = group_columns(args)?;
    let filters = filters(args, def)?;
    let rule = rule(args, def, &clock, lang);
    let settings = Scope {
        clock,
        as_of,
        filters,
        since: args.since,
        by,
        total_label: lang.pick("totaal", "total").into(),
        ci: args.ci,
        alpha: args.alpha,
    };
    Ok((settings, rule))
}

/// The clock: from the options, else from the preset; one of the two must give it.
fn clock(args: &Options, def: Option<&PresetDef>) -> Result<Clock> {
    let (Some(start), Some(end), Some(term_days)) = (
        args.start.clone().or(def.map(|d| d.start.to_string())),
        args.end.clone().or(def.map(|d| d.end.to_string())),
        args.term_days.or(def.map(|d| d.term_days)),
    ) else {
        bail!(
            "say which clock to measure: --preset wmo-onderzoek|wmo-beschikking|jeugd|\
             vth-regulier|vth-uitgebreid, or --start COLUMN --end COLUMN --term-days N"
        );
    };
    Ok(Clock {
        start,
        end,
        term_days,
        extension_days: args
            .extension_days
            .or(def.map(|d| d.extension_days))
            .unwrap_or(0),
        subtract_suspension: !args.ignore_suspension,
    })
}

/// The legal rule in words: the preset's, or the own term when the clock was changed.
fn rule(args: &Options, def: Option<&PresetDef>, c: &Clock, lang: Lang) -> String {
    let own = args.start.is_some() || args.end.is_some() || args.term_days.is_some();
    match def {
        Some(d) if !own => lang.pick(d.rule.0, d.rule.1).to_string(),
        _ => {
            let (days, start, end) = (c.term_days, &c.start, &c.end);
            match lang {
                Lang::Nl => format!("eigen termijn: {days} dagen van {start} tot {end}"),
                Lang::En => format!("own term: {days} days from {start} to {end}"),
            }
        }
    }
}

/// The groups: each `--by` column once; per consulent only when asked for explicitly.
fn group_columns(args: &Options) -> Result<Vec<String>> {
    if args.section == View::By && args.by.is_empty() {
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
    Ok(by)
}

/// Which cases count: the wet (from --wet or the preset), the procedure of a vth preset, and
/// --product, --team, --gemeente.
fn filters(args: &Options, def: Option<&PresetDef>) -> Result<Vec<Filter>> {
    let mut filters = Vec::new();
    match (&args.wet, def) {
        (Some(w), _) if ALL.contains(&w.to_lowercase().as_str()) => {}
        (Some(w), _) => filters.push(Filter::contains("wet", w)),
        (None, Some(d)) => filters.push(Filter {
            column: "wet".into(),
            any_of: d.wet.iter().map(|w| w.to_string()).collect(),
            matching: true,
        }),
        (None, None) => {}
    }
    if let Some(extended) = def.and_then(|d| d.extended_procedure) {
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
    Ok(filters)
}
