//! Every column reference in a part of a council query: a person column may only be an
//! argument of COUNT(...); a subquery inside the part is resolved with the part's scope as its
//! outer one and may not return a person column.

use super::last_name;
use super::lineage::Lineage;
use super::scope::{Ctes, Scope, refused};
use anyhow::Result;
use sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Query, Visit, Visitor,
};
use std::ops::ControlFlow;

impl Lineage<'_> {
    /// Checks every column reference in a part of the query: a person column only as an
    /// argument of COUNT; subqueries inside it are checked with this scope as their outer one,
    /// and may not return a person column.
    pub(super) fn walk<V: Visit + ?Sized>(
        &self,
        node: &V,
        scope: &Scope,
        ctes: &Ctes,
    ) -> Result<()> {
        let mut w = Walk {
            lineage: self,
            scope,
            ctes,
            stack: Vec::new(),
            depth: 0,
            error: None,
        };
        let _ = node.visit(&mut w);
        match w.error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// The visitor behind [`Lineage::walk`].
struct Walk<'a, 's> {
    lineage: &'a Lineage<'a>,
    scope: &'a Scope<'s>,
    ctes: &'a Ctes,
    /// The expressions around the current one (innermost last), at depth 0.
    stack: Vec<*const Expr>,
    /// How deep inside a subquery the visitor is (0: in this part of the query itself).
    depth: usize,
    error: Option<anyhow::Error>,
}

impl Walk<'_, '_> {
    /// Resolves a subquery met in this part of the query: an error when it fails its own
    /// checks or returns a column that holds people.
    fn subquery(&self, q: &Query) -> Result<()> {
        let cols = self.lineage.query(q, Some(self.scope), self.ctes)?;
        match cols.iter().find(|c| c.1.is_some()) {
            Some((name, Some(p))) => Err(refused(&format!("a subquery's column '{name}'"), p)),
            _ => Ok(()),
        }
    }

    /// The expression the current one is directly inside, if any.
    fn parent(&self) -> Option<&Expr> {
        self.stack.last().map(|p| {
            // SAFETY: the pointers are of expressions of the tree being visited, which
            // outlives the visit; an expression is popped before its parent.
            unsafe { &**p }
        })
    }
}

impl Visitor for Walk<'_, '_> {
    type Break = ();

    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
        if self.depth == 0
            && let Err(e) = self.subquery(q)
        {
            self.error = Some(e);
            return ControlFlow::Break(());
        }
        self.depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        if self.depth > 0 {
            return ControlFlow::Continue(());
        }
        let parts = match e {
            Expr::Identifier(id) => Some(std::slice::from_ref(id)),
            Expr::CompoundIdentifier(ids) => Some(ids.as_slice()),
            _ => None,
        };
        if let Some(parts) = parts
            && let Some(person) = self.scope.person(parts)
            && !counted(e, self.parent())
        {
            self.error = Some(refused(&format!("'{e}'"), &person));
            return ControlFlow::Break(());
        }
        self.stack.push(e as *const Expr);
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, _: &Expr) -> ControlFlow<()> {
        if self.depth == 0 {
            self.stack.pop();
        }
        ControlFlow::Continue(())
    }
}

/// Whether `e` is an argument of its parent, a COUNT(...) (with or without DISTINCT).
fn counted(e: &Expr, parent: Option<&Expr>) -> bool {
    let Some(Expr::Function(f)) = parent else {
        return false;
    };
    let FunctionArguments::List(list) = &f.args else {
        return false;
    };
    last_name(&f.name).eq_ignore_ascii_case("count")
        && list.args.iter().any(
            |a| matches!(a, FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) if std::ptr::eq(x, e)),
        )
}
