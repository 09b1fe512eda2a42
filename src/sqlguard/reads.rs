//! What every query may read: only a query (no statement that changes tables or reads files),
//! and in its FROM clauses only registered tables, subqueries and joins of those.

use anyhow::{Result, bail};
use sqlparser::ast::{Query, Statement, TableFactor, Visitor};
use std::ops::ControlFlow;

/// The query a statement runs (`None` for SHOW TABLES); other statements are refused.
pub(super) fn query_of(statement: &Statement) -> Result<Option<&Query>> {
    match statement {
        Statement::Query(q) => Ok(Some(q)),
        Statement::Explain { statement, .. } => query_of(statement),
        Statement::ShowTables { .. } => Ok(None),
        other => {
            let word = other.to_string();
            let word = word.split_whitespace().next().unwrap_or("");
            bail!(
                "only queries (SELECT ..., WITH ...) can be run; '{word}' would change tables or \
                 read files. Load an export with `datastroom ingest`"
            )
        }
    }
}

/// Refuses every FROM item that is not a registered table, a subquery or a join of those.
pub(super) struct FileCheck(pub(super) Option<anyhow::Error>);

impl Visitor for FileCheck {
    type Break = ();

    fn pre_visit_table_factor(&mut self, tf: &TableFactor) -> ControlFlow<()> {
        match refusal(tf) {
            Some(msg) => {
                self.0 = Some(anyhow::anyhow!(msg));
                ControlFlow::Break(())
            }
            None => ControlFlow::Continue(()),
        }
    }
}

/// Why a FROM item may not be read, or `None` when it may.
fn refusal(tf: &TableFactor) -> Option<String> {
    match tf {
        TableFactor::Table { args: None, .. }
        | TableFactor::Derived { .. }
        | TableFactor::NestedJoin { .. }
        | TableFactor::UNNEST { .. } => None,
        TableFactor::Table {
            name,
            args: Some(_),
            ..
        } => Some(format!(
            "{name}(...) reads a file directly, around the privacy rules (personal columns \
             dropped or pseudonymised, BSNs found in values). Query a file with \
             `datastroom sql --input FILE \"SELECT ... FROM input\"`, or load it with \
             `datastroom ingest FILE --dataset NAME` and query the dataset"
        )),
        other => Some(format!(
            "FROM {other} is not supported: read from the datasets (datastroom datasets), \
             `input` (--input FILE) or a subquery"
        )),
    }
}
