//! The ID-card and passport renewal forecast ("vernieuwingsprognose"): expected applications
//! per month from the issuance records, peak months flagged (`analysis::renewals`).

use crate::context::Context;
use crate::lang::Lang;
use crate::render::Table;
use anyhow::Result;
use serde::Deserialize;
use std::path::PathBuf;

/// The options of the forecast: `datastroom peaks renewals`' flags and a report section's keys.
#[derive(Debug, Clone, clap::Args, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// The dataset with the issued documents.
    #[arg(long, default_value_t = Options::default().dataset)]
    pub dataset: String,

    /// Read the documents from this export instead of the warehouse.
    #[arg(long)]
    pub input: Option<PathBuf>,

    /// Months ahead, from the month of --as-of.
    #[arg(long, default_value_t = Options::default().horizon,
          value_parser = clap::value_parser!(u32).range(1..=240))]
    pub horizon: u32,

    /// Validity for adults (documents issued from 9 March 2014; before: 5 years).
    #[arg(long, default_value_t = Options::default().adult_years)]
    pub adult_years: u32,

    /// Validity for minors.
    #[arg(long, default_value_t = Options::default().minor_years)]
    pub minor_years: u32,

    /// A month is a peak at this many times the monthly average of the horizon.
    #[arg(long, default_value_t = Options::default().peak_ratio)]
    pub peak_ratio: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            dataset: "reisdocumenten".into(),
            input: None,
            horizon: 36,
            adult_years: 10,
            minor_years: 5,
            peak_ratio: 1.5,
        }
    }
}

const LABELS: crate::render::Labels = &[
    ("month", "maand", "month"),
    ("expected", "verwachte aanvragen", "expected applications"),
    (
        "issued_to_minors",
        "uitgegeven aan minderjarigen",
        "issued to minors",
    ),
    ("ratio_to_average", "x gemiddelde", "x average"),
    ("peak", "piekmaand", "peak month"),
];

/// Checks the options (an error is a usage error, exit code 2).
pub fn validate(_ctx: &Context, o: &Options) -> Result<Options> {
    if !(o.peak_ratio > 0.0 && o.peak_ratio.is_finite()) {
        return Err(super::usage(anyhow::anyhow!(
            "peak_ratio must be a number above 0, e.g. 1.5"
        )));
    }
    if o.adult_years == 0 || o.minor_years == 0 {
        return Err(super::usage(anyhow::anyhow!(
            "adult_years and minor_years must be at least 1"
        )));
    }
    Ok(o.clone())
}

/// The expected applications per month, with the note.
pub fn compute(ctx: &Context, o: &Options) -> Result<Table> {
    let key = match &o.input {
        Some(_) => crate::warehouse::pseudo::Pseudonymiser::from_env_or_file(None)?,
        None => None,
    };
    let input = super::Input {
        dataset: &o.dataset,
        file: o.input.as_deref(),
        read_as: Some("reisdocumenten"),
        mapping: None,
    };
    let df = input.rows(ctx, key.as_ref())?.lf.collect()?;
    let docs = crate::analysis::renewals::documents(&df)?;
    let unknown = docs
        .iter()
        .filter(|d| d.adult.is_none() && d.valid_until.is_none())
        .count();
    let table = crate::analysis::renewals::forecast(
        &docs,
        ctx.as_of,
        o.horizon,
        o.adult_years,
        o.minor_years,
        o.peak_ratio,
    )?;
    let note = note(docs.len(), unknown, o, ctx.lang);
    Ok(Table::plain(table, note, LABELS))
}

/// How the expiry is found, when a month is a peak, and how many documents had no age.
fn note(docs: usize, unknown: usize, o: &Options, lang: Lang) -> String {
    let (adult, minor, ratio, horizon) = (o.adult_years, o.minor_years, o.peak_ratio, o.horizon);
    match lang {
        Lang::Nl => {
            let unknown = match unknown {
                0 => String::new(),
                n => format!(" {n} documenten zonder leeftijd zijn als volwassen geteld."),
            };
            format!(
                "{docs} documenten. Verloopdatum: geldig_tot, anders uitgifte + {adult} jaar \
                 (volwassen, uitgegeven vanaf 9-3-2014; daarvoor 5) of {minor} jaar \
                 (minderjarig). Aanvraag verwacht in de maand van verlopen (wie eerder \
                 vernieuwt, telt te laat). Piekmaand: {ratio} keer het maandgemiddelde van de \
                 {horizon} maanden of meer.{unknown}"
            )
        }
        Lang::En => {
            let unknown = match unknown {
                0 => String::new(),
                n => format!(" {n} documents without an age are counted as adult."),
            };
            format!(
                "{docs} documents. Expiry: geldig_tot, else issue + {adult} years (adult, issued \
                 from 2014-03-09; before: 5) or {minor} years (minor). Applications expected in \
                 the month of expiry (early renewals count too late). Peak month: {ratio} times \
                 the monthly average of the {horizon} months or more.{unknown}"
            )
        }
    }
}
