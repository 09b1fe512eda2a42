//! The book: contracts and invoices linked by contract number, and one display name per
//! supplier however each export spells it.

use super::{Contract, Invoice};
use chrono::NaiveDate;
use std::collections::BTreeMap;

type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

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

impl Book {
    pub fn new(contracts: Vec<Contract>, invoices: Vec<Invoice>, as_of: NaiveDate) -> Book {
        let before = invoices.len();
        let invoices: Vec<Invoice> = invoices.into_iter().filter(|i| i.date <= as_of).collect();
        let later = before - invoices.len();
        let names = display_names(&contracts, &invoices);
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
        book.linked = book.link_invoices();
        book
    }

    /// The invoice indices per contract index, for the invoices that name a known contract.
    fn link_invoices(&self) -> HashMap<usize, Vec<usize>> {
        let mut linked: HashMap<usize, Vec<usize>> = HashMap::default();
        for (k, i) in self.invoices.iter().enumerate() {
            if let Some(c) = self.contract_index(i) {
                linked.entry(c).or_default().push(k);
            }
        }
        linked
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

    /// The contract an invoice is linked to, if any.
    pub(super) fn contract_of(&self, i: &Invoice) -> Option<&Contract> {
        self.contract_index(i).map(|k| &self.contracts[k])
    }

    /// The invoices linked to a contract.
    pub(super) fn invoices_of<'a>(
        &'a self,
        c: &'a Contract,
    ) -> impl Iterator<Item = &'a Invoice> + 'a {
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

    /// The display name of a supplier key (the key itself when no name was seen).
    pub(super) fn key_name(&self, key: &str) -> String {
        self.names.get(key).cloned().unwrap_or(key.to_string())
    }

    /// The supplier an invoice counts for: its contract's when linked, else its own.
    pub(super) fn invoice_supplier_key(&self, i: &Invoice) -> String {
        match self.contract_of(i) {
            Some(c) => supplier_key(&c.supplier),
            None => supplier_key(&i.supplier),
        }
    }

    /// The value a contract may be invoiced up to: contractwaarde, else uurtarief x max uren.
    pub(super) fn value(&self, c: &Contract) -> Option<(i64, &'static str)> {
        match (c.value, c.rate, c.max_hours) {
            (Some(v), _, _) => Some((v, "contractwaarde")),
            (None, Some(rate), Some(hours)) => {
                Some(((rate as f64 * hours).round() as i64, "uurtarief x max uren"))
            }
            _ => None,
        }
    }
}

/// The display name per supplier key: of all spellings in contracts and invoices, the one seen
/// most often (ties: the alphabetically first).
fn display_names(contracts: &[Contract], invoices: &[Invoice]) -> BTreeMap<String, String> {
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
    counts
        .into_iter()
        .map(|(key, spellings)| {
            let best = spellings
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(s, _)| s.clone())
                .unwrap_or_default();
            (key, best)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
