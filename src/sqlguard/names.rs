//! Names for unnamed results: polars would call `MIN(x)` and `MAX(x)` both `x`, and `COUNT(*)`
//! `len`; a BI specialist gets `min_x`, `max_x` and `aantal`, and two never clash.

use super::{last_name, parse};
use anyhow::Result;
use sqlparser::ast::{
    DuplicateTreatment, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, Query,
    Select, SelectItem, SetExpr, VisitMut, VisitorMut,
};
use std::collections::HashSet;
use std::ops::ControlFlow;

/// The query with a name for every unnamed function result in its SELECT lists (polars would
/// call `MIN(x)` and `MAX(x)` both `x`, and `COUNT(*)` `len`): `min_x`, `max_x`, `aantal`,
/// `aantal_x` (COUNT(x)), `aantal_uniek_x` (COUNT(DISTINCT x)). Unchanged when nothing is
/// unnamed.
pub fn name_results(sql: &str) -> Result<String> {
    let mut statements = parse(sql)?;
    let mut namer = Namer(false);
    for s in &mut statements {
        let _ = s.visit(&mut namer);
    }
    if !namer.0 {
        return Ok(sql.to_string());
    }
    Ok(statements
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join("; "))
}

/// Names the results of every query it visits; remembers whether it named any.
struct Namer(bool);

impl VisitorMut for Namer {
    type Break = ();
    fn pre_visit_query(&mut self, q: &mut Query) -> ControlFlow<()> {
        self.0 |= name_set_expr(&mut q.body);
        ControlFlow::Continue(())
    }
}

/// Names the results of a SELECT or of both sides of a set operation; true when it named any.
fn name_set_expr(body: &mut SetExpr) -> bool {
    match body {
        SetExpr::Select(select) => name_select(select),
        SetExpr::SetOperation { left, right, .. } => {
            let l = name_set_expr(left);
            name_set_expr(right) || l
        }
        _ => false,
    }
}

/// Gives each unnamed function result of a SELECT a name not used yet in it (`aantal`,
/// `aantal_2`); true when it named any.
fn name_select(select: &mut Select) -> bool {
    let mut used = output_names(select);
    let mut changed = false;
    for item in &mut select.projection {
        let SelectItem::UnnamedExpr(expr @ Expr::Function(_)) = item else {
            continue;
        };
        let base = result_name(expr);
        let mut name = base.clone();
        let mut n = 2;
        while !used.insert(name.clone()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        *item = SelectItem::ExprWithAlias {
            expr: expr.clone(),
            alias: Ident::new(name),
        };
        changed = true;
    }
    changed
}

/// The names a SELECT's results already have (lower case): aliases and bare columns.
fn output_names(select: &Select) -> HashSet<String> {
    select
        .projection
        .iter()
        .filter_map(|item| match item {
            SelectItem::ExprWithAlias { alias, .. } => Some(alias.value.to_lowercase()),
            SelectItem::UnnamedExpr(Expr::Identifier(id)) => Some(id.value.to_lowercase()),
            SelectItem::UnnamedExpr(Expr::CompoundIdentifier(ids)) => {
                ids.last().map(|i| i.value.to_lowercase())
            }
            _ => None,
        })
        .collect()
}

/// `min_datum_melding`, `aantal`, `aantal_uniek_client_id`, `date_trunc_datum_melding`.
fn result_name(e: &Expr) -> String {
    let Expr::Function(f) = e else {
        return "waarde".into();
    };
    let func = last_name(&f.name).to_lowercase();
    let (args, distinct) = match &f.args {
        FunctionArguments::List(list) => (
            list.args
                .iter()
                .filter_map(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) => arg_name(x),
                    _ => None,
                })
                .collect::<Vec<_>>(),
            matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct)),
        ),
        _ => (Vec::new(), false),
    };
    let name = match (func.as_str(), args.is_empty(), distinct) {
        ("count", true, _) => "aantal".to_string(),
        ("count", false, true) => format!("aantal_uniek_{}", args.join("_")),
        ("count", false, false) => format!("aantal_{}", args.join("_")),
        (_, true, _) => func,
        (_, false, _) => format!("{func}_{}", args.join("_")),
    };
    crate::schema::snake_case(&name)
}

/// The name an argument gives a result: a column's, or a nested function's.
fn arg_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Identifier(id) => Some(id.value.clone()),
        Expr::CompoundIdentifier(ids) => ids.last().map(|i| i.value.clone()),
        Expr::Function(_) => Some(result_name(e)),
        Expr::Cast { expr, .. } | Expr::Nested(expr) => arg_name(expr),
        _ => None,
    }
}
