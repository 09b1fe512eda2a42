//! A timeline of any dataset with a start, an end and a status (projects by default): one row
//! per item, by start, with its state on the as-of date ("afgerond", "gepland", "over de
//! einddatum", "lopend"), for a Gantt chart.

use crate::context::Context;
use crate::render::Table;
use anyhow::{Result, bail};
use chrono::NaiveDate;
use polars::prelude::*;
use serde::Deserialize;

/// A report section's keys: the dataset and which of its columns are the id, name, start, end
/// and status.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    pub dataset: String,
    pub id: String,
    pub name: String,
    pub start: String,
    pub end: String,
    pub status: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            dataset: "projecten".into(),
            id: "project_id".into(),
            name: "naam".into(),
            start: "startdatum".into(),
            end: "einddatum".into(),
            status: "status".into(),
        }
    }
}

const LABELS: crate::render::Labels = &[
    ("id", "nummer", "id"),
    ("name", "naam", "name"),
    ("start", "start", "start"),
    ("end", "einde", "end"),
    ("status", "status", "status"),
    ("state", "stand", "state"),
];

/// Words in a status that mean "done".
const DONE: [&str; 6] = [
    "afgerond",
    "gereed",
    "klaar",
    "opgeleverd",
    "closed",
    "done",
];

/// A status that says the item is done: one of the DONE words, and no "niet", "nog", "not" or
/// "bijna" ("Niet gereed", "nog niet afgerond" are not done).
fn status_done(status: &str) -> bool {
    let lower = status.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().any(|w| DONE.contains(w))
        && !words
            .iter()
            .any(|w| ["niet", "nog", "not", "bijna", "half"].contains(w))
}

/// One row per item, by start, with its state on the as-of date.
pub fn compute(ctx: &Context, o: &Options) -> Result<Table> {
    let Options {
        dataset,
        id,
        name,
        start,
        end,
        status,
    } = o;
    let as_of = ctx.as_of;
    let mut lf = ctx.open()?.scan(dataset)?;
    let schema = lf.collect_schema().map_err(anyhow::Error::from)?;
    for c in [id, name, start, end] {
        if schema.get(c).is_none() {
            bail!("timeline: the dataset {dataset} has no column '{c}'");
        }
    }
    let status_expr = if schema.get(status).is_some() {
        col(status.as_str()).cast(DataType::String)
    } else {
        lit(NULL).cast(DataType::String)
    };
    let df = lf
        .select([
            col(id.as_str()).cast(DataType::String).alias("id"),
            col(name.as_str()).cast(DataType::String).alias("name"),
            col(start.as_str()).cast(DataType::Date).alias("start"),
            col(end.as_str()).cast(DataType::Date).alias("end"),
            status_expr.alias("status"),
        ])
        .sort(["start", "id"], SortMultipleOptions::default())
        .collect()?;
    let nl = ctx.nl();
    let day = |c: &str| -> Result<Vec<Option<NaiveDate>>> {
        Ok(df
            .column(c)?
            .cast(&DataType::Int32)?
            .i32()?
            .iter()
            .map(|v| v.and_then(crate::dates::from_day_number))
            .collect())
    };
    let (starts, ends) = (day("start")?, day("end")?);
    let statuses: Vec<Option<String>> = df
        .column("status")?
        .str()?
        .iter()
        .map(|v| v.map(String::from))
        .collect();
    let state: Vec<&str> = (0..df.height())
        .map(|i| {
            let done = statuses[i].as_deref().is_some_and(status_done);
            let (future, overdue) = (
                starts[i].is_some_and(|s| s > as_of),
                ends[i].is_some_and(|e| e < as_of),
            );
            match (done, future, overdue, nl) {
                (true, _, _, true) => "afgerond",
                (true, _, _, false) => "done",
                (_, true, _, true) => "gepland",
                (_, true, _, false) => "planned",
                (_, _, true, true) => "over de einddatum",
                (_, _, true, false) => "past its end date",
                (_, _, _, true) => "lopend",
                (_, _, _, false) => "running",
            }
        })
        .collect();
    let mut df = df;
    df.with_column(Column::new("state".into(), state))?;
    Ok(Table::plain(
        df,
        if nl {
            format!(
                "Stand op {}: afgerond volgens de status, gepland (start later), over de \
                 einddatum (niet afgerond en de einddatum voorbij) of lopend.",
                as_of.format("%d-%m-%Y")
            )
        } else {
            format!(
                "State on {}: done by its status, planned (starts later), past its end date \
                 (not done, end date passed) or running.",
                as_of.format("%Y-%m-%d")
            )
        },
        LABELS,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn done_statuses() {
        for s in ["Afgerond", "gereed", "Opgeleverd (fase 2)", "Done"] {
            assert!(status_done(s), "{s}");
        }
        for s in [
            "Niet gereed",
            "nog niet afgerond",
            "Uitvoering",
            "Bijna klaar",
            "",
        ] {
            assert!(!status_done(s), "{s}");
        }
    }
}
