//! What to ingest, as the command line and a report's `inlezen` ask for it: files and a
//! dataset, or a plan file (TOML) listing several exports, each with its own dataset.

use super::{Mode, Summary, plan::Mapping};
use crate::source::values::{DateOrder, NumberStyle};
use crate::source::{Encoding, ReadOptions};
use crate::warehouse::pseudo::Pseudonymiser;
use anyhow::{Result, bail};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What to load, with the settings that override what is detected. The flags of `datastroom
/// ingest` (flattened there).
#[derive(Debug, clap::Args)]
pub struct Request {
    /// Export files: .csv .txt .tsv .xlsx .xls .ods .json. Wildcards (`exports\*.csv`) are
    /// expanded, also where the shell does not (cmd.exe, PowerShell); `-` reads standard input.
    #[arg(required_unless_present = "plan")]
    pub files: Vec<PathBuf>,

    /// Dataset to load into: meldingen, zaken_sociaal, inhuur_contracten, inhuur_facturen,
    /// reisdocumenten, projecten; or a new name, whose columns are then taken as they are.
    #[arg(long, short = 'd', required_unless_present = "plan")]
    pub dataset: Option<String>,

    /// A TOML file listing several exports to load, each with its dataset (for the weekly cron
    /// job). See examples/inlezen.toml.
    #[arg(long, conflicts_with_all = ["files", "dataset"])]
    pub plan: Option<PathBuf>,

    /// upsert: a newer export of a case replaces the older row with the same key (default for
    /// datasets with a key); append: add rows; replace: replace the whole dataset.
    #[arg(long, value_enum)]
    pub mode: Option<Mode>,

    /// TOML file with column renames ([kolommen]), value maps ([waarden.<kolom>]) and extra
    /// personal columns (persoonsgegevens = [...]). See docs/ingest.md.
    #[arg(long)]
    pub mapping: Option<PathBuf>,

    /// Municipality (gemeente) of every row, for an export without a gemeente column.
    #[arg(long)]
    pub gemeente: Option<String>,

    /// Excel sheet, by name or number (1 = first). Default: the first sheet with data.
    #[arg(long)]
    pub sheet: Option<String>,

    /// Text encoding: utf-8 or windows-1252. Default: UTF-8 when valid, else Windows-1252.
    #[arg(long)]
    pub encoding: Option<String>,

    /// Field separator: ';' ',' 'tab' or '|'. Default: detected.
    #[arg(long)]
    pub delimiter: Option<String>,

    /// Numbers use a decimal comma (1.234,56). Default: detected per column.
    #[arg(long, conflicts_with = "decimal_point")]
    pub decimal_comma: bool,

    /// Numbers use a decimal point (1,234.56). Default: detected per column.
    #[arg(long)]
    pub decimal_point: bool,

    /// Order of day and month in dates like 3/4/2024: dmy (Dutch) or mdy. Default: detected per
    /// column, day first when nothing tells.
    #[arg(long, value_parser = ["dmy", "mdy"])]
    pub date_order: Option<String>,

    /// File holding the secret key for pseudonymisation (instead of $DATASTROOM_KEY).
    #[arg(long)]
    pub key_file: Option<PathBuf>,

    /// Show what would happen without writing anything.
    #[arg(long)]
    pub dry_run: bool,

    /// The --dataset name starts a dataset of your own on purpose, even though it is close to
    /// a canonical one (without this, `meldngen` is refused as a typo of meldingen).
    #[arg(long)]
    pub new_dataset: bool,

    /// Load the file even when the same content was ingested before (for example again with
    /// --decimal-point, or with --mode replace to go back to an older export).
    #[arg(long)]
    pub force: bool,

    /// Seconds to wait when another ingest holds the warehouse.
    #[arg(long, default_value_t = 30)]
    pub wait: u64,

    /// Stop without writing when more than this percentage of the rows is rejected.
    #[arg(long, default_value_t = 50.0)]
    pub max_rejects: f64,
}

impl Request {
    fn options(&self, dataset: &str) -> Result<super::Options> {
        let delimiter = match self.delimiter.as_deref() {
            None => None,
            Some("tab" | "TAB" | "\\t" | "\t") => Some(b'\t'),
            Some(d) if d.len() == 1 => Some(d.as_bytes()[0]),
            Some(d) => bail!("--delimiter '{d}' must be one character, or 'tab'"),
        };
        let number_style = match (self.decimal_comma, self.decimal_point) {
            (true, _) => Some(NumberStyle::DecimalComma),
            (_, true) => Some(NumberStyle::DecimalPoint),
            _ => None,
        };
        Ok(super::Options {
            dataset: dataset.to_string(),
            mode: self.mode,
            mapping: match &self.mapping {
                Some(p) => Mapping::load(p)?,
                None => Mapping::default(),
            },
            gemeente: self.gemeente.clone(),
            read: ReadOptions {
                encoding: self.encoding.as_deref().map(Encoding::parse).transpose()?,
                delimiter,
                sheet: self.sheet.clone(),
                header_hints: Vec::new(),
                // Each file's ingest decides (`open_export`): not when it was computed first.
                sha256: true,
            },
            number_style,
            date_order: self.date_order.as_deref().map(|o| match o {
                "mdy" => DateOrder::MonthFirst,
                _ => DateOrder::DayFirst,
            }),
            pseudo: Pseudonymiser::from_env_or_file(self.key_file.as_deref())?,
            dry_run: self.dry_run,
            wait: Duration::from_secs(self.wait),
            max_reject_share: self.max_rejects / 100.0,
            force: self.force,
            new_dataset: self.new_dataset,
        })
    }
}

/// Ingests the files (or the plan) and says what happened to each.
pub fn run(warehouse: &Path, args: &Request) -> Result<Vec<Summary>> {
    match (&args.plan, &args.dataset) {
        (Some(plan), _) => run_plan(warehouse, args, plan),
        (None, Some(dataset)) => super::run(warehouse, &args.files, &args.options(dataset)?),
        (None, None) => bail!("name the dataset with --dataset, or give a --plan"),
    }
}

/// `--plan FILE.toml`: several exports, each with its own dataset and settings.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Key file for pseudonymisation, relative to the plan file.
    #[serde(default, alias = "key_file")]
    sleutelbestand: Option<PathBuf>,
    #[serde(alias = "source")]
    bron: Vec<PlanEntry>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanEntry {
    #[serde(alias = "file")]
    bestand: PathBuf,
    dataset: String,
    gemeente: Option<String>,
    mapping: Option<PathBuf>,
    #[serde(alias = "sheet")]
    blad: Option<String>,
    #[serde(default, alias = "mode")]
    modus: Option<String>,
    /// Purpose of processing and retention, as in a mapping file (this entry's win).
    #[serde(default, alias = "purpose")]
    doel: Option<String>,
    #[serde(default, alias = "retention")]
    bewaartermijn: Option<String>,
    #[serde(default, alias = "retention_from")]
    bewaartermijn_vanaf: Option<String>,
    /// A dataset of one's own with a name close to a canonical one, on purpose.
    #[serde(default, alias = "new_dataset")]
    nieuw: bool,
}

/// Ingests the exports of a plan file in turn, each with its own dataset and settings.
fn run_plan(warehouse: &Path, args: &Request, path: &Path) -> Result<Vec<Summary>> {
    let plan: Plan = crate::source::read_toml(
        path,
        "ingest plan",
        "Expected [[bron]] tables with bestand and dataset (docs/ingest.md)",
    )?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut summaries = Vec::new();
    for entry in &plan.bron {
        let key_file = plan.sleutelbestand.as_ref().map(|k| base.join(k));
        let mut a = entry.request(args, base, key_file, path)?;
        let mut opts = a.options(&entry.dataset)?;
        entry.override_mapping(&mut opts.mapping);
        summaries.extend(super::run(warehouse, &std::mem::take(&mut a.files), &opts)?);
    }
    Ok(summaries)
}

impl PlanEntry {
    /// This entry as a command line: its own file, dataset and settings, the others of `args`.
    /// Paths in the plan (`base` is its folder) are relative to it.
    fn request(
        &self,
        args: &Request,
        base: &Path,
        key_file: Option<PathBuf>,
        plan_path: &Path,
    ) -> Result<Request> {
        Ok(Request {
            files: vec![base.join(&self.bestand)],
            dataset: Some(self.dataset.clone()),
            plan: None,
            mode: self.mode(args, plan_path)?,
            mapping: self
                .mapping
                .as_ref()
                .map(|m| base.join(m))
                .or_else(|| args.mapping.clone()),
            gemeente: self.gemeente.clone().or_else(|| args.gemeente.clone()),
            sheet: self.blad.clone().or_else(|| args.sheet.clone()),
            encoding: args.encoding.clone(),
            delimiter: args.delimiter.clone(),
            decimal_comma: args.decimal_comma,
            decimal_point: args.decimal_point,
            date_order: args.date_order.clone(),
            key_file: key_file.or_else(|| args.key_file.clone()),
            dry_run: args.dry_run,
            new_dataset: args.new_dataset || self.nieuw,
            force: args.force,
            wait: args.wait,
            max_rejects: args.max_rejects,
        })
    }

    /// The entry's `modus`, else the one of the command line.
    fn mode(&self, args: &Request, plan_path: &Path) -> Result<Option<Mode>> {
        let Some(m) = self.modus.as_deref() else {
            return Ok(args.mode);
        };
        let mode = <Mode as clap::ValueEnum>::from_str(m, true).map_err(|_| {
            anyhow::anyhow!(
                "{}: modus '{m}' must be upsert, append or replace",
                plan_path.display()
            )
        })?;
        Ok(Some(mode))
    }

    /// The entry's purpose and retention win over those of its mapping file.
    fn override_mapping(&self, m: &mut Mapping) {
        m.doel = self.doel.clone().or(m.doel.take());
        m.bewaartermijn = self.bewaartermijn.clone().or(m.bewaartermijn.take());
        m.bewaartermijn_vanaf = self
            .bewaartermijn_vanaf
            .clone()
            .or(m.bewaartermijn_vanaf.take());
    }
}

impl Request {
    /// The exports of a plan file, with every other setting at its default.
    pub fn plan(path: &Path) -> Request {
        Request {
            files: Vec::new(),
            dataset: None,
            plan: Some(path.to_path_buf()),
            mode: None,
            mapping: None,
            gemeente: None,
            sheet: None,
            encoding: None,
            delimiter: None,
            decimal_comma: false,
            decimal_point: false,
            date_order: None,
            key_file: None,
            dry_run: false,
            new_dataset: false,
            force: false,
            wait: 30,
            max_rejects: 50.0,
        }
    }
}
