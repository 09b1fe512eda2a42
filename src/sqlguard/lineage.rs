//! Resolves the columns of a council query: which output column carries which person column,
//! through CTEs, subqueries, set operations and positional names, checking every clause on the
//! way. The FROM clause is in `from`, the SELECT in `select`, the expressions in `walk`.

use super::scope::{Ctes, Rel, Scope, refuse_people, refused, renamed};
use super::{Col, Tables};
use anyhow::{Result, bail};
use sqlparser::ast::{Expr, OrderBy, OrderByKind, Query, SetExpr, Values};

/// Resolves the columns of a query for the council check.
pub(super) struct Lineage<'t> {
    pub(super) tables: &'t Tables,
}

impl Lineage<'_> {
    /// The output columns of a query, after checking everything in it.
    pub(super) fn query(&self, q: &Query, outer: Option<&Scope>, ctes: &Ctes) -> Result<Vec<Col>> {
        let ctes = self.with(q, outer, ctes)?;
        if !q.pipe_operators.is_empty() {
            bail!("pipe operators (|>) are not supported in a council query");
        }
        let (cols, rels) = self.set_expr(&q.body, outer, &ctes)?;
        let scope = Scope {
            rels,
            outputs: cols.clone(),
            outer,
        };
        if let Some(order) = &q.order_by {
            self.order_by(order, &scope, &ctes)?;
        }
        let empty = Scope::empty(outer);
        if let Some(limit) = &q.limit_clause {
            self.walk(limit, &empty, &ctes)?;
        }
        if let Some(fetch) = &q.fetch {
            self.walk(fetch, &empty, &ctes)?;
        }
        Ok(cols)
    }

    /// The CTEs visible inside a query: those around it and those of its WITH, each checked
    /// and named by its alias (`WITH p(a) AS ...` renames by position).
    fn with(&self, q: &Query, outer: Option<&Scope>, ctes: &Ctes) -> Result<Ctes> {
        let mut ctes = ctes.clone();
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                let cols = self.query(&cte.query, outer, &ctes)?;
                let cols = renamed(cols, Some(&cte.alias));
                ctes.insert(cte.alias.name.value.to_lowercase(), cols);
            }
        }
        Ok(ctes)
    }

    /// A query's ORDER BY: `ALL` orders on every output column, anything else item by item.
    fn order_by(&self, order: &OrderBy, scope: &Scope, ctes: &Ctes) -> Result<()> {
        match &order.kind {
            OrderByKind::All(_) => refuse_people(&scope.outputs, "ORDER BY ALL"),
            OrderByKind::Expressions(items) => {
                for item in items {
                    self.positional_or_expr(&item.expr, scope, ctes, "ORDER BY")?;
                }
                Ok(())
            }
        }
    }

    /// `ORDER BY 2` / `GROUP BY 2` name an output column (of `scope`) by position; anything
    /// else is an expression.
    pub(super) fn positional_or_expr(
        &self,
        e: &Expr,
        scope: &Scope,
        ctes: &Ctes,
        clause: &str,
    ) -> Result<()> {
        if let Expr::Value(v) = e
            && let Ok(n) = v.value.to_string().parse::<usize>()
        {
            if let Some((_, Some(p))) = n.checked_sub(1).and_then(|i| scope.outputs.get(i)) {
                return Err(refused(&format!("{clause} {n}"), p));
            }
            return Ok(());
        }
        self.walk(e, scope, ctes)
    }

    /// The output columns of a SELECT, UNION, VALUES or TABLE, and for a SELECT its relations.
    fn set_expr(
        &self,
        body: &SetExpr,
        outer: Option<&Scope>,
        ctes: &Ctes,
    ) -> Result<(Vec<Col>, Vec<Rel>)> {
        let cols = match body {
            SetExpr::Select(select) => return self.select(select, outer, ctes),
            SetExpr::Query(q) => self.query(q, outer, ctes)?,
            SetExpr::SetOperation { left, right, .. } => {
                self.set_operation(left, right, outer, ctes)?
            }
            SetExpr::Values(values) => self.values(values, outer, ctes)?,
            SetExpr::Table(t) => {
                let name = t.table_name.clone().unwrap_or_default();
                self.table(&name, ctes)?
            }
            other => bail!("'{other}' is not a query"),
        };
        Ok((cols, Vec::new()))
    }

    /// The columns of a UNION, INTERSECT or EXCEPT: named by the left side, a column carrying
    /// a person when either side's does.
    fn set_operation(
        &self,
        left: &SetExpr,
        right: &SetExpr,
        outer: Option<&Scope>,
        ctes: &Ctes,
    ) -> Result<Vec<Col>> {
        let (mut cols, _) = self.set_expr(left, outer, ctes)?;
        let (right, _) = self.set_expr(right, outer, ctes)?;
        for (i, r) in right.into_iter().enumerate() {
            match cols.get_mut(i) {
                Some(c) if c.1.is_none() => c.1 = r.1,
                Some(_) => {}
                None => cols.push(r),
            }
        }
        Ok(cols)
    }

    /// The columns of a VALUES list (`column1`, `column2`, ...), after checking its rows.
    fn values(&self, values: &Values, outer: Option<&Scope>, ctes: &Ctes) -> Result<Vec<Col>> {
        self.walk(values, &Scope::empty(outer), ctes)?;
        let width = values.rows.first().map_or(0, |r| r.content.len());
        Ok((1..=width).map(|i| (format!("column{i}"), None)).collect())
    }

    /// The columns of a table or CTE by name.
    pub(super) fn table(&self, name: &str, ctes: &Ctes) -> Result<Vec<Col>> {
        let key = name.to_lowercase();
        match ctes.get(&key).or_else(|| self.tables.0.get(&key)) {
            Some(cols) => Ok(cols.clone()),
            None => bail!("there is no table '{name}'"),
        }
    }
}
