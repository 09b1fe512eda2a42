//! `datastroom report`: a report from a TOML spec (docs/report.md). Glue only.

use crate::context::Context;
use anyhow::Result;
use std::path::PathBuf;

/// A report from a TOML spec: Markdown, HTML with charts, CSVs, a workbook; for cron.
///
/// A report ("rapportage") from a spec: title, audience (management, or raad: the council,
/// with small numbers hidden), period and sections, each computed as its subcommand would.
/// Writes into --out-dir: a Markdown file; the same as one self-contained HTML file with its
/// charts (peaks, waiting times, flows, spend, timelines; opens in any browser, also offline
/// and when mailed); a CSV per table as the report shows it (Dutch Excel: ';', decimal comma,
/// the report's headers); and with xlsx = true one workbook with a sheet per table. All are
/// renamed into place only when every one is written. The period is the last complete week,
/// month, quarter or year up to --as-of (the peildatum). See docs/report.md.
///
/// Example: datastroom report examples/weekly.toml --as-of 2024-07-01 --out-dir rapporten
#[derive(Debug, clap::Args)]
// Verbatim: the examples keep their lines.
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The report spec (TOML).
    pub spec: PathBuf,

    /// The folder to write the report into.
    #[arg(long, default_value = "rapporten")]
    pub out_dir: PathBuf,
}

pub fn run(args: &Args, ctx: &Context) -> Result<u8> {
    let written = crate::report::run(&args.spec, &args.out_dir, ctx)?;
    for p in &written {
        crate::messages::info(match ctx.lang {
            crate::lang::Lang::Nl => format!("geschreven: {}", p.display()),
            crate::lang::Lang::En => format!("written: {}", p.display()),
        });
    }
    Ok(super::EXIT_OK)
}
