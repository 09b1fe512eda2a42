//! `datastroom dashboard`: a dashboard from a TOML spec (docs/dashboard.md). Glue only.

use crate::context::Context;
use anyhow::Result;
use std::path::PathBuf;

/// A dashboard from a TOML spec: one HTML file to filter and explore, offline.
///
/// A dashboard from a spec: filters (gemeente, wet, team, categorie, wijk, ...) and panels
/// (tiles, trends, Kaplan-Meier curves, weekly series with alarms, tables). For every
/// combination of filter values datastroom computes the figures as its subcommands would
/// (waitlist, peaks) and writes them, aggregates only, into one self-contained HTML file:
/// it opens in any browser without a server or internet, also from a file share or a mail.
/// Each panel has its table behind it and a download as CSV for Excel. Written atomically.
/// Not for the council (audience raad): views of different filters could be subtracted from
/// one another; use `datastroom report`. See docs/dashboard.md.
///
/// Example: datastroom dashboard examples/dashboard-wachtlijsten.toml --as-of 2024-07-01 --out-dir dashboards
#[derive(Debug, clap::Args)]
// Verbatim: the examples keep their lines.
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The dashboard spec (TOML).
    pub spec: PathBuf,

    /// The folder to write the dashboard into.
    #[arg(long, default_value = "dashboards")]
    pub out_dir: PathBuf,
}

pub fn run(args: &Args, ctx: &Context) -> Result<u8> {
    if crate::render::inside(&args.out_dir.join("x.html"), &ctx.warehouse) {
        anyhow::bail!(
            "--out-dir {} is inside the warehouse folder, where an ingest would take the file \
             for a leftover; write dashboards to a folder of their own",
            args.out_dir.display()
        );
    }
    let written = crate::dashboard::run(&args.spec, &args.out_dir, ctx)?;
    crate::messages::info(match ctx.lang {
        crate::lang::Lang::Nl => format!("geschreven: {}", written.display()),
        crate::lang::Lang::En => format!("written: {}", written.display()),
    });
    Ok(super::EXIT_OK)
}
