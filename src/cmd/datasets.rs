//! `datastroom datasets`: what is in the warehouse.

use crate::context::Context;
use crate::schema::{self, Privacy};
use crate::warehouse::{DatasetEntry, IngestEntry, Warehouse};
use anyhow::Result;
use clap::Subcommand;
use polars::prelude::*;

/// List the datasets in the warehouse: rows, columns, last ingest, sources, rejects.
///
/// Example: datastroom datasets show meldingen
#[derive(Debug, clap::Args)]
// Verbatim: the examples keep their lines.
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
}

#[derive(Debug, Subcommand)]
pub enum Action {
    /// The columns of a dataset (type, privacy) and, in a table, its lineage.
    Show { name: String },
    /// Every ingest of a dataset: source file, SHA-256, rows read, accepted and rejected.
    Lineage { name: String },
    /// The rows an ingest rejected, with file, line, column, value and reason.
    Rejects { name: String },
    /// For the privacy officer (FG) and the auditor, per dataset: the purpose, the source
    /// files, which personal columns were dropped, pseudonymised (with the key's fingerprint)
    /// or masked in their values and how many, the retention period and what it removed, and
    /// how often personal data was shown. Example: datastroom datasets privacy --format
    /// markdown --output verwerkingen.md
    Privacy { name: Option<String> },
    /// The versions of a dataset's Delta table, newest first: when, which operation, and the
    /// ingest that made it. Every version can be read back with --snapshot until `datasets
    /// vacuum` removes its files.
    History { name: String },
    /// Remove the files of versions older than --keep (of one dataset, or all): those
    /// versions can no longer be read, the current one is untouched. Example:
    /// datastroom datasets vacuum --keep 90d --dry-run
    Vacuum {
        name: Option<String>,
        /// How long replaced files are kept: days (90d), weeks (12w) or hours (36h).
        #[arg(long, value_parser = parse_keep)]
        keep: chrono::Duration,
        /// Only list what would be removed.
        #[arg(long)]
        dry_run: bool,
        /// Seconds to wait while an ingest holds the warehouse.
        #[arg(long, default_value_t = 60)]
        wait: u64,
    },
}

/// `90d`, `12w`, `36h` (also `90 dagen`, `12 weken`, `36 uur`) as a duration.
fn parse_keep(text: &str) -> Result<chrono::Duration, String> {
    let t = text.trim().to_lowercase();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: i64 = n
        .parse()
        .map_err(|_| format!("'{text}': give a number with d, w or h, e.g. 90d"))?;
    let keep = match unit.trim() {
        "d" | "dag" | "dagen" | "days" => chrono::Duration::try_days(n),
        "w" | "week" | "weken" | "weeks" => chrono::Duration::try_weeks(n),
        "h" | "u" | "uur" | "hours" => chrono::Duration::try_hours(n),
        _ => {
            return Err(format!(
                "'{text}': the unit is d (days), w (weeks) or h (hours), e.g. 90d"
            ));
        }
    };
    keep.ok_or_else(|| format!("'{text}' is too long a time"))
}

pub fn run(args: &Args, ctx: &Context, out: &super::Out) -> Result<u8> {
    let wh = ctx.open()?;
    let mut out = super::output(ctx, out)?;
    out.labels = crate::render::WAREHOUSE_LABELS;
    match &args.action {
        None => out.write(&list(&wh)?, None)?,
        Some(Action::Show { name }) => {
            let entry = wh.dataset(name)?;
            out.write(&columns(entry)?, None)?;
            if matches!(
                out.format,
                crate::render::Format::Table | crate::render::Format::Markdown
            ) {
                out.write(&lineage(entry)?, None)?;
            }
        }
        Some(Action::Lineage { name }) => out.write(&lineage(wh.dataset(name)?)?, None)?,
        Some(Action::Rejects { name }) => {
            let df = wh.scan_rejects(name)?.collect()?;
            out.write(&df, None)?;
        }
        Some(Action::Privacy { name }) => {
            if let Some(n) = name {
                wh.dataset(n)?;
            }
            out.write(&privacy(&wh, name.as_deref())?, None)?;
        }
        Some(Action::History { name }) => {
            wh.dataset(name)?;
            out.write(&history(&wh, name)?, None)?;
        }
        Some(Action::Vacuum {
            name,
            keep,
            dry_run,
            wait,
        }) => {
            drop(wh);
            ctx.refuse_snapshot("vacuum")?;
            let guard = crate::warehouse::WriteGuard::acquire(
                &ctx.warehouse,
                std::time::Duration::from_secs(*wait),
            )?;
            let names: Vec<String> = match name {
                Some(n) => vec![n.clone()],
                None => guard.catalog.datasets.keys().cloned().collect(),
            };
            let mut files = Vec::new();
            for n in &names {
                if !guard.catalog.datasets.contains_key(n) {
                    anyhow::bail!(
                        "no dataset '{n}' in {}",
                        crate::warehouse::remote::display(&ctx.warehouse)
                    );
                }
                files.extend(crate::warehouse::delta::vacuum(
                    &guard.dir, n, *keep, *dry_run,
                )?);
            }
            out.write(&df!("file" => files)?, None)?;
        }
    }
    Ok(super::EXIT_OK)
}

fn list(wh: &Warehouse) -> Result<DataFrame> {
    let d = &wh.catalog.datasets;
    let names: Vec<&str> = d.keys().map(String::as_str).collect();
    let describe = |n: &str| {
        schema::dataset(n).map_or("eigen dataset (kolommen overgenomen)", |s| s.description)
    };
    Ok(DataFrame::new_infer_height(vec![
        Column::new("dataset".into(), names.clone()),
        Column::new(
            "description".into(),
            names.iter().map(|n| describe(n)).collect::<Vec<_>>(),
        ),
        Column::new(
            "rows".into(),
            d.values().map(|e| e.rows).collect::<Vec<_>>(),
        ),
        Column::new(
            "columns".into(),
            d.values()
                .map(|e| e.columns.len() as u64)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "last_ingest".into(),
            d.values()
                .map(|e| e.ingests.last().map(|i| i.time.clone()).unwrap_or_default())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "sources".into(),
            d.values()
                .map(|e| e.ingests.len() as u64)
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "rejected".into(),
            d.values().map(|e| e.rejected_rows).collect::<Vec<_>>(),
        ),
    ])?)
}

fn columns(e: &DatasetEntry) -> Result<DataFrame> {
    let privacy = |p: Privacy| match p {
        Privacy::None => "",
        Privacy::Pseudonymised => "gepseudonimiseerd (HMAC-SHA256)",
        Privacy::Employee => "persoonsgegeven medewerker: niet in raadsrapportages",
    };
    let key = |n: &str| e.key.as_deref() == Some(n);
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            "column".into(),
            e.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "type".into(),
            e.columns
                .iter()
                .map(|c| {
                    format!(
                        "{}{}",
                        c.kind.name(),
                        if key(&c.name) { " (sleutel)" } else { "" }
                    )
                })
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "privacy".into(),
            e.columns
                .iter()
                .map(|c| privacy(c.privacy))
                .collect::<Vec<_>>(),
        ),
    ])?)
}

fn lineage(e: &DatasetEntry) -> Result<DataFrame> {
    let i = &e.ingests;
    let u = |f: fn(&crate::warehouse::IngestEntry) -> u64| i.iter().map(f).collect::<Vec<u64>>();
    Ok(DataFrame::new_infer_height(vec![
        Column::new("ingest_id".into(), u(|x| x.id)),
        Column::new(
            "time".into(),
            i.iter().map(|x| x.time.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "source".into(),
            i.iter().map(|x| x.source.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "sha256".into(),
            i.iter()
                .map(|x| x.sha256[..16].to_string())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "mode".into(),
            i.iter().map(|x| x.mode.clone()).collect::<Vec<_>>(),
        ),
        Column::new("read".into(), u(|x| x.rows_read)),
        Column::new("accepted".into(), u(|x| x.rows_accepted)),
        Column::new("rejected".into(), u(|x| x.rows_rejected)),
        Column::new("new".into(), u(|x| x.rows_new)),
        Column::new("replaced".into(), u(|x| x.rows_replaced)),
    ])?)
}

fn history(wh: &Warehouse, name: &str) -> Result<DataFrame> {
    let versions = crate::warehouse::delta::history(&wh.dir, name)?;
    let time = |ms: Option<i64>| {
        ms.and_then(chrono::DateTime::from_timestamp_millis)
            .map(|t| {
                t.with_timezone(&chrono::Local)
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string()
            })
            .unwrap_or_default()
    };
    let ingest = |f: fn(&IngestEntry) -> String| {
        versions
            .iter()
            .map(|v| v.ingest.as_ref().map(f).unwrap_or_default())
            .collect::<Vec<_>>()
    };
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            "version".into(),
            versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        ),
        Column::new(
            "time".into(),
            versions
                .iter()
                .map(|v| time(v.timestamp))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "operation".into(),
            versions
                .iter()
                .map(|v| v.operation.as_str())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "ingest_id".into(),
            versions
                .iter()
                .map(|v| v.ingest.as_ref().map(|i| i.id))
                .collect::<Vec<_>>(),
        ),
        Column::new("source".into(), ingest(|i| i.source.clone())),
        Column::new("mode".into(), ingest(|i| i.mode.clone())),
        Column::new(
            "accepted".into(),
            versions
                .iter()
                .map(|v| v.ingest.as_ref().map(|i| i.rows_accepted))
                .collect::<Vec<_>>(),
        ),
    ])?)
}

/// The record of processing (AVG art. 30) as the warehouse knows it: a row per fact.
fn privacy(wh: &Warehouse, only: Option<&str>) -> Result<DataFrame> {
    let mut rows: Vec<(String, &str, String)> = Vec::new();
    let shown = audit_lines(&wh.dir);
    let fingerprint = wh.catalog.key_fingerprint.as_deref().unwrap_or("-");
    for (name, e) in &wh.catalog.datasets {
        if only.is_some_and(|o| o != name) {
            continue;
        }
        for (what, value) in dataset_facts(e, fingerprint) {
            rows.push((name.clone(), what, value));
        }
    }
    rows.push((
        "(warehouse)".into(),
        "persoonsgegevens getoond (--show-personal)",
        shown_summary(&shown),
    ));
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            "dataset".into(),
            rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
        ),
        Column::new("item".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
        Column::new(
            "value".into(),
            rows.iter().map(|r| r.2.clone()).collect::<Vec<_>>(),
        ),
    ])?)
}

/// What the record of processing says about one dataset, item by item, in the order shown.
fn dataset_facts(e: &DatasetEntry, fingerprint: &str) -> Vec<(&'static str, String)> {
    let mut facts = vec![("doel", purpose(e))];
    facts.extend(e.ingests.iter().map(|i| ("bron", source_line(i))));
    facts.extend([
        ("kolommen niet opgeslagen (persoonsgegevens)", dropped(e)),
        (
            "gepseudonimiseerd (HMAC-SHA256)",
            pseudonymised(e, fingerprint),
        ),
        (
            "namen van medewerkers (niet voor de raad)",
            join_or(columns_with(e, Privacy::Employee).into_iter(), "geen"),
        ),
        ("gemaskeerd in waarden", masked(e)),
        ("bewaartermijn", retention(e)),
        ("verwijderd na de bewaartermijn", removed(e)),
        (
            "afgekeurde rijen (bewaard zonder persoonsgegevens)",
            e.rejected_rows.to_string(),
        ),
    ]);
    facts
}

/// The purpose of processing, or what to do when none was recorded.
fn purpose(e: &DatasetEntry) -> String {
    e.doel.clone().unwrap_or_else(|| {
        "niet vastgelegd: zet doel = \"...\" in het inleesplan of de mapping".into()
    })
}

/// One source file: when it was read, its hash and how many rows it had and rejected.
fn source_line(i: &IngestEntry) -> String {
    format!(
        "{} ingelezen {} (sha256 {}, {} rijen gelezen, {} afgekeurd)",
        i.source,
        i.time,
        &i.sha256[..16.min(i.sha256.len())],
        i.rows_read,
        i.rows_rejected
    )
}

/// The personal columns that any ingest dropped, sorted, once each.
fn dropped(e: &DatasetEntry) -> String {
    let mut dropped: Vec<&String> = e.ingests.iter().flat_map(|i| &i.dropped_columns).collect();
    dropped.sort();
    dropped.dedup();
    join_or(dropped.iter().map(|s| s.as_str()), "geen")
}

/// The names of the dataset's columns with this privacy class, in column order.
fn columns_with(e: &DatasetEntry, privacy: Privacy) -> Vec<&str> {
    e.columns
        .iter()
        .filter(|c| c.privacy == privacy)
        .map(|c| c.name.as_str())
        .collect()
}

/// The pseudonymised columns and the fingerprint of the key that made them.
fn pseudonymised(e: &DatasetEntry, fingerprint: &str) -> String {
    let pseudo = columns_with(e, Privacy::Pseudonymised);
    if pseudo.is_empty() {
        "geen".into()
    } else {
        format!("{} (sleutel-vingerafdruk {fingerprint})", pseudo.join(", "))
    }
}

/// Per column, what was masked inside its values, summed over the ingests.
fn masked(e: &DatasetEntry) -> String {
    let mut masked: std::collections::BTreeMap<&str, schema::personal::Masked> = Default::default();
    for i in &e.ingests {
        for (c, m) in &i.masked {
            let t = masked.entry(c.as_str()).or_default();
            t.bsn += m.bsn;
            t.telefoon += m.telefoon;
            t.email += m.email;
            t.iban += m.iban;
        }
    }
    join_or(
        masked
            .iter()
            .map(|(c, m)| format!("{c}: {}", m.describe()))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
        "niets",
    )
}

/// The retention period and its start, or what to do when none was recorded.
fn retention(e: &DatasetEntry) -> String {
    match &e.bewaartermijn {
        Some(r) => format!("{} vanaf {}", r.termijn, r.vanaf),
        None => "niet vastgelegd: zet bewaartermijn = \"7 jaar\" in het inleesplan of \
                 de mapping"
            .into(),
    }
}

/// What the retention period removed, per ingest that removed anything.
fn removed(e: &DatasetEntry) -> String {
    let removed: Vec<String> = e
        .ingests
        .iter()
        .filter_map(|i| {
            let r = i.retention.as_ref()?;
            (r.rijen_verwijderd + r.afgekeurde_rijen_verwijderd > 0).then(|| {
                format!(
                    "{}: {} rijen en {} afgekeurde rijen van voor {}",
                    &i.time[..10.min(i.time.len())],
                    r.rijen_verwijderd,
                    r.afgekeurde_rijen_verwijderd,
                    r.grens
                )
            })
        })
        .collect();
    join_or(removed.iter().map(String::as_str), "niets")
}

/// How often personal data was shown, and when last, from the audit log's lines.
fn shown_summary(shown: &[String]) -> String {
    match shown {
        [] => "nooit".into(),
        lines => format!(
            "{}x, laatst {} (zie {})",
            lines.len(),
            lines.last().map_or("", String::as_str),
            crate::warehouse::AUDIT_FILE
        ),
    }
}

/// The items joined with "; ", or `none` when there are none.
fn join_or<'a>(items: impl Iterator<Item = &'a str>, none: &str) -> String {
    let all: Vec<&str> = items.collect();
    if all.is_empty() {
        none.to_string()
    } else {
        all.join("; ")
    }
}

/// "tijd door gebruiker" of every line of the audit log.
fn audit_lines(dir: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join(crate::warehouse::AUDIT_FILE)).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| {
            format!(
                "{} door {}",
                v["tijd"].as_str().unwrap_or("?"),
                v["gebruiker"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parse_keep;

    #[test]
    fn keep_periods_and_their_limits() {
        assert_eq!(parse_keep("90d").unwrap(), chrono::Duration::days(90));
        assert_eq!(parse_keep("12 weken").unwrap(), chrono::Duration::weeks(12));
        assert_eq!(parse_keep("36u").unwrap(), chrono::Duration::hours(36));
        assert!(parse_keep("90").unwrap_err().contains("unit"));
        assert!(
            parse_keep("999999999999999d")
                .unwrap_err()
                .contains("too long")
        );
    }
}
