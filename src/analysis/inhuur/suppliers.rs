//! Spend per supplier and the EU threshold: what counts over 48 months (with an estimate for
//! open-ended contracts), the threshold findings, and the suppliers table.

use super::{
    Book, Checks, Contract, Finding, Rule, day, eur, euros, pct, pct_text, supplier_key,
    window_start,
};
use crate::lang::Lang;
use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// A supplier's spend against the EU threshold, as counted: invoices in the 48 months up to
/// as-of, without contracts won by a European tender, plus, for an open-ended contract, its
/// 48-month value (average monthly spend since its start x 48) where that is more.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SupplierSpend {
    pub key: String,
    pub contracts: usize,
    pub european_contracts: usize,
    /// Every invoice in the 48 months (also European-tendered contracts).
    pub spend_48m: i64,
    /// What counts against the threshold.
    pub counted: i64,
    /// The 48-month estimates of open-ended contracts that were added, with their contract.
    pub estimates: Vec<(String, i64, i64)>,
    pub by_year: BTreeMap<i32, i64>,
}

/// The spend per supplier key, filled in step by step.
type SpendMap = BTreeMap<String, SupplierSpend>;

pub fn supplier_spend(book: &Book, s: &Checks) -> Vec<SupplierSpend> {
    let from = window_start(s.as_of, 48);
    let mut map = SpendMap::new();
    count_contracts(&mut map, book);
    add_invoices(&mut map, book, s, from);
    for c in &book.contracts {
        if let Some((monthly, estimate, in_window)) = open_ended_estimate(book, c, s, from) {
            let e = map.entry(supplier_key(&c.supplier)).or_default();
            e.counted += estimate - in_window;
            e.estimates.push((c.id.clone(), monthly, estimate));
        }
    }
    map.into_iter()
        .map(|(key, mut v)| {
            v.key = key;
            v
        })
        .collect()
}

/// Counts the contracts of each supplier, and those won by a European tender.
fn count_contracts(map: &mut SpendMap, book: &Book) {
    for c in &book.contracts {
        let e = map.entry(supplier_key(&c.supplier)).or_default();
        e.contracts += 1;
        e.european_contracts += usize::from(c.european);
    }
}

/// Adds each invoice to its supplier's spend per year and, from `from` to as-of, to the
/// 48-month spend and (unless its contract was tendered in Europe) to what counts.
fn add_invoices(map: &mut SpendMap, book: &Book, s: &Checks, from: NaiveDate) {
    for i in &book.invoices {
        let key = book.invoice_supplier_key(i);
        let european = book.contract_of(i).is_some_and(|c| c.european);
        let e = map.entry(key).or_default();
        if i.date <= s.as_of {
            *e.by_year.entry(i.date.year()).or_default() += i.amount;
        }
        if i.date >= from && i.date <= s.as_of {
            e.spend_48m += i.amount;
            if !european {
                e.counted += i.amount;
            }
        }
    }
}

/// For an open-ended contract (not tendered in Europe, started by as-of, invoiced): its
/// average monthly spend, its 48-month estimate and its spend in the window, when the
/// estimate is more than that spend.
fn open_ended_estimate(
    book: &Book,
    c: &Contract,
    s: &Checks,
    from: NaiveDate,
) -> Option<(i64, i64, i64)> {
    if c.end.is_some() || c.european || c.start > s.as_of {
        return None;
    }
    // Months from the start month to the last month invoiced (by period, else by date):
    // invoices come in arrears, so counting to the as-of month would underestimate.
    let covered = book.invoices_of(c).map(|i| i.to.unwrap_or(i.date)).max()?;
    let months = (covered.year() - c.start.year()) * 12 + covered.month() as i32
        - c.start.month() as i32
        + 1;
    let spent: i64 = book.invoices_of(c).map(|i| i.amount).sum();
    let in_window: i64 = book
        .invoices_of(c)
        .filter(|i| i.date >= from && i.date <= s.as_of)
        .map(|i| i.amount)
        .sum();
    let months = i64::from(months.max(1));
    let monthly = (spent * 2 + months).div_euclid(2 * months);
    let estimate = (spent * 96 + months).div_euclid(2 * months);
    (estimate > in_window).then_some((monthly, estimate, in_window))
}

/// The threshold rule a supplier's counted spend breaks: over the limit, or at 80% or more.
fn threshold_rule(counted: i64, limit: i64) -> Option<Rule> {
    if counted > limit {
        Some(Rule::EuThreshold)
    } else if counted * 5 >= limit * 4 {
        Some(Rule::EuThresholdNear)
    } else {
        None
    }
}

/// One finding per supplier over or near the EU threshold.
pub(super) fn threshold(book: &Book, s: &Checks) -> Vec<Finding> {
    let limit = s.limit();
    supplier_spend(book, s)
        .into_iter()
        .filter_map(|sp| {
            Some(Finding {
                rule: threshold_rule(sp.counted, limit)?,
                contract_id: None,
                supplier: book.key_name(&sp.key),
                amount: sp.counted,
                detail: threshold_detail(&sp, limit, s),
            })
        })
        .collect()
}

/// The counted spend against the limit, the estimates of open-ended contracts, and whether
/// contracts tendered in Europe were left out.
fn threshold_detail(sp: &SupplierSpend, limit: i64, s: &Checks) -> String {
    let lang = s.lang;
    let (from, to) = (day(window_start(s.as_of, 48), lang), day(s.as_of, lang));
    let (counted, share) = (
        eur(sp.counted, lang),
        pct_text(pct(sp.counted, limit), lang),
    );
    let mut detail = match lang {
        Lang::Nl => format!(
            "besteding {from} t/m {to} {counted} ({share}% van de Europese drempel {})",
            eur(limit, lang)
        ),
        Lang::En => format!(
            "spend {from} to {to} {counted} ({share}% of the EU threshold {})",
            eur(limit, lang)
        ),
    };
    let estimates: Vec<String> = sp
        .estimates
        .iter()
        .map(|(id, monthly, est)| estimate_text(id, *monthly, *est, lang))
        .collect();
    if !estimates.is_empty() {
        detail.push_str(&format!("; {}", estimates.join("; ")));
    }
    if sp.european_contracts > 0 {
        detail.push_str(match lang {
            Lang::Nl => "; Europees aanbestede contracten niet meegeteld",
            Lang::En => "; contracts won by a European tender not counted",
        });
    }
    detail
}

/// How the 48-month value of an open-ended contract was estimated.
fn estimate_text(id: &str, monthly: i64, estimate: i64, lang: Lang) -> String {
    let (monthly, estimate) = (eur(monthly, lang), eur(estimate, lang));
    match lang {
        Lang::Nl => format!("{id} heeft geen einddatum: {monthly} per maand x 48 = {estimate}"),
        Lang::En => format!("{id} has no end date: {monthly} a month x 48 = {estimate}"),
    }
}

/// Per supplier: contracts, spend per calendar year, the 48-month spend, what counts against
/// the threshold, and the status.
pub fn suppliers(book: &Book, s: &Checks) -> Result<DataFrame> {
    let limit = s.limit();
    let all = supplier_spend(book, s);
    let mut cols = vec![
        Column::new(
            "leverancier".into(),
            all.iter()
                .map(|sp| book.key_name(&sp.key))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "contracts".into(),
            all.iter().map(|sp| sp.contracts as i64).collect::<Vec<_>>(),
        ),
    ];
    cols.extend(year_columns(&all));
    let column = |name: &str, f: &dyn Fn(&SupplierSpend) -> f64| {
        Column::new(name.into(), all.iter().map(f).collect::<Vec<_>>())
    };
    cols.extend([
        column("spend_48m", &|sp| euros(sp.spend_48m)),
        column("counted_48m", &|sp| euros(sp.counted)),
        Column::new("threshold".into(), vec![euros(limit); all.len()]),
        column("pct_threshold", &|sp| pct(sp.counted, limit)),
        Column::new(
            "status".into(),
            all.iter()
                .map(|sp| threshold_status(sp.counted, limit, s.lang))
                .collect::<Vec<_>>(),
        ),
    ]);
    Ok(DataFrame::new_infer_height(cols)?)
}

/// A column `spend_<year>` (euros) per calendar year with spend of any supplier.
fn year_columns(all: &[SupplierSpend]) -> Vec<Column> {
    let years: BTreeSet<i32> = all
        .iter()
        .flat_map(|sp| sp.by_year.keys().copied())
        .collect();
    years
        .iter()
        .map(|y| {
            Column::new(
                format!("spend_{y}").into(),
                all.iter()
                    .map(|sp| euros(sp.by_year.get(y).copied().unwrap_or(0)))
                    .collect::<Vec<_>>(),
            )
        })
        .collect()
}

/// A supplier's standing against the threshold, in words.
fn threshold_status(counted: i64, limit: i64, lang: Lang) -> &'static str {
    let (nl, en) = match threshold_rule(counted, limit) {
        Some(Rule::EuThreshold) => ("boven de drempel", "over the threshold"),
        Some(_) => ("bijna (80% of meer)", "near (80% or more)"),
        None => ("onder de drempel", "under the threshold"),
    };
    match lang {
        Lang::Nl => nl,
        Lang::En => en,
    }
}
