//! Hired staff (inhuur): contracts lined up with invoices, and the signals an auditor looks for
//! (docs/inhuur.md). Money is held in whole cents (`i64`) from the moment it is read, so every
//! sum is exact; output turns cents back into euros with two decimals.
//!
//! Contracts and invoices are small tables (hundreds to tens of thousands of rows): they are
//! read into plain structs and the rules are plain Rust, one function per rule.

use crate::lang::{Lang, money_text};
use anyhow::{Context, Result, bail};
use chrono::{Datelike, Months, NaiveDate};
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// One contract of hired staff.
#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    /// The municipality, when the warehouse holds more than one: ids are unique within one.
    pub gemeente: Option<String>,
    pub id: String,
    pub supplier: String,
    /// The person, as the keyed hash stored at ingest (`None` when the export had no name or
    /// no key was given).
    pub person: Option<String>,
    pub function: Option<String>,
    pub department: Option<String>,
    pub start: NaiveDate,
    /// `None`: open-ended ("tot nader order").
    pub end: Option<NaiveDate>,
    pub rate: Option<i64>,
    pub max_hours: Option<f64>,
    pub value: Option<i64>,
    /// Procured by a European tender: outside the threshold check.
    pub european: bool,
}

/// One invoice line from the finance system.
#[derive(Debug, Clone, PartialEq)]
pub struct Invoice {
    pub gemeente: Option<String>,
    pub id: String,
    pub contract: Option<String>,
    pub supplier: String,
    pub date: NaiveDate,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Cents; negative for a credit note.
    pub amount: i64,
    pub department: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub as_of: NaiveDate,
    /// "Starting / ending soon": within this many days after as-of.
    pub horizon_days: i64,
    /// Wet DBA signal: the same person hired without a break for longer than this.
    pub dba_months: u32,
    /// Breaks up to this many days between two contracts do not count as a break.
    pub dba_break_days: i64,
    /// EU threshold in cents; `None`: the one valid on the as-of date.
    pub threshold: Option<i64>,
    pub lang: Lang,
}

/// Euros (as read, a float) to cents: exact for any amount with at most two decimals below
/// 90 trillion euros, because the float is the nearest double to that decimal.
pub fn cents(euros: f64) -> i64 {
    (euros * 100.0).round() as i64
}

pub fn euros(cents: i64) -> f64 {
    cents as f64 / 100.0
}

/// The EU threshold for services of decentralised authorities (excl. VAT) in cents, valid on
/// a date (European Commission delegated regulations; docs/inhuur.md).
pub fn eu_threshold(on: NaiveDate) -> i64 {
    let euros = match on.year() {
        ..=2017 => 209_000,
        2018 | 2019 => 221_000,
        2020 | 2021 => 214_000,
        2022 | 2023 => 215_000,
        2024 | 2025 => 221_000,
        _ => 216_000,
    };
    euros * 100
}

/// A supplier's name as the same supplier in every export: lower case, no punctuation, single
/// spaces, and the legal form (B.V., BV, N.V., VOF, ...) at the end left off.
pub fn supplier_key(name: &str) -> String {
    let cleaned: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c == '.' || c == ',' { ' ' } else { c })
        .collect();
    let mut words: Vec<&str> = cleaned.split_whitespace().collect();
    // "B.V." became "b v": join single letters at the end back into a form.
    const FORMS: [&str; 6] = ["bv", "nv", "vof", "cv", "b v", "n v"];
    loop {
        let n = words.len();
        if n >= 2 && FORMS.contains(&format!("{} {}", words[n - 2], words[n - 1]).as_str()) {
            words.truncate(n - 2);
        } else if n >= 2 && FORMS.contains(&words[n - 1]) {
            words.truncate(n - 1);
        } else if n >= 4 && words[n - 3..].iter().all(|w| w.len() == 1) {
            let form: String = words[n - 3..].concat();
            if FORMS.contains(&form.as_str()) {
                words.truncate(n - 3);
            } else {
                break;
            }
        } else {
            break;
        }
    }
    words.join(" ")
}

/// The rules, in the order findings are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    SpendAfterEnd,
    OverContractValue,
    NearContractValue,
    EuThreshold,
    EuThresholdNear,
    LongRunning,
    InvoiceWithoutContract,
    ContractWithoutInvoices,
    ExpiredActive,
}

impl Rule {
    /// What a person reads: Dutch, or English.
    pub fn label(self, lang: crate::lang::Lang) -> &'static str {
        let (nl, en) = match self {
            Rule::SpendAfterEnd => ("besteding na einddatum", "spend after end date"),
            Rule::OverContractValue => ("boven contractwaarde", "over contract value"),
            Rule::NearContractValue => ("bijna aan contractwaarde", "near contract value"),
            Rule::EuThreshold => ("boven Europese drempel", "over EU threshold"),
            Rule::EuThresholdNear => ("bijna aan Europese drempel", "near EU threshold"),
            Rule::LongRunning => ("langdurige inhuur (Wet DBA)", "long-running hire (Wet DBA)"),
            Rule::InvoiceWithoutContract => ("factuur zonder contract", "invoice without contract"),
            Rule::ContractWithoutInvoices => {
                ("contract zonder facturen", "contract without invoices")
            }
            Rule::ExpiredActive => ("verlopen maar nog actief", "expired but still active"),
        };
        match lang {
            crate::lang::Lang::Nl => nl,
            crate::lang::Lang::En => en,
        }
    }

    pub const ALL: [Rule; 9] = [
        Rule::SpendAfterEnd,
        Rule::OverContractValue,
        Rule::NearContractValue,
        Rule::EuThreshold,
        Rule::EuThresholdNear,
        Rule::LongRunning,
        Rule::InvoiceWithoutContract,
        Rule::ContractWithoutInvoices,
        Rule::ExpiredActive,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Rule::SpendAfterEnd => "spend_after_end",
            Rule::OverContractValue => "over_contract_value",
            Rule::NearContractValue => "near_contract_value",
            Rule::EuThreshold => "eu_threshold",
            Rule::EuThresholdNear => "eu_threshold_near",
            Rule::LongRunning => "long_running",
            Rule::InvoiceWithoutContract => "invoice_without_contract",
            Rule::ContractWithoutInvoices => "contract_without_invoices",
            Rule::ExpiredActive => "expired_active",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: Rule,
    pub contract_id: Option<String>,
    pub supplier: String,
    /// Cents.
    pub amount: i64,
    pub detail: String,
}

/// Contracts and invoices as they stood on the as-of date (later invoices left out), linked
/// by (gemeente, contract number).
pub struct Book {
    pub contracts: Vec<Contract>,
    pub invoices: Vec<Invoice>,
    /// Invoices dated after the as-of date, left out.
    pub later: usize,
    /// Display name per supplier key: the spelling seen most often (ties: alphabetical).
    names: BTreeMap<String, String>,
    /// Contract index per (gemeente, id).
    index: HashMap<(Option<String>, String), usize>,
    /// Invoice indices per contract index.
    linked: HashMap<usize, Vec<usize>>,
}

type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

impl Book {
    pub fn new(contracts: Vec<Contract>, invoices: Vec<Invoice>, as_of: NaiveDate) -> Book {
        let before = invoices.len();
        let invoices: Vec<Invoice> = invoices.into_iter().filter(|i| i.date <= as_of).collect();
        let later = before - invoices.len();
        let mut counts: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        let spellings = contracts
            .iter()
            .map(|c| &c.supplier)
            .chain(invoices.iter().map(|i| &i.supplier));
        for s in spellings {
            *counts
                .entry(supplier_key(s))
                .or_default()
                .entry(s.trim().to_string())
                .or_default() += 1;
        }
        let names = counts
            .into_iter()
            .map(|(key, spellings)| {
                let best = spellings
                    .iter()
                    .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                    .map(|(s, _)| s.clone())
                    .unwrap_or_default();
                (key, best)
            })
            .collect();
        let mut index = HashMap::default();
        for (k, c) in contracts.iter().enumerate() {
            index.entry((c.gemeente.clone(), c.id.clone())).or_insert(k);
        }
        let mut book = Book {
            contracts,
            invoices,
            later,
            names,
            index,
            linked: HashMap::default(),
        };
        let mut linked: HashMap<usize, Vec<usize>> = HashMap::default();
        for (k, i) in book.invoices.iter().enumerate() {
            if let Some(c) = book.contract_index(i) {
                linked.entry(c).or_default().push(k);
            }
        }
        book.linked = linked;
        book
    }

    /// The contract an invoice names: same number, same municipality (or none recorded on
    /// either side).
    fn contract_index(&self, i: &Invoice) -> Option<usize> {
        let id = i.contract.as_ref()?;
        self.index
            .get(&(i.gemeente.clone(), id.clone()))
            .or_else(|| self.index.get(&(None, id.clone())))
            .copied()
            .or_else(|| {
                // An invoice without gemeente matches a contract of any one municipality.
                i.gemeente
                    .is_none()
                    .then(|| self.contracts.iter().position(|c| &c.id == id))?
            })
    }

    fn contract_of(&self, i: &Invoice) -> Option<&Contract> {
        self.contract_index(i).map(|k| &self.contracts[k])
    }

    fn invoices_of<'a>(&'a self, c: &'a Contract) -> impl Iterator<Item = &'a Invoice> + 'a {
        let k = self.index.get(&(c.gemeente.clone(), c.id.clone())).copied();
        k.and_then(|k| self.linked.get(&k))
            .into_iter()
            .flatten()
            .map(|&i| &self.invoices[i])
    }

    /// The display name of a supplier.
    pub fn supplier_name(&self, name: &str) -> String {
        let key = supplier_key(name);
        self.names
            .get(&key)
            .cloned()
            .unwrap_or_else(|| name.to_string())
    }

    /// The supplier an invoice counts for: its contract's when linked, else its own.
    fn invoice_supplier_key(&self, i: &Invoice) -> String {
        match self.contract_of(i) {
            Some(c) => supplier_key(&c.supplier),
            None => supplier_key(&i.supplier),
        }
    }

    /// The value a contract may be invoiced up to: contractwaarde, else uurtarief x max uren.
    fn value(&self, c: &Contract) -> Option<(i64, &'static str)> {
        match (c.value, c.rate, c.max_hours) {
            (Some(v), _, _) => Some((v, "contractwaarde")),
            (None, Some(rate), Some(hours)) => {
                Some(((rate as f64 * hours).round() as i64, "uurtarief x max uren"))
            }
            _ => None,
        }
    }
}

/// The first day of the `months` months up to and including `as_of`.
fn window_start(as_of: NaiveDate, months: u32) -> NaiveDate {
    as_of
        .succ_opt()
        .and_then(|d| d.checked_sub_months(Months::new(months)))
        .unwrap_or(NaiveDate::MIN)
}

fn eur(cents: i64, lang: Lang) -> String {
    format!("€ {}", money_text(euros(cents), lang == Lang::Nl))
}

fn day(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Nl => d.format("%d-%m-%Y").to_string(),
        Lang::En => d.format("%Y-%m-%d").to_string(),
    }
}

fn pct_text(x: f64, lang: Lang) -> String {
    let t = format!("{x:.1}");
    if lang == Lang::Nl {
        t.replace('.', ",")
    } else {
        t
    }
}

fn pct(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 * 1000.0 / whole as f64).round() / 10.0
    }
}

/// Every finding, in rule order, then by contract or supplier.
pub fn findings(book: &Book, s: &Settings) -> Vec<Finding> {
    let mut all = Vec::new();
    all.extend(spend_after_end(book, s));
    all.extend(contract_value(book, s));
    all.extend(threshold(book, s));
    all.extend(long_running(book, s));
    all.extend(without_contract(book, s));
    all.extend(without_invoices(book, s));
    all.extend(expired_active(book, s));
    all.sort_by(|a, b| {
        (a.rule, &a.contract_id, &a.supplier).cmp(&(b.rule, &b.contract_id, &b.supplier))
    });
    all
}

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

fn spend_after_end(book: &Book, s: &Settings) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in &book.contracts {
        let Some(end) = c.end else { continue };
        for i in book.invoices_of(c) {
            let Some((amount, how)) = after_end(i, end) else {
                continue;
            };
            let (e, lang) = (day(end, s.lang), s.lang);
            let detail = match (how.as_str(), lang) {
                ("period", Lang::Nl) => format!(
                    "factuur {} ({}) gaat over {} t/m {}, na de einddatum {}",
                    i.id,
                    eur(i.amount, lang),
                    day(i.from.expect("period"), lang),
                    day(i.to.expect("period"), lang),
                    e
                ),
                ("period", Lang::En) => format!(
                    "invoice {} ({}) covers {} to {}, after the end date {}",
                    i.id,
                    eur(i.amount, lang),
                    day(i.from.expect("period"), lang),
                    day(i.to.expect("period"), lang),
                    e
                ),
                ("date", Lang::Nl) => format!(
                    "factuur {} ({}) is gedateerd {}, na de einddatum {}, en noemt geen \
                     prestatieperiode: controleer of het werk voor de einddatum is gedaan",
                    i.id,
                    eur(i.amount, lang),
                    day(i.date, lang),
                    e
                ),
                ("date", Lang::En) => format!(
                    "invoice {} ({}) is dated {}, after the end date {}, and names no period: \
                     check that the work was done before the end date",
                    i.id,
                    eur(i.amount, lang),
                    day(i.date, lang),
                    e
                ),
                (share, Lang::Nl) => format!(
                    "factuur {} ({}) loopt over de einddatum {} heen: {share} dagen van de \
                     periode liggen erna",
                    i.id,
                    eur(i.amount, lang),
                    e
                ),
                (share, Lang::En) => format!(
                    "invoice {} ({}) runs past the end date {}: {share} days of its period lie \
                     after it",
                    i.id,
                    eur(i.amount, lang),
                    e
                ),
            };
            out.push(Finding {
                rule: Rule::SpendAfterEnd,
                contract_id: Some(c.id.clone()),
                supplier: book.supplier_name(&c.supplier),
                amount,
                detail,
            });
        }
    }
    out
}

fn contract_value(book: &Book, s: &Settings) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in &book.contracts {
        let Some((value, basis)) = book.value(c) else {
            continue;
        };
        let spent: i64 = book.invoices_of(c).map(|i| i.amount).sum();
        let rule = if spent > value {
            Rule::OverContractValue
        } else if spent * 10 > value * 9 {
            Rule::NearContractValue
        } else {
            continue;
        };
        let lang = s.lang;
        let detail = match lang {
            Lang::Nl => format!(
                "gefactureerd {} ({}% van {} {}{})",
                eur(spent, lang),
                pct_text(pct(spent, value), lang),
                if basis == "contractwaarde" {
                    "de contractwaarde"
                } else {
                    "uurtarief x max uren"
                },
                eur(value, lang),
                if rule == Rule::OverContractValue {
                    format!("; {} erboven", eur(spent - value, lang))
                } else {
                    String::new()
                }
            ),
            Lang::En => format!(
                "invoiced {} ({}% of {} {}{})",
                eur(spent, lang),
                pct_text(pct(spent, value), lang),
                if basis == "contractwaarde" {
                    "the contract value"
                } else {
                    "rate x max hours"
                },
                eur(value, lang),
                if rule == Rule::OverContractValue {
                    format!("; {} over", eur(spent - value, lang))
                } else {
                    String::new()
                }
            ),
        };
        out.push(Finding {
            rule,
            contract_id: Some(c.id.clone()),
            supplier: book.supplier_name(&c.supplier),
            amount: spent,
            detail,
        });
    }
    out
}

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

pub fn supplier_spend(book: &Book, s: &Settings) -> Vec<SupplierSpend> {
    let from = window_start(s.as_of, 48);
    let mut map: BTreeMap<String, SupplierSpend> = BTreeMap::new();
    for c in &book.contracts {
        let e = map.entry(supplier_key(&c.supplier)).or_default();
        e.contracts += 1;
        e.european_contracts += usize::from(c.european);
    }
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
    for c in &book.contracts {
        if c.end.is_some() || c.european || c.start > s.as_of {
            continue;
        }
        // Months from the start month to the last month invoiced (by period, else by date):
        // invoices come in arrears, so counting to the as-of month would underestimate.
        let Some(covered) = book.invoices_of(c).map(|i| i.to.unwrap_or(i.date)).max() else {
            continue;
        };
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
        if estimate > in_window {
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

fn threshold(book: &Book, s: &Settings) -> Vec<Finding> {
    let limit = s.threshold.unwrap_or_else(|| eu_threshold(s.as_of));
    let lang = s.lang;
    let mut out = Vec::new();
    for sp in supplier_spend(book, s) {
        let rule = if sp.counted > limit {
            Rule::EuThreshold
        } else if sp.counted * 5 >= limit * 4 {
            Rule::EuThresholdNear
        } else {
            continue;
        };
        let estimates: Vec<String> = sp
            .estimates
            .iter()
            .map(|(id, monthly, est)| match lang {
                Lang::Nl => format!(
                    "{id} heeft geen einddatum: {} per maand x 48 = {}",
                    eur(*monthly, lang),
                    eur(*est, lang)
                ),
                Lang::En => format!(
                    "{id} has no end date: {} a month x 48 = {}",
                    eur(*monthly, lang),
                    eur(*est, lang)
                ),
            })
            .collect();
        let from = day(window_start(s.as_of, 48), lang);
        let mut detail = match lang {
            Lang::Nl => format!(
                "besteding {from} t/m {} {} ({}% van de Europese drempel {})",
                day(s.as_of, lang),
                eur(sp.counted, lang),
                pct_text(pct(sp.counted, limit), lang),
                eur(limit, lang)
            ),
            Lang::En => format!(
                "spend {from} to {} {} ({}% of the EU threshold {})",
                day(s.as_of, lang),
                eur(sp.counted, lang),
                pct_text(pct(sp.counted, limit), lang),
                eur(limit, lang)
            ),
        };
        if !estimates.is_empty() {
            detail.push_str(&format!("; {}", estimates.join("; ")));
        }
        if sp.european_contracts > 0 {
            detail.push_str(match lang {
                Lang::Nl => "; Europees aanbestede contracten niet meegeteld",
                Lang::En => "; contracts won by a European tender not counted",
            });
        }
        out.push(Finding {
            rule,
            contract_id: None,
            supplier: book.names.get(&sp.key).cloned().unwrap_or(sp.key.clone()),
            amount: sp.counted,
            detail,
        });
    }
    out
}

/// One uninterrupted hire of one person: merged contracts.
struct Spell<'a> {
    start: NaiveDate,
    /// The last day, capped at as-of.
    end: NaiveDate,
    contracts: Vec<&'a Contract>,
}

fn spells<'a>(book: &'a Book, s: &Settings) -> Vec<(String, Spell<'a>)> {
    let mut by_person: BTreeMap<&str, Vec<&Contract>> = BTreeMap::new();
    for c in book.contracts.iter().filter(|c| c.start <= s.as_of) {
        if let Some(p) = c.person.as_deref() {
            by_person.entry(p).or_default().push(c);
        }
    }
    let mut out = Vec::new();
    for (person, mut cs) in by_person {
        cs.sort_by_key(|c| (c.start, c.id.clone()));
        let mut current: Option<Spell> = None;
        for c in cs {
            let end = c.end.unwrap_or(s.as_of).min(s.as_of);
            match current.as_mut() {
                Some(sp) if (c.start - sp.end).num_days() <= s.dba_break_days + 1 => {
                    sp.end = sp.end.max(end);
                    sp.contracts.push(c);
                }
                _ => {
                    if let Some(done) = current.take() {
                        out.push((person.to_string(), done));
                    }
                    current = Some(Spell {
                        start: c.start,
                        end,
                        contracts: vec![c],
                    });
                }
            }
        }
        if let Some(done) = current {
            out.push((person.to_string(), done));
        }
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

fn long_running(book: &Book, s: &Settings) -> Vec<Finding> {
    let lang = s.lang;
    let mut out = Vec::new();
    for (_, sp) in spells(book, s) {
        let limit = sp.start.checked_add_months(Months::new(s.dba_months));
        let stop = sp.end.succ_opt().unwrap_or(sp.end);
        if limit.is_none_or(|l| stop <= l) {
            continue;
        }
        // The contract that runs longest (open-ended counts as longest) names the spell.
        let last = sp
            .contracts
            .iter()
            .max_by_key(|c| (c.end.unwrap_or(NaiveDate::MAX), c.start))
            .expect("a spell has a contract");
        let suppliers: BTreeSet<String> = sp
            .contracts
            .iter()
            .map(|c| supplier_key(&c.supplier))
            .collect();
        let spent: i64 = sp
            .contracts
            .iter()
            .flat_map(|c| book.invoices_of(c))
            .map(|i| i.amount)
            .sum();
        let ids: Vec<&str> = sp.contracts.iter().map(|c| c.id.as_str()).collect();
        let months = whole_months(sp.start, sp.end);
        let until = if sp.end >= s.as_of && last.end.is_none_or(|e| e > s.as_of) {
            match lang {
                Lang::Nl => "nu".to_string(),
                Lang::En => "now".to_string(),
            }
        } else {
            day(sp.end, lang)
        };
        let detail = match lang {
            Lang::Nl => format!(
                "dezelfde inhuurkracht zonder onderbreking ingehuurd van {} tot {until}: {months} \
                 maanden, {} contract(en) ({}), {} leverancier(s) (Wet DBA: langer dan {} \
                 maanden)",
                day(sp.start, lang),
                ids.len(),
                ids.join(", "),
                suppliers.len(),
                s.dba_months
            ),
            Lang::En => format!(
                "the same person hired without a break from {} to {until}: {months} months, {} \
                 contract(s) ({}), {} supplier(s) (Wet DBA: longer than {} months)",
                day(sp.start, lang),
                ids.len(),
                ids.join(", "),
                suppliers.len(),
                s.dba_months
            ),
        };
        out.push(Finding {
            rule: Rule::LongRunning,
            contract_id: Some(last.id.clone()),
            supplier: book.supplier_name(&last.supplier),
            amount: spent,
            detail,
        });
    }
    out
}

fn without_contract(book: &Book, s: &Settings) -> Vec<Finding> {
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

fn without_invoices(book: &Book, s: &Settings) -> Vec<Finding> {
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
fn has_successor(book: &Book, c: &Contract, s: &Settings) -> bool {
    let Some(end) = c.end else { return false };
    book.contracts.iter().any(|o| {
        let same = match (&c.person, &o.person) {
            (Some(a), Some(b)) => a == b,
            _ => {
                supplier_key(&c.supplier) == supplier_key(&o.supplier)
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

fn expired_active(book: &Book, s: &Settings) -> Vec<Finding> {
    let lang = s.lang;
    let mut out = Vec::new();
    for c in &book.contracts {
        let Some(end) = c.end.filter(|e| *e < s.as_of) else {
            continue;
        };
        if has_successor(book, c, s) {
            continue;
        }
        let after: Vec<(i64, &Invoice)> = book
            .invoices_of(c)
            .filter_map(|i| after_end(i, end).map(|(a, _)| (a, i)))
            .collect();
        if after.is_empty() {
            continue;
        }
        let amount: i64 = after.iter().map(|(a, _)| a).sum();
        let last = after.iter().map(|(_, i)| i.date).max().expect("not empty");
        out.push(Finding {
            rule: Rule::ExpiredActive,
            contract_id: Some(c.id.clone()),
            supplier: book.supplier_name(&c.supplier),
            amount,
            detail: match lang {
                Lang::Nl => format!(
                    "afgelopen op {}, geen opvolgend contract, en toch nog {} {} \
                     (laatste {}) voor {} na de einddatum: verleng of beëindig",
                    day(end, lang),
                    after.len(),
                    if after.len() == 1 {
                        "factuur"
                    } else {
                        "facturen"
                    },
                    day(last, lang),
                    eur(amount, lang)
                ),
                Lang::En => format!(
                    "ended on {}, no successor, yet {} {} (last {}) for {} after the end \
                     date: extend or stop",
                    day(end, lang),
                    after.len(),
                    if after.len() == 1 {
                        "invoice"
                    } else {
                        "invoices"
                    },
                    day(last, lang),
                    eur(amount, lang)
                ),
            },
        });
    }
    out
}

/// Findings as a frame: rule, contract_id, leverancier, amount (euros), detail.
pub fn findings_frame(findings: &[Finding]) -> Result<DataFrame> {
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            "rule".into(),
            findings.iter().map(|f| f.rule.name()).collect::<Vec<_>>(),
        ),
        Column::new(
            "contract_id".into(),
            findings
                .iter()
                .map(|f| f.contract_id.as_deref())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "leverancier".into(),
            findings
                .iter()
                .map(|f| f.supplier.as_str())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "amount".into(),
            findings.iter().map(|f| euros(f.amount)).collect::<Vec<_>>(),
        ),
        Column::new(
            "detail".into(),
            findings
                .iter()
                .map(|f| f.detail.as_str())
                .collect::<Vec<_>>(),
        ),
    ])?)
}

/// The state of things on as-of, as one row: hires active now, starting and ending within the
/// horizon, the monthly run rate (invoices of the last 3 months / 3), spend this year to date
/// and last year.
pub fn overview(book: &Book, s: &Settings) -> Result<DataFrame> {
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
    let spend = |from: NaiveDate, to: NaiveDate| -> i64 {
        book.invoices
            .iter()
            .filter(|i| i.date >= from && i.date <= to)
            .map(|i| i.amount)
            .sum()
    };
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

/// Per supplier: contracts, spend per calendar year, the 48-month spend, what counts against
/// the threshold, and the status.
pub fn suppliers(book: &Book, s: &Settings) -> Result<DataFrame> {
    let limit = s.threshold.unwrap_or_else(|| eu_threshold(s.as_of));
    let all = supplier_spend(book, s);
    let years: BTreeSet<i32> = all
        .iter()
        .flat_map(|sp| sp.by_year.keys().copied())
        .collect();
    let mut cols = vec![
        Column::new(
            "leverancier".into(),
            all.iter()
                .map(|sp| book.names.get(&sp.key).cloned().unwrap_or(sp.key.clone()))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "contracts".into(),
            all.iter().map(|sp| sp.contracts as i64).collect::<Vec<_>>(),
        ),
    ];
    for y in &years {
        cols.push(Column::new(
            format!("spend_{y}").into(),
            all.iter()
                .map(|sp| euros(sp.by_year.get(y).copied().unwrap_or(0)))
                .collect::<Vec<_>>(),
        ));
    }
    let status = |sp: &SupplierSpend| -> &'static str {
        let over = sp.counted > limit;
        let near = sp.counted * 5 >= limit * 4;
        match (over, near, s.lang) {
            (true, _, Lang::Nl) => "boven de drempel",
            (true, _, Lang::En) => "over the threshold",
            (false, true, Lang::Nl) => "bijna (80% of meer)",
            (false, true, Lang::En) => "near (80% or more)",
            (false, false, Lang::Nl) => "onder de drempel",
            (false, false, Lang::En) => "under the threshold",
        }
    };
    cols.extend([
        Column::new(
            "spend_48m".into(),
            all.iter().map(|sp| euros(sp.spend_48m)).collect::<Vec<_>>(),
        ),
        Column::new(
            "counted_48m".into(),
            all.iter().map(|sp| euros(sp.counted)).collect::<Vec<_>>(),
        ),
        Column::new("threshold".into(), vec![euros(limit); all.len()]),
        Column::new(
            "pct_threshold".into(),
            all.iter()
                .map(|sp| pct(sp.counted, limit))
                .collect::<Vec<_>>(),
        ),
        Column::new("status".into(), all.iter().map(status).collect::<Vec<_>>()),
    ]);
    Ok(DataFrame::new_infer_height(cols)?)
}

/// A budget line: department, year, budget in cents.
pub type Budget = (String, i32, i64);

/// Per department (the invoice's cost centre, else its contract's department): spend per month
/// of the as-of year up to as-of, year to date, a straight-line year-end forecast (year to date
/// / months elapsed x 12, months elapsed counted to the day), and with budgets the budget and
/// the forecast minus the budget.
pub fn costs(book: &Book, s: &Settings, budget: Option<&[Budget]>) -> Result<DataFrame> {
    let year = s.as_of.year();
    let months = s.as_of.month();
    let days_in_month = {
        let next = if months == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, months + 1, 1)
        }
        .context("as-of month")?;
        next.pred_opt().context("as-of month")?.day()
    };
    let elapsed = f64::from(months - 1) + f64::from(s.as_of.day()) / f64::from(days_in_month);
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
        let row = by_dept
            .entry(dept)
            .or_insert_with(|| vec![0; months as usize]);
        row[i.date.month0() as usize] += i.amount;
    }
    if let Some(b) = budget {
        for (dept, y, _) in b {
            let known = by_dept.keys().any(|k| k.eq_ignore_ascii_case(dept));
            if *y == year && !known {
                by_dept
                    .entry(dept.clone())
                    .or_insert_with(|| vec![0; months as usize]);
            }
        }
    }
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
    cols.push(Column::new(
        "ytd".into(),
        ytd.iter().map(|c| euros(*c)).collect::<Vec<_>>(),
    ));
    cols.push(Column::new(
        "forecast".into(),
        forecast.iter().map(|c| euros(*c)).collect::<Vec<_>>(),
    ));
    if let Some(b) = budget {
        let find = |d: &str| {
            b.iter()
                .find(|(bd, y, _)| bd == d && *y == year)
                .map(|x| x.2)
        };
        let budgets: Vec<Option<i64>> = names.iter().map(|d| find(d)).collect();
        cols.push(Column::new(
            "budget".into(),
            budgets.iter().map(|b| b.map(euros)).collect::<Vec<_>>(),
        ));
        cols.push(Column::new(
            "forecast_minus_budget".into(),
            budgets
                .iter()
                .zip(&forecast)
                .map(|(b, f)| b.map(|b| euros(f - b)))
                .collect::<Vec<_>>(),
        ));
    }
    Ok(DataFrame::new_infer_height(cols)?)
}

/// One row per contract for a Gantt chart: start, end, status on as-of.
pub fn timeline(book: &Book, s: &Settings) -> Result<DataFrame> {
    let horizon = s.as_of + chrono::Duration::days(s.horizon_days);
    let mut cs: Vec<&Contract> = book.contracts.iter().collect();
    cs.sort_by_key(|c| (c.start, c.id.clone()));
    let status = |c: &Contract| -> &'static str {
        let (future, ended) = (c.start > s.as_of, c.end.is_some_and(|e| e < s.as_of));
        let soon = c.end.is_some_and(|e| e <= horizon);
        match (future, ended, soon, s.lang) {
            (true, _, _, Lang::Nl) => "toekomstig",
            (true, _, _, Lang::En) => "future",
            (_, true, _, Lang::Nl) => "beëindigd",
            (_, true, _, Lang::En) => "ended",
            (_, _, true, Lang::Nl) => "loopt af",
            (_, _, true, Lang::En) => "ending soon",
            (_, _, _, Lang::Nl) => "lopend",
            (_, _, _, Lang::En) => "active",
        }
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
        Column::new(
            "functie".into(),
            cs.iter().map(|c| c.function.as_deref()).collect::<Vec<_>>(),
        ),
        Column::new(
            "afdeling".into(),
            cs.iter()
                .map(|c| c.department.as_deref())
                .collect::<Vec<_>>(),
        ),
        date_col("start", cs.iter().map(|c| Some(days(c.start))).collect())?,
        date_col("end", cs.iter().map(|c| c.end.map(days)).collect())?,
        Column::new(
            "status".into(),
            cs.iter().map(|c| status(c)).collect::<Vec<_>>(),
        ),
    ])?)
}

/// A procurement procedure that was a European tender: it names Europe ("Europees
/// aanbesteed", "Europese openbare procedure") and is not "onderhands", "onder de Europese
/// drempel" or "niet/geen Europees".
pub fn is_european(procedure: &str) -> bool {
    let p = procedure.to_lowercase();
    p.contains("europe")
        && !["onder", "niet", "geen", "not "]
            .iter()
            .any(|w| p.contains(w))
}

/// Reads contracts from a frame with the canonical columns of `inhuur_contracten`.
pub fn contracts_from(df: &DataFrame) -> Result<Vec<Contract>> {
    require(
        df,
        "contracts",
        &["contract_id", "leverancier", "startdatum"],
    )?;
    let text = |name: &str| opt_text(df, name);
    let gemeente = text("gemeente")?;
    let (ids, suppliers) = (text("contract_id")?, text("leverancier")?);
    let (persons, functions, depts, procs) = (
        text("inhuurkracht")?,
        text("functie")?,
        text("afdeling")?,
        text("inkoopprocedure")?,
    );
    let (starts, ends) = (opt_date(df, "startdatum")?, opt_date(df, "einddatum")?);
    let (rates, hours, values) = (
        opt_f64(df, "uurtarief")?,
        opt_f64(df, "max_uren")?,
        opt_f64(df, "contractwaarde")?,
    );
    let mut out = Vec::with_capacity(df.height());
    for r in 0..df.height() {
        let (Some(id), Some(start)) = (ids[r].clone(), starts[r]) else {
            bail!(
                "contract row {} has no contract_id or startdatum; the ingest should have \
                 rejected it",
                r + 1
            );
        };
        out.push(Contract {
            gemeente: gemeente[r].clone(),
            id,
            supplier: suppliers[r].clone().unwrap_or_default(),
            person: persons[r].clone(),
            function: functions[r].clone(),
            department: depts[r].clone(),
            start,
            end: ends[r],
            rate: rates[r].map(cents),
            max_hours: hours[r],
            value: values[r].map(cents),
            european: procs[r].as_deref().is_some_and(is_european),
        });
    }
    Ok(out)
}

/// Reads invoices from a frame with the canonical columns of `inhuur_facturen`.
pub fn invoices_from(df: &DataFrame) -> Result<Vec<Invoice>> {
    require(
        df,
        "invoices",
        &["factuur_id", "leverancier", "factuurdatum", "bedrag"],
    )?;
    let text = |name: &str| opt_text(df, name);
    let gemeente = text("gemeente")?;
    let (ids, contracts, suppliers, depts) = (
        text("factuur_id")?,
        text("contract_id")?,
        text("leverancier")?,
        text("afdeling")?,
    );
    let (dates, froms, tos) = (
        opt_date(df, "factuurdatum")?,
        opt_date(df, "periode_van")?,
        opt_date(df, "periode_tot")?,
    );
    let amounts = opt_f64(df, "bedrag")?;
    let mut out = Vec::with_capacity(df.height());
    for r in 0..df.height() {
        let (Some(id), Some(date), Some(amount)) = (ids[r].clone(), dates[r], amounts[r]) else {
            bail!(
                "invoice row {} has no factuur_id, factuurdatum or bedrag; the ingest should \
                 have rejected it",
                r + 1
            );
        };
        out.push(Invoice {
            gemeente: gemeente[r].clone(),
            id,
            contract: contracts[r].clone().filter(|c| !c.trim().is_empty()),
            supplier: suppliers[r].clone().unwrap_or_default(),
            date,
            from: froms[r],
            to: tos[r],
            amount: cents(amount),
            department: depts[r].clone(),
        });
    }
    Ok(out)
}

fn require(df: &DataFrame, what: &str, columns: &[&str]) -> Result<()> {
    let missing: Vec<&str> = columns
        .iter()
        .copied()
        .filter(|c| df.column(c).is_err())
        .collect();
    if !missing.is_empty() {
        bail!(
            "the {what} have no column {}; found: {}",
            missing.join(", "),
            df.get_column_names()
                .iter()
                .map(|n| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

fn opt_text(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    match df.column(name) {
        Ok(c) => {
            let c = c.cast(&DataType::String)?;
            Ok(c.str()?.iter().map(|v| v.map(String::from)).collect())
        }
        Err(_) => Ok(vec![None; df.height()]),
    }
}

fn opt_f64(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    match df.column(name) {
        Ok(c) => {
            let c = c.cast(&DataType::Float64)?;
            Ok(c.f64()?.iter().collect())
        }
        Err(_) => Ok(vec![None; df.height()]),
    }
}

fn opt_date(df: &DataFrame, name: &str) -> Result<Vec<Option<NaiveDate>>> {
    match df.column(name) {
        Ok(c) => {
            let c = c.cast(&DataType::Date)?.cast(&DataType::Int32)?;
            Ok(c.i32()?
                .iter()
                .map(|v| v.and_then(crate::dates::from_day_number))
                .collect())
        }
        Err(_) => Ok(vec![None; df.height()]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn supplier_spellings_meet() {
        for s in [
            "Interim Partners B.V.",
            "Interim Partners BV",
            "interim  partners bv",
            "INTERIM PARTNERS b.v.",
        ] {
            assert_eq!(supplier_key(s), "interim partners", "{s}");
        }
        assert_eq!(supplier_key("Detacheer & Co"), "detacheer & co");
        assert_eq!(supplier_key("Data B.V"), "data");
        assert_eq!(supplier_key("BV Nederland"), "bv nederland");
    }

    #[test]
    fn european_tenders() {
        assert!(is_european("Europees aanbesteed"));
        assert!(is_european("Europese openbare procedure"));
        assert!(!is_european("onderhands, onder de Europese drempel"));
        assert!(!is_european("niet Europees"));
        assert!(!is_european("meervoudig onderhands"));
    }

    #[test]
    fn thresholds_by_date() {
        assert_eq!(eu_threshold(d(2025, 12, 31)), 22_100_000);
        assert_eq!(eu_threshold(d(2026, 1, 1)), 21_600_000);
        assert_eq!(eu_threshold(d(2023, 6, 1)), 21_500_000);
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

    #[test]
    fn months_of_a_spell() {
        assert_eq!(whole_months(d(2023, 1, 1), d(2024, 12, 31)), 24);
        assert_eq!(whole_months(d(2023, 1, 1), d(2026, 3, 31)), 39);
        assert_eq!(whole_months(d(2023, 1, 15), d(2023, 2, 13)), 0);
        assert_eq!(whole_months(d(2023, 1, 15), d(2023, 2, 14)), 1);
    }

    #[test]
    fn cents_are_exact() {
        assert_eq!(cents(1234.56), 123_456);
        assert_eq!(cents(-980.0), -98_000);
        assert_eq!(cents(0.1 + 0.2), 30);
        let total: i64 = [20080.0, 18825.0, 9800.0, 4900.0, -980.0, 1234.56, 12.5]
            .iter()
            .map(|x| cents(*x))
            .sum();
        assert_eq!(total, 5_387_206);
    }
}
