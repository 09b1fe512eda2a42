//! The signals: the rules, one finding per signal, and all findings in one list or frame.

use super::{Book, Checks, dba, euros, rules, suppliers};
use anyhow::Result;
use polars::prelude::*;

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

/// Every finding, in rule order, then by contract or supplier.
pub fn findings(book: &Book, s: &Checks) -> Vec<Finding> {
    let mut all = Vec::new();
    all.extend(rules::spend_after_end(book, s));
    all.extend(rules::contract_value(book, s));
    all.extend(suppliers::threshold(book, s));
    all.extend(dba::long_running(book, s));
    all.extend(rules::without_contract(book, s));
    all.extend(rules::without_invoices(book, s));
    all.extend(rules::expired_active(book, s));
    all.sort_by(|a, b| {
        (a.rule, &a.contract_id, &a.supplier).cmp(&(b.rule, &b.contract_id, &b.supplier))
    });
    all
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
