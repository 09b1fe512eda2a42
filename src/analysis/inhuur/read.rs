//! Reading contracts and invoices from frames with the canonical columns of
//! `inhuur_contracten` and `inhuur_facturen` (src/schema/canonical.rs).

use super::{Contract, Invoice, cents};
use anyhow::{Result, bail};
use chrono::NaiveDate;
use polars::prelude::*;

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
    let columns = ContractColumns::read(df)?;
    (0..df.height()).map(|r| columns.contract(r)).collect()
}

/// The columns of a contracts frame, one value per row (`None` in every row for a column the
/// frame lacks).
struct ContractColumns {
    gemeente: Vec<Option<String>>,
    ids: Vec<Option<String>>,
    suppliers: Vec<Option<String>>,
    persons: Vec<Option<String>>,
    functions: Vec<Option<String>>,
    depts: Vec<Option<String>>,
    procs: Vec<Option<String>>,
    starts: Vec<Option<NaiveDate>>,
    ends: Vec<Option<NaiveDate>>,
    rates: Vec<Option<f64>>,
    hours: Vec<Option<f64>>,
    values: Vec<Option<f64>>,
}

impl ContractColumns {
    fn read(df: &DataFrame) -> Result<ContractColumns> {
        let text = |name: &str| opt_text(df, name);
        Ok(ContractColumns {
            gemeente: text("gemeente")?,
            ids: text("contract_id")?,
            suppliers: text("leverancier")?,
            persons: text("inhuurkracht")?,
            functions: text("functie")?,
            depts: text("afdeling")?,
            procs: text("inkoopprocedure")?,
            starts: opt_date(df, "startdatum")?,
            ends: opt_date(df, "einddatum")?,
            rates: opt_f64(df, "uurtarief")?,
            hours: opt_f64(df, "max_uren")?,
            values: opt_f64(df, "contractwaarde")?,
        })
    }

    /// The contract of row `r`; an error when it lacks a number or start date.
    fn contract(&self, r: usize) -> Result<Contract> {
        let (Some(id), Some(start)) = (self.ids[r].clone(), self.starts[r]) else {
            bail!(
                "contract row {} has no contract_id or startdatum; the ingest should have \
                 rejected it",
                r + 1
            );
        };
        Ok(Contract {
            gemeente: self.gemeente[r].clone(),
            id,
            supplier: self.suppliers[r].clone().unwrap_or_default(),
            person: self.persons[r].clone(),
            function: self.functions[r].clone(),
            department: self.depts[r].clone(),
            start,
            end: self.ends[r],
            rate: self.rates[r].map(cents),
            max_hours: self.hours[r],
            value: self.values[r].map(cents),
            european: self.procs[r].as_deref().is_some_and(is_european),
        })
    }
}

/// Reads invoices from a frame with the canonical columns of `inhuur_facturen`.
pub fn invoices_from(df: &DataFrame) -> Result<Vec<Invoice>> {
    require(
        df,
        "invoices",
        &["factuur_id", "leverancier", "factuurdatum", "bedrag"],
    )?;
    let columns = InvoiceColumns::read(df)?;
    (0..df.height()).map(|r| columns.invoice(r)).collect()
}

/// The columns of an invoices frame, one value per row (`None` in every row for a column the
/// frame lacks).
struct InvoiceColumns {
    gemeente: Vec<Option<String>>,
    ids: Vec<Option<String>>,
    contracts: Vec<Option<String>>,
    suppliers: Vec<Option<String>>,
    depts: Vec<Option<String>>,
    dates: Vec<Option<NaiveDate>>,
    froms: Vec<Option<NaiveDate>>,
    tos: Vec<Option<NaiveDate>>,
    amounts: Vec<Option<f64>>,
}

impl InvoiceColumns {
    fn read(df: &DataFrame) -> Result<InvoiceColumns> {
        let text = |name: &str| opt_text(df, name);
        Ok(InvoiceColumns {
            gemeente: text("gemeente")?,
            ids: text("factuur_id")?,
            contracts: text("contract_id")?,
            suppliers: text("leverancier")?,
            depts: text("afdeling")?,
            dates: opt_date(df, "factuurdatum")?,
            froms: opt_date(df, "periode_van")?,
            tos: opt_date(df, "periode_tot")?,
            amounts: opt_f64(df, "bedrag")?,
        })
    }

    /// The invoice of row `r`; an error when it lacks a number, date or amount.
    fn invoice(&self, r: usize) -> Result<Invoice> {
        let (Some(id), Some(date), Some(amount)) =
            (self.ids[r].clone(), self.dates[r], self.amounts[r])
        else {
            bail!(
                "invoice row {} has no factuur_id, factuurdatum or bedrag; the ingest should \
                 have rejected it",
                r + 1
            );
        };
        Ok(Invoice {
            gemeente: self.gemeente[r].clone(),
            id,
            contract: self.contracts[r].clone().filter(|c| !c.trim().is_empty()),
            supplier: self.suppliers[r].clone().unwrap_or_default(),
            date,
            from: self.froms[r],
            to: self.tos[r],
            amount: cents(amount),
            department: self.depts[r].clone(),
        })
    }
}

/// An error naming the columns a frame lacks, and the columns it has.
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

/// A column as text per row; all `None` when the frame lacks it.
fn opt_text(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    match df.column(name) {
        Ok(c) => {
            let c = c.cast(&DataType::String)?;
            Ok(c.str()?.iter().map(|v| v.map(String::from)).collect())
        }
        Err(_) => Ok(vec![None; df.height()]),
    }
}

/// A column as numbers per row; all `None` when the frame lacks it.
fn opt_f64(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    match df.column(name) {
        Ok(c) => {
            let c = c.cast(&DataType::Float64)?;
            Ok(c.f64()?.iter().collect())
        }
        Err(_) => Ok(vec![None; df.height()]),
    }
}

/// A column as dates per row; all `None` when the frame lacks it.
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

    #[test]
    fn european_tenders() {
        assert!(is_european("Europees aanbesteed"));
        assert!(is_european("Europese openbare procedure"));
        assert!(!is_european("onderhands, onder de Europese drempel"));
        assert!(!is_european("niet Europees"));
        assert!(!is_european("meervoudig onderhands"));
    }
}
