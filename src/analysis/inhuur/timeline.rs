//! The timeline: one row per contract, for a Gantt chart.

use super::{Book, Checks, Contract};
use crate::lang::Lang;
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;

/// One row per contract for a Gantt chart: start, end, status on as-of.
pub fn timeline(book: &Book, s: &Checks) -> Result<DataFrame> {
    let horizon = s.as_of + chrono::Duration::days(s.horizon_days);
    let mut cs: Vec<&Contract> = book.contracts.iter().collect();
    cs.sort_by_key(|c| (c.start, c.id.clone()));
    let text = |name: &str, f: &dyn Fn(&Contract) -> Option<&str>| {
        Column::new(name.into(), cs.iter().map(|c| f(c)).collect::<Vec<_>>())
    };
    let date_col = |name: &str, v: Vec<Option<i32>>| -> Result<Column> {
        Ok(Column::new(name.into(), v).cast(&DataType::Date)?)
    };
    let days = |d: NaiveDate| crate::dates::day_number(d);
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            "contract_id".into(),
            cs.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "leverancier".into(),
            cs.iter()
                .map(|c| book.supplier_name(&c.supplier))
                .collect::<Vec<_>>(),
        ),
        text("functie", &|c| c.function.as_deref()),
        text("afdeling", &|c| c.department.as_deref()),
        date_col("start", cs.iter().map(|c| Some(days(c.start))).collect())?,
        date_col("end", cs.iter().map(|c| c.end.map(days)).collect())?,
        Column::new(
            "status".into(),
            cs.iter().map(|c| status(c, s, horizon)).collect::<Vec<_>>(),
        ),
    ])?)
}

/// A contract's status on as-of: future, ended, ending within the horizon, or active.
fn status(c: &Contract, s: &Checks, horizon: NaiveDate) -> &'static str {
    let (nl, en) = if c.start > s.as_of {
        ("toekomstig", "future")
    } else if c.end.is_some_and(|e| e < s.as_of) {
        ("beëindigd", "ended")
    } else if c.end.is_some_and(|e| e <= horizon) {
        ("loopt af", "ending soon")
    } else {
        ("lopend", "active")
    };
    match s.lang {
        Lang::Nl => nl,
        Lang::En => en,
    }
}
