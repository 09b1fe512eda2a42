//! The Wet DBA signal: the same person hired without a break (contracts merged across a short
//! gap) for longer than the number of months in the settings.

use super::{Book, Checks, Contract, Finding, Rule, day, supplier_key};
use crate::lang::Lang;
use chrono::{Datelike, Months, NaiveDate};
use std::collections::{BTreeMap, BTreeSet};

/// One uninterrupted hire of one person: merged contracts.
struct Spell<'a> {
    start: NaiveDate,
    /// The last day, capped at as-of.
    end: NaiveDate,
    contracts: Vec<&'a Contract>,
}

/// The contracts started by as-of of each known person, in order of start.
fn by_person<'a>(book: &'a Book, s: &Checks) -> BTreeMap<&'a str, Vec<&'a Contract>> {
    let mut by_person: BTreeMap<&str, Vec<&Contract>> = BTreeMap::new();
    for c in book.contracts.iter().filter(|c| c.start <= s.as_of) {
        if let Some(p) = c.person.as_deref() {
            by_person.entry(p).or_default().push(c);
        }
    }
    for cs in by_person.values_mut() {
        cs.sort_by_key(|c| (c.start, c.id.clone()));
    }
    by_person
}

/// Every spell of every person: a contract that starts within the allowed break after the
/// spell so far extends it, any other starts a new one.
fn spells<'a>(book: &'a Book, s: &Checks) -> Vec<Spell<'a>> {
    let mut out = Vec::new();
    for cs in by_person(book, s).into_values() {
        let mut current: Option<Spell> = None;
        for c in cs {
            let end = c.end.unwrap_or(s.as_of).min(s.as_of);
            match current.as_mut() {
                Some(sp) if (c.start - sp.end).num_days() <= s.dba_break_days + 1 => {
                    sp.end = sp.end.max(end);
                    sp.contracts.push(c);
                }
                _ => {
                    out.extend(current.take());
                    current = Some(Spell {
                        start: c.start,
                        end,
                        contracts: vec![c],
                    });
                }
            }
        }
        out.extend(current);
    }
    out
}

/// Whole months from `start` to the day after `end` (1-1-2023 to 31-12-2024: 24).
fn whole_months(start: NaiveDate, end: NaiveDate) -> u32 {
    let stop = end.succ_opt().unwrap_or(end);
    let mut months = (stop.year() - start.year()) * 12 + stop.month() as i32 - start.month() as i32;
    if stop.day() < start.day() {
        months -= 1;
    }
    months.max(0) as u32
}

/// One finding per spell longer than the Wet DBA months.
pub(super) fn long_running(book: &Book, s: &Checks) -> Vec<Finding> {
    spells(book, s)
        .iter()
        .filter(|sp| too_long(sp, s))
        .map(|sp| spell_finding(book, sp, s))
        .collect()
}

/// Whether a spell lasts longer than the Wet DBA months after its start.
fn too_long(sp: &Spell, s: &Checks) -> bool {
    let limit = sp.start.checked_add_months(Months::new(s.dba_months));
    let stop = sp.end.succ_opt().unwrap_or(sp.end);
    limit.is_some_and(|l| stop > l)
}

/// The finding of a long spell, named after the contract that runs longest (open-ended counts
/// as longest), with what was invoiced on all its contracts.
fn spell_finding(book: &Book, sp: &Spell, s: &Checks) -> Finding {
    let last = sp
        .contracts
        .iter()
        .max_by_key(|c| (c.end.unwrap_or(NaiveDate::MAX), c.start))
        .expect("a spell has a contract");
    let spent: i64 = sp
        .contracts
        .iter()
        .flat_map(|c| book.invoices_of(c))
        .map(|i| i.amount)
        .sum();
    Finding {
        rule: Rule::LongRunning,
        contract_id: Some(last.id.clone()),
        supplier: book.supplier_name(&last.supplier),
        amount: spent,
        detail: spell_detail(sp, last, s),
    }
}

/// From when to when (or "now") a spell ran, its months, its contracts and suppliers.
fn spell_detail(sp: &Spell, last: &Contract, s: &Checks) -> String {
    let lang = s.lang;
    let suppliers: BTreeSet<String> = sp
        .contracts
        .iter()
        .map(|c| supplier_key(&c.supplier))
        .collect();
    let ids: Vec<&str> = sp.contracts.iter().map(|c| c.id.as_str()).collect();
    let (n, ids, n_suppliers) = (ids.len(), ids.join(", "), suppliers.len());
    let (start, months, dba) = (
        day(sp.start, lang),
        whole_months(sp.start, sp.end),
        s.dba_months,
    );
    let until = if sp.end >= s.as_of && last.end.is_none_or(|e| e > s.as_of) {
        match lang {
            Lang::Nl => "nu".to_string(),
            Lang::En => "now".to_string(),
        }
    } else {
        day(sp.end, lang)
    };
    match lang {
        Lang::Nl => format!(
            "dezelfde inhuurkracht zonder onderbreking ingehuurd van {start} tot {until}: {months} \
             maanden, {n} contract(en) ({ids}), {n_suppliers} leverancier(s) (Wet DBA: langer \
             dan {dba} maanden)"
        ),
        Lang::En => format!(
            "the same person hired without a break from {start} to {until}: {months} months, {n} \
             contract(s) ({ids}), {n_suppliers} supplier(s) (Wet DBA: longer than {dba} months)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn months_of_a_spell() {
        assert_eq!(whole_months(d(2023, 1, 1), d(2024, 12, 31)), 24);
        assert_eq!(whole_months(d(2023, 1, 1), d(2026, 3, 31)), 39);
        assert_eq!(whole_months(d(2023, 1, 15), d(2023, 2, 13)), 0);
        assert_eq!(whole_months(d(2023, 1, 15), d(2023, 2, 14)), 1);
    }
}
