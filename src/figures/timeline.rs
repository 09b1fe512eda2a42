//! A timeline of any dataset with a start, an end and a status (projects by default): one row
//! per item, by start, with its state on the as-of date ("afgerond", "gepland", "over de
//! einddatum", "lopend"), for a Gantt chart.

use crate::context::Context;
use crate::lang::Lang;
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
    let mut df = items(ctx, o)?;
    let state = states(&df, ctx)?;
    df.with_column(Column::new("state".into(), state))?;
    let day = crate::lang::date_text(ctx.as_of, ctx.lang);
    let note = match ctx.lang {
        Lang::Nl => format!(
            "Stand op {day}: afgerond volgens de status, gepland (start later), over de \
             einddatum (niet afgerond en de einddatum voorbij) of lopend."
        ),
        Lang::En => format!(
            "State on {day}: done by its status, planned (starts later), past its end date \
             (not done, end date passed) or running."
        ),
    };
    Ok(Table::plain(df, note, LABELS))
}

/// The items with the columns of the options, by start: id, name, start, end, status.
fn items(ctx: &Context, o: &Options) -> Result<DataFrame> {
    let mut lf = ctx.open()?.scan(&o.dataset)?;
    let schema = lf.collect_schema().map_err(anyhow::Error::from)?;
    for c in [&o.id, &o.name, &o.start, &o.end] {
        if schema.get(c).is_none() {
            bail!("timeline: the dataset {} has no column '{c}'", o.dataset);
        }
    }
    let status = if schema.get(&o.status).is_some() {
        col(o.status.as_str()).cast(DataType::String)
    } else {
        lit(NULL).cast(DataType::String)
    };
    let text = |c: &String| col(c.as_str()).cast(DataType::String);
    let date = |c: &String| col(c.as_str()).cast(DataType::Date);
    Ok(lf
        .select([
            text(&o.id).alias("id"),
            text(&o.name).alias("name"),
            date(&o.start).alias("start"),
            date(&o.end).alias("end"),
            status.alias("status"),
        ])
        .sort(["start", "id"], SortMultipleOptions::default())
        .collect()?)
}

/// Each item's state on the as-of date: done by its status, planned, past its end date, or
/// running.
fn states(df: &DataFrame, ctx: &Context) -> Result<Vec<&'static str>> {
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
    let statuses = df.column("status")?.str()?;
    let as_of = ctx.as_of;
    Ok((0..df.height())
        .map(|i| {
            let done = statuses.get(i).is_some_and(status_done);
            let future = starts[i].is_some_and(|s| s > as_of);
            let overdue = ends[i].is_some_and(|e| e < as_of);
            let (nl, en) = match (done, future, overdue) {
                (true, _, _) => ("afgerond", "done"),
                (_, true, _) => ("gepland", "planned"),
                (_, _, true) => ("over de einddatum", "past its end date"),
                _ => ("lopend", "running"),
            };
            ctx.lang.pick(nl, en)
        })
        .collect())
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
