//! `datastroom report`: a report from a TOML spec (docs/report.md). Glue only.

use crate::cli::Global;
use anyhow::Result;
use std::path::PathBuf;

/// A report ("rapportage") from a spec: title, audience, period and sections, each computed
/// as its subcommand would; one Markdown file plus a CSV per table (Dutch Excel), written
/// atomically. The period is the last complete week, month, quarter or year up to --as-of.
///
/// Example: datastroom report examples/wachtlijst-week.toml --as-of 2024-07-01 --out-dir rapporten
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The report spec (TOML).
    pub spec: PathBuf,

    /// The folder to write the report into.
    #[arg(long, default_value = "rapporten")]
    pub out_dir: PathBuf,
}

pub fn run(args: &Args, global: &Global) -> Result<u8> {
    let written = crate::report::run(&args.spec, &args.out_dir, global)?;
    if !global.quiet {
        for p in &written {
            eprintln!("datastroom: geschreven: {}", p.display());
        }
    }
    Ok(super::EXIT_OK)
}
