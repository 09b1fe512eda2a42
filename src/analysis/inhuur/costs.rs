//! Money over time: the overview on as-of (hires and spend) and the costs per department with
//! a year-end forecast against the budget.

use super::{Book, Checks, Contract, euros, window_start};
use crate::lang::Lang;
use anyhow::{Context, Result};
use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use std::collections::BTreeMap;

/// The state of things on as-of, as one row: hires active now, starting and ending within the
/// horizon, the monthly run rate (invoices of the last 3 months / 3), spend this year to date
/// and last year.
pub fn overview(book: &Book, s: &Checks) -> Result<DataFrame> {
    let horizon = s.as_of + chrono::Duration::days(s.horizon_days);
    let active = |c: &&Contract| c.start <= s.as_of && c.end.is_none_or(|e| e >= s.as_of);
    let n_active = book.contracts.iter().filter(active).count() as i64;
    let starting = book
        .contracts
        .iter()
        .filter(|c| c.start > s.as_of && c.start <= horizon)
        .count() as i64;
    let ending = book
        .contracts
        .iter()
        .filter(active)
        .filter(|c| c.end.is_some_and(|e| e <= horizon))
        .count() as i64;
    let spend = |from: NaiveDate, to: NaiveDate| spend_between(book, from, to);
    let year_start = NaiveDate::from_ymd_opt(s.as_of.year(), 1, 1).context("as-of year")?;
    let last_year = (
        NaiveDate::from_ymd_opt(s.as_of.year() - 1, 1, 1).context("as-of year")?,
        NaiveDate::from_ymd_opt(s.as_of.year() - 1, 12, 31).context("as-of year")?,
    );
    let run_rate = spend(window_start(s.as_of, 3), s.as_of) as f64 / 3.0;
    Ok(DataFrame::new_infer_height(vec![
        Column::new("active".into(), [n_active]),
        Column::new("starting".into(), [starting]),
        Column::new("ending".into(), [ending]),
        Column::new("run_rate_month".into(), [(run_rate).round() / 100.0]),
        Column::new("spend_ytd".into(), [euros(spend(year_start, s.as_of))]),
        Column::new(
            "spend_last_year".into(),
            [euros(spend(last_year.0, last_year.1))],
        ),
    ])?)
}

/// The invoiced amount (cents) dated from `from` to `to`, both included.
fn spend_between(book: &Book, from: NaiveDate, to: NaiveDate) -> i64 {
    book.invoices
        .iter()
        .filter(|i| i.date >= from && i.date <= to)
        .map(|i| i.amount)
        .sum()
}

/// A budget line: department, year, budget in cents.
pub type Budget = (String, i32, i64);

/// Per department (the invoice's cost centre, else its contract's department): spend per month
/// of the as-of year up to as-of, year to date, a straight-line year-end forecast (year to date
/// / months elapsed x 12, months elapsed counted to the day), and with budgets the budget and
/// the forecast minus the budget.
pub fn costs(book: &Book, s: &Checks, budget: Option<&[Budget]>) -> Result<DataFrame> {
    let (year, months) = (s.as_of.year(), s.as_of.month());
    let elapsed = months_elapsed(s.as_of)?;
    let by_dept = spend_by_department(book, s, budget);
    let names: Vec<&str> = by_dept.keys().map(String::as_str).collect();
    let mut cols = vec![Column::new("afdeling".into(), names.clone())];
    for m in 0..months as usize {
        cols.push(Column::new(
            format!("{year}-{:02}", m + 1).into(),
            by_dept.values().map(|v| euros(v[m])).collect::<Vec<_>>(),
        ));
    }
    let ytd: Vec<i64> = by_dept.values().map(|v| v.iter().sum()).collect();
    let forecast: Vec<i64> = ytd
        .iter()
        .map(|y| (*y as f64 * 12.0 / elapsed).round() as i64)
        .collect();
    cols.push(euro_column("ytd", &ytd));
    cols.push(euro_column("forecast", &forecast));
    if let Some(b) = budget {
        cols.extend(budget_columns(b, year, &names, &forecast));
    }
    Ok(DataFrame::new_infer_height(cols)?)
}

/// The months of its year elapsed on a date, counted to the day (15 March: 2 + 15/31).
fn months_elapsed(as_of: NaiveDate) -> Result<f64> {
    let (year, month) = (as_of.year(), as_of.month());
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .context("as-of month")?;
    let days_in_month = next.pred_opt().context("as-of month")?.day();
    Ok(f64::from(month - 1) + f64::from(as_of.day()) / f64::from(days_in_month))
}

/// Spend (cents) per department per month of the as-of year up to as-of; departments with a
/// budget for that year but no spend get a row of zeros.
fn spend_by_department(
    book: &Book,
    s: &Checks,
    budget: Option<&[Budget]>,
) -> BTreeMap<String, Vec<i64>> {
    let (year, months) = (s.as_of.year(), s.as_of.month() as usize);
    let unknown = match s.lang {
        Lang::Nl => "(onbekend)",
        Lang::En => "(unknown)",
    };
    let mut by_dept: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for i in &book.invoices {
        if i.date.year() != year || i.date > s.as_of {
            continue;
        }
        let dept = i
            .department
            .clone()
            .or_else(|| book.contract_of(i).and_then(|c| c.department.clone()))
            .unwrap_or_else(|| unknown.to_string());
        let row = by_dept.entry(dept).or_insert_with(|| vec![0; months]);
        row[i.date.month0() as usize] += i.amount;
    }
    for (dept, y, _) in budget.unwrap_or_default() {
        let known = by_dept.keys().any(|k| k.eq_ignore_ascii_case(dept));
        if *y == year && !known {
            by_dept
                .entry(dept.clone())
                .or_insert_with(|| vec![0; months]);
        }
    }
    by_dept
}

/// A column of amounts in cents as euros.
fn euro_column(name: &str, cents: &[i64]) -> Column {
    Column::new(
        name.into(),
        cents.iter().map(|c| euros(*c)).collect::<Vec<_>>(),
    )
}

/// The budget of each department for the year (empty without one), and the forecast minus it.
fn budget_columns(b: &[Budget], year: i32, names: &[&str], forecast: &[i64]) -> [Column; 2] {
    let find = |d: &str| {
        b.iter()
            .find(|(bd, y, _)| bd == d && *y == year)
            .map(|x| x.2)
    };
    let budgets: Vec<Option<i64>> = names.iter().map(|d| find(d)).collect();
    [
        Column::new(
            "budget".into(),
            budgets.iter().map(|b| b.map(euros)).collect::<Vec<_>>(),
        ),
        Column::new(
            "forecast_minus_budget".into(),
            budgets
                .iter()
                .zip(forecast)
                .map(|(b, f)| b.map(|b| euros(f - b)))
                .collect::<Vec<_>>(),
        ),
    ]
}
