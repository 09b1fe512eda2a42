//! The rules on contracts and their invoices: spend after the end date, spend against the
//! contract value, invoices without a contract and contracts without invoices, and expired
//! contracts still invoiced. The threshold is in `suppliers`, the Wet DBA signal in `dba`.

use super::{Book, Checks, Contract, Finding, Invoice, Rule, day, eur, pct, pct_text};
use crate::lang::Lang;
use chrono::NaiveDate;

/// The part of an invoice that lies after the contract's end: all of it when its period (or,
/// without a period, its date) starts after the end; a share by days when its period spans
/// the end. Credits are not spend.
fn after_end(i: &Invoice, end: NaiveDate) -> Option<(i64, String)> {
    if i.amount <= 0 {
        return None;
    }
    match (i.from, i.to) {
        (Some(from), Some(_)) if from > end => Some((i.amount, "period".into())),
        (Some(from), Some(to)) if to > end && to >= from => {
            let (after, all) = ((to - end).num_days(), (to - from).num_days() + 1);
            let part = (i128::from(i.amount) * i128::from(after) * 2 + i128::from(all))
                .div_euclid(2 * i128::from(all)) as i64;
            Some((part, format!("{after}/{all}")))
        }
        (Some(_), Some(_)) => None,
        _ if i.date > end => Some((i.amount, "date".into())),
        _ => None,
    }
}

/// One finding per invoice of a contract with an end date for the part after that date.
pub(super) fn spend_after_end(book: &Book, s: &Checks) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in &book.contracts {
        let Some(end) = c.end else { continue };
        for i in book.invoices_of(c) {
            let Some((amount, how)) = after_end(i, end) else {
                continue;
            };
            out.push(Finding {
                rule: Rule::SpendAfterEnd,
                contract_id: Some(c.id.clone()),
                supplier: book.supplier_name(&c.supplier),
                amount,
                detail: after_end_detail(i, end, &how, s.lang),
            });
        }
    }
    out
}

/// Why an invoice is spend after the end date, by how `after_end` found its part after the
/// end: its period ("period"), its date ("date"), or a share of its days ("14/31").
fn after_end_detail(i: &Invoice, end: NaiveDate, how: &str, lang: Lang) -> String {
    let (id, amount, e) = (&i.id, eur(i.amount, lang), day(end, lang));
    match (how, lang) {
        ("period", _) => {
            let from = day(i.from.expect("period"), lang);
            let to = day(i.to.expect("period"), lang);
            match lang {
                Lang::Nl => format!(
                    "factuur {id} ({amount}) gaat over {from} t/m {to}, na de einddatum {e}"
                ),
                Lang::En => {
                    format!("invoice {id} ({amount}) covers {from} to {to}, after the end date {e}")
                }
            }
        }
        ("date", Lang::Nl) => format!(
            "factuur {id} ({amount}) is gedateerd {}, na de einddatum {e}, en noemt geen \
             prestatieperiode: controleer of het werk voor de einddatum is gedaan",
            day(i.date, lang)
        ),
        ("date", Lang::En) => format!(
            "invoice {id} ({amount}) is dated {}, after the end date {e}, and names no period: \
             check that the work was done before the end date",
            day(i.date, lang)
        ),
        (share, Lang::Nl) => format!(
            "factuur {id} ({amount}) loopt over de einddatum {e} heen: {share} dagen van de \
             periode liggen erna"
        ),
        (share, Lang::En) => format!(
            "invoice {id} ({amount}) runs past the end date {e}: {share} days of its period lie \
             after it"
        ),
    }
}

/// One finding per contract invoiced over, or over 90% of, the value it may be invoiced up to.
pub(super) fn contract_value(book: &Book, s: &Checks) -> Vec<Finding> {
    book.contracts
        .iter()
        .filter_map(|c| value_finding(book, c, s.lang))
        .collect()
}

/// The finding of one contract against its value, if it is over or near it.
fn value_finding(book: &Book, c: &Contract, lang: Lang) -> Option<Finding> {
    let (value, basis) = book.value(c)?;
    let spent: i64 = book.invoices_of(c).map(|i| i.amount).sum();
    let rule = if spent > value {
        Rule::OverContractValue
    } else if spent * 10 > value * 9 {
        Rule::NearContractValue
    } else {
        return None;
    };
    Some(Finding {
        rule,
        contract_id: Some(c.id.clone()),
        supplier: book.supplier_name(&c.supplier),
        amount: spent,
        detail: value_detail(spent, value, basis, lang),
    })
}

/// What was invoiced as a share of the value (and its basis), and how much over it.
fn value_detail(spent: i64, value: i64, basis: &str, lang: Lang) -> String {
    let by_value = basis == "contractwaarde";
    let share = pct_text(pct(spent, value), lang);
    let (spent_text, value_text) = (eur(spent, lang), eur(value, lang));
    let excess = |word: &str| {
        if spent > value {
            format!("; {} {word}", eur(spent - value, lang))
        } else {
            String::new()
        }
    };
    match lang {
        Lang::Nl => format!(
            "gefactureerd {spent_text} ({share}% van {} {value_text}{})",
            if by_value {
                "de contractwaarde"
            } else {
                "uurtarief x max uren"
            },
            excess("erboven")
        ),
        Lang::En => format!(
            "invoiced {spent_text} ({share}% of {} {value_text}{})",
            if by_value {
                "the contract value"
            } else {
                "rate x max hours"
            },
            excess("over")
        ),
    }
}

/// One finding per invoice that names no contract, or one that is not among the contracts.
pub(super) fn without_contract(book: &Book, s: &Checks) -> Vec<Finding> {
    let lang = s.lang;
    book.invoices
        .iter()
        .filter(|i| book.contract_of(i).is_none())
        .map(|i| Finding {
            rule: Rule::InvoiceWithoutContract,
            contract_id: i.contract.clone(),
            supplier: book.supplier_name(&i.supplier),
            amount: i.amount,
            detail: match (&i.contract, lang) {
                (None, Lang::Nl) => {
                    format!(
                        "factuur {} van {} noemt geen contract",
                        i.id,
                        day(i.date, lang)
                    )
                }
                (None, Lang::En) => {
                    format!(
                        "invoice {} of {} names no contract",
                        i.id,
                        day(i.date, lang)
                    )
                }
                (Some(id), Lang::Nl) => format!(
                    "factuur {} van {} noemt contract {id}, dat niet in de contracten staat",
                    i.id,
                    day(i.date, lang)
                ),
                (Some(id), Lang::En) => format!(
                    "invoice {} of {} names contract {id}, which is not among the contracts",
                    i.id,
                    day(i.date, lang)
                ),
            },
        })
        .collect()
}

/// Days after its start after which a contract without invoices is a signal.
pub const NO_INVOICE_DAYS: i64 = 60;

/// One finding per contract that started more than `NO_INVOICE_DAYS` ago without an invoice.
pub(super) fn without_invoices(book: &Book, s: &Checks) -> Vec<Finding> {
    let lang = s.lang;
    book.contracts
        .iter()
        .filter(|c| (s.as_of - c.start).num_days() > NO_INVOICE_DAYS)
        .filter(|c| book.invoices_of(c).next().is_none())
        .map(|c| Finding {
            rule: Rule::ContractWithoutInvoices,
            contract_id: Some(c.id.clone()),
            supplier: book.supplier_name(&c.supplier),
            amount: book.value(c).map_or(0, |v| v.0),
            detail: match (lang, book.value(c).is_some()) {
                (Lang::Nl, known) => format!(
                    "gestart op {}, {} dagen geleden, en nog geen factuur (bedrag: {})",
                    day(c.start, lang),
                    (s.as_of - c.start).num_days(),
                    if known {
                        "de contractwaarde"
                    } else {
                        "geen contractwaarde bekend"
                    }
                ),
                (Lang::En, known) => format!(
                    "started on {}, {} days ago, and no invoice yet (amount: {})",
                    day(c.start, lang),
                    (s.as_of - c.start).num_days(),
                    if known {
                        "the contract value"
                    } else {
                        "no contract value known"
                    }
                ),
            },
        })
        .collect()
}

/// A later contract of the same person (or, without a person, of the same supplier and
/// function) that takes over: it starts after this one and ends later or never.
fn has_successor(book: &Book, c: &Contract, s: &Checks) -> bool {
    let Some(end) = c.end else { return false };
    book.contracts.iter().any(|o| {
        let same = match (&c.person, &o.person) {
            (Some(a), Some(b)) => a == b,
            _ => {
                super::supplier_key(&c.supplier) == super::supplier_key(&o.supplier)
                    && c.function.is_some()
                    && c.function == o.function
            }
        };
        // It takes over: starts after this one, within the allowed break after its end,
        // by the as-of date, and runs longer.
        let takes_over = o.start > c.start
            && (o.start - end).num_days() <= s.dba_break_days + 1
            && o.start <= s.as_of
            && o.end.is_none_or(|e| e > end);
        o.id != c.id && same && takes_over
    })
}

/// One finding per contract that ended before as-of without a successor and is still invoiced
/// for work after its end.
pub(super) fn expired_active(book: &Book, s: &Checks) -> Vec<Finding> {
    book.contracts
        .iter()
        .filter_map(|c| expired_finding(book, c, s))
        .collect()
}

/// The finding of one expired contract, if work after its end was invoiced.
fn expired_finding(book: &Book, c: &Contract, s: &Checks) -> Option<Finding> {
    let end = c.end.filter(|e| *e < s.as_of)?;
    if has_successor(book, c, s) {
        return None;
    }
    let after: Vec<(i64, &Invoice)> = book
        .invoices_of(c)
        .filter_map(|i| after_end(i, end).map(|(a, _)| (a, i)))
        .collect();
    // No invoice after the end: no finding.
    let last = after.iter().map(|(_, i)| i.date).max()?;
    let amount: i64 = after.iter().map(|(a, _)| a).sum();
    Some(Finding {
        rule: Rule::ExpiredActive,
        contract_id: Some(c.id.clone()),
        supplier: book.supplier_name(&c.supplier),
        amount,
        detail: expired_detail(end, after.len(), last, amount, s.lang),
    })
}

/// The end date, and the `n` invoices (the last dated `last`) for `amount` after it.
fn expired_detail(end: NaiveDate, n: usize, last: NaiveDate, amount: i64, lang: Lang) -> String {
    let (end, last, amount) = (day(end, lang), day(last, lang), eur(amount, lang));
    match lang {
        Lang::Nl => format!(
            "afgelopen op {end}, geen opvolgend contract, en toch nog {n} {} \
             (laatste {last}) voor {amount} na de einddatum: verleng of beëindig",
            if n == 1 { "factuur" } else { "facturen" }
        ),
        Lang::En => format!(
            "ended on {end}, no successor, yet {n} {} (last {last}) for {amount} after the end \
             date: extend or stop",
            if n == 1 { "invoice" } else { "invoices" }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// 6.200,00 over 15-12-2025 .. 14-1-2026 (31 days), contract ending 31-12-2025: 14 days
    /// after, 6.200 x 14 / 31 = 2.800,00.
    #[test]
    fn invoice_spanning_the_end_date_is_split_by_days() {
        let i = Invoice {
            gemeente: None,
            id: "F".into(),
            contract: None,
            supplier: "X".into(),
            date: d(2026, 1, 20),
            from: Some(d(2025, 12, 15)),
            to: Some(d(2026, 1, 14)),
            amount: 620_000,
            department: None,
        };
        assert_eq!(after_end(&i, d(2025, 12, 31)).map(|x| x.0), Some(280_000));
        assert_eq!(after_end(&i, d(2026, 1, 14)), None);
        let credit = Invoice { amount: -100, ..i };
        assert_eq!(after_end(&credit, d(2025, 12, 31)), None);
    }
}
