//! The command line: global options shared by every subcommand, and the subcommands.

use crate::cmd;
use crate::lang::Lang;
use crate::render::Format;
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// datastroom: van ruwe exports naar betrouwbare stuurinformatie.
///
/// Reads exports of municipal systems (Fixi meldingen, Wmo/Jeugd cases, inhuur contracts and
/// invoices, ID documents, projects) into a warehouse of Delta Lake tables, and answers questions
/// about them. Start with `datastroom ingest`, then `datastroom datasets` and `datastroom sql`.
#[derive(Debug, Parser)]
#[command(name = "datastroom", version, max_term_width = 100, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Under `datastroom --help`: what a script and an operator need besides the options.
const AFTER_HELP: &str = "\
Exit codes:
  0  done
  1  error: the message names the file, row and column, and what to do
  2  wrong usage: an unknown or wrong option, an --output name that does not fit its format, or
     a report spec with a key, value or section type it does not know
  3  done, but rows were rejected: see them with `datastroom datasets rejects NAME`

Environment variables:
  DATASTROOM_WAREHOUSE  the warehouse folder or object-storage address (as --warehouse;
                        default ./warehouse)
  DATASTROOM_KEY        the key for pseudonyms (as --key-file); the same key for one warehouse,
                        kept outside it

Documentation: README.md and the docs/ folder that come with datastroom (docs/ingest.md,
docs/report.md, docs/security.md, ...). `datastroom man` writes this help as a manual page,
`datastroom completions SHELL` the tab completion for bash, zsh, fish or PowerShell.";

#[derive(Debug, Clone, clap::Args)]
pub struct Global {
    /// Warehouse folder, or its address in object storage: s3://bucket/path,
    /// az://container/path or abfss://... (credentials from the AWS_* or AZURE_* variables).
    /// A Delta Lake table per dataset (docs/warehouse.md, docs/platform.md).
    #[arg(
        long,
        global = true,
        env = "DATASTROOM_WAREHOUSE",
        default_value = "warehouse"
    )]
    pub warehouse: PathBuf,

    /// Output format. Default: a table on a terminal, CSV when piped or redirected.
    /// csv-excel is what Dutch Excel opens correctly (';', decimal comma, UTF-8 with BOM).
    #[arg(long, global = true, value_enum)]
    pub format: Option<Format>,

    /// Write the output to this file instead of the terminal (written atomically).
    #[arg(long, short = 'o', global = true)]
    pub output: Option<PathBuf>,

    /// Reference date ("peildatum") for analyses, e.g. 2024-03-31 or 31-3-2024. Default: today.
    #[arg(long, global = true, value_parser = crate::dates::parse_date)]
    pub as_of: Option<NaiveDate>,

    /// Print no progress or diagnostics on stderr (errors still are).
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,

    /// Read the warehouse as it was ("time travel"): a date or date-time (2026-11-30,
    /// 30-11-2026 or 2026-11-30T08:00; a date means the end of that day) reads every dataset as
    /// its last ingest before then left it; `meldingen=12,zaken_sociaal=4` reads those
    /// datasets at those table versions (a report lists the versions it read, `datasets
    /// history` all of them). Only for commands that read.
    #[arg(long, global = true, value_name = "DATE|DATASET=VERSION,...", value_parser = parse_snapshot)]
    pub snapshot: Option<crate::context::Snapshot>,

    /// Language of labels in tables and reports: nl (Dutch, default) or en.
    #[arg(long, global = true, value_enum, default_value = "nl")]
    pub lang: Lang,
}

impl Global {
    /// What the analyses need to know of the run (the as-of date resolved once).
    pub fn context(&self) -> crate::context::Context {
        let mut ctx = crate::context::Context::new(self.warehouse.clone(), self.as_of, self.lang);
        ctx.snapshot = self.snapshot.clone();
        ctx
    }

    /// Where the output goes.
    pub fn out(&self) -> cmd::Out {
        cmd::Out {
            format: self.format,
            path: self.output.clone(),
        }
    }
}

/// `--snapshot`: `meldingen=12,zaken_sociaal=4`, or a date (end of that day) or date-time.
fn parse_snapshot(text: &str) -> Result<crate::context::Snapshot, String> {
    use crate::context::Snapshot;
    if text.contains('=') {
        let mut versions = std::collections::BTreeMap::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, v) = part
                .split_once('=')
                .ok_or_else(|| format!("'{part}': give DATASET=VERSION, e.g. meldingen=12"))?;
            let v: u64 = v.trim().parse().map_err(|_| {
                format!("'{part}': the version is a whole number (datastroom datasets history)")
            })?;
            versions.insert(name.trim().to_string(), v);
        }
        return Ok(Snapshot::Versions(versions));
    }
    // With a time (2026-11-30T08:00, 2026-11-30 08:00, 30-11-2026 8:00): that moment, read as
    // the exports' date-times are.
    if text.contains(':') {
        return crate::dates::parse_datetime(text).map(Snapshot::At);
    }
    let day = crate::dates::parse_date(text)?;
    // The end of the day, to the millisecond the log's commit times have.
    Ok(Snapshot::At(
        day.and_hms_milli_opt(23, 59, 59, 999).unwrap_or_default(),
    ))
}

#[derive(Debug, Subcommand)]
pub enum Command {
    // The subcommands' help (a summary, then what they do and examples) is the doc comment of
    // their `Args` in src/cmd/.
    Ingest(Box<cmd::ingest::Args>),
    Datasets(cmd::datasets::Args),
    Sql(cmd::sql::Args),
    Waitlist(Box<cmd::waitlist::Args>),
    Inhuur(Box<cmd::inhuur::Args>),
    Peaks(Box<cmd::peaks::Args>),
    Export(cmd::export::Args),
    Report(cmd::report::Args),
    Dashboard(cmd::dashboard::Args),
    Warehouse(cmd::warehouse::Args),
    /// Tab completion for a shell, on standard output: bash, zsh, fish, powershell or elvish.
    /// Bash: `datastroom completions bash > ~/.local/share/bash-completion/completions/datastroom`;
    /// PowerShell: `datastroom completions powershell >> $PROFILE`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// The manual page (roff) on standard output: `datastroom man > datastroom.1`, then
    /// `man ./datastroom.1`.
    Man,
}

/// Writes the tab completion script for `shell` to standard output.
pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<u8> {
    use std::io::Write;
    let mut command = <Cli as clap::CommandFactory>::command();
    // Into memory first: clap_complete panics on a failed write (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "datastroom", &mut script);
    std::io::stdout().lock().write_all(&script)?;
    Ok(cmd::EXIT_OK)
}

/// Writes the manual page to standard output.
pub fn man() -> anyhow::Result<u8> {
    let command = <Cli as clap::CommandFactory>::command();
    clap_mangen::Man::new(command).render(&mut std::io::stdout().lock())?;
    Ok(cmd::EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Snapshot;

    fn at(y: i32, m: u32, d: u32, h: u32, mi: u32, ms: u32) -> Snapshot {
        let day = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        Snapshot::At(day.and_hms_milli_opt(h, mi, ms / 1000, ms % 1000).unwrap())
    }

    /// A date is the end of that day; a time in any of the ways people write it is kept.
    #[test]
    fn snapshot_dates_times_and_versions() {
        let end = at(2026, 11, 30, 23, 59, 59_999);
        assert_eq!(parse_snapshot("2026-11-30").unwrap(), end);
        assert_eq!(parse_snapshot("30-11-2026").unwrap(), end);
        let eight = at(2026, 11, 30, 8, 0, 0);
        for text in ["2026-11-30T08:00", "2026-11-30 08:00", "30-11-2026 8:00"] {
            assert_eq!(parse_snapshot(text).unwrap(), eight, "{text}");
        }
        let Snapshot::Versions(v) = parse_snapshot("meldingen=12, zaken_sociaal=4").unwrap() else {
            panic!("versions")
        };
        assert_eq!(
            v.into_iter().collect::<Vec<_>>(),
            [
                ("meldingen".to_string(), 12),
                ("zaken_sociaal".to_string(), 4)
            ]
        );
        assert!(parse_snapshot("meldingen=twaalf").is_err());
        assert!(parse_snapshot("30-11-2026 25:00").is_err());
    }
}
