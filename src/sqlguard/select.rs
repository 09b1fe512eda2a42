//! The SELECT of a council query: its output columns (a bare column passes its person on; `*`
//! with EXCLUDE, EXCEPT, RENAME and REPLACE), and every clause that could use a person column.

use super::lineage::Lineage;
use super::scope::{Ctes, Rel, Scope, refuse_people};
use super::{Col, last_name};
use anyhow::{Result, bail};
use sqlparser::ast::{
    Distinct, ExcludeSelectItem, Expr, GroupByExpr, Ident, NamedWindowDefinition, OrderByExpr,
    Select, SelectItem, SelectItemQualifiedWildcardKind, TableWithJoins, Top,
    WildcardAdditionalOptions,
};

/// The parts of a SELECT the council check looks at, in the order it checks them.
struct Clauses<'a> {
    /// SELECT INTO, LATERAL VIEW or CONNECT BY: refused.
    unsupported: bool,
    from: &'a [TableWithJoins],
    /// The SELECT list, and its EXCLUDE.
    projection: (&'a [SelectItem], &'a Option<ExcludeSelectItem>),
    distinct: &'a Option<Distinct>,
    top: &'a Option<Top>,
    /// PREWHERE, WHERE, HAVING and QUALIFY.
    filters: [&'a Option<Expr>; 4],
    group_by: &'a GroupByExpr,
    /// CLUSTER BY and DISTRIBUTE BY.
    spread: [&'a [Expr]; 2],
    sort_by: &'a [OrderByExpr],
    named_window: &'a [NamedWindowDefinition],
}

impl<'a> Clauses<'a> {
    /// The clauses of a SELECT. Every field is named, so that a field a newer sqlparser adds
    /// is looked at here.
    fn of(select: &'a Select) -> Clauses<'a> {
        let Select {
            select_token: _,
            optimizer_hints: _,
            distinct,
            select_modifiers: _,
            top,
            top_before_distinct: _,
            projection,
            exclude,
            into,
            from,
            lateral_views,
            prewhere,
            selection,
            connect_by,
            group_by,
            cluster_by,
            distribute_by,
            sort_by,
            having,
            named_window,
            qualify,
            window_before_qualify: _,
            value_table_mode: _,
            flavor: _,
        } = select;
        Clauses {
            unsupported: into.is_some() || !lateral_views.is_empty() || !connect_by.is_empty(),
            from,
            projection: (projection, exclude),
            distinct,
            top,
            filters: [prewhere, selection, having, qualify],
            group_by,
            spread: [cluster_by, distribute_by],
            sort_by,
            named_window,
        }
    }
}

impl Lineage<'_> {
    /// The output columns and relations of a SELECT, after checking each of its clauses.
    pub(super) fn select(
        &self,
        select: &Select,
        outer: Option<&Scope>,
        ctes: &Ctes,
    ) -> Result<(Vec<Col>, Vec<Rel>)> {
        let clauses = Clauses::of(select);
        if clauses.unsupported {
            bail!("SELECT INTO, LATERAL VIEW and CONNECT BY are not supported in a council query");
        }
        let mut rels = Vec::new();
        for item in clauses.from {
            rels.extend(self.joined(&item.relation, &item.joins, outer, ctes)?);
        }
        let mut scope = Scope::new(rels, outer);
        scope.outputs = self.projection(&clauses, &scope, ctes)?;
        self.conditions(&clauses, &scope, ctes)?;
        self.grouping(&clauses, &scope, ctes)?;
        Ok((scope.outputs, scope.rels))
    }

    /// The output columns of the SELECT list, with EXCLUDE applied, every item checked.
    fn projection(&self, clauses: &Clauses, scope: &Scope, ctes: &Ctes) -> Result<Vec<Col>> {
        let (items, exclude) = clauses.projection;
        let mut outputs = Vec::new();
        for item in items {
            outputs.extend(self.select_item(item, scope, ctes)?);
        }
        if let Some(ex) = exclude {
            let gone = excluded(ex);
            outputs.retain(|c| !gone.iter().any(|g| g.eq_ignore_ascii_case(&c.0)));
        }
        Ok(outputs)
    }

    /// Checks DISTINCT ON, TOP, PREWHERE, WHERE, HAVING and QUALIFY.
    fn conditions(&self, clauses: &Clauses, scope: &Scope, ctes: &Ctes) -> Result<()> {
        match clauses.distinct {
            Some(Distinct::On(exprs)) => {
                for e in exprs {
                    self.walk(e, scope, ctes)?;
                }
            }
            Some(Distinct::Distinct | Distinct::All) | None => {}
        }
        if let Some(top) = clauses.top {
            self.walk(top, scope, ctes)?;
        }
        for e in clauses.filters.into_iter().flatten() {
            self.walk(e, scope, ctes)?;
        }
        Ok(())
    }

    /// Checks GROUP BY, CLUSTER BY, DISTRIBUTE BY, SORT BY and WINDOW.
    fn grouping(&self, clauses: &Clauses, scope: &Scope, ctes: &Ctes) -> Result<()> {
        match clauses.group_by {
            GroupByExpr::All(_) => refuse_people(&scope.outputs, "GROUP BY ALL")?,
            GroupByExpr::Expressions(exprs, _) => {
                for e in exprs {
                    self.positional_or_expr(e, scope, ctes, "GROUP BY")?;
                }
            }
        }
        for e in clauses.spread.into_iter().flatten() {
            self.walk(e, scope, ctes)?;
        }
        for o in clauses.sort_by {
            self.positional_or_expr(&o.expr, scope, ctes, "SORT BY")?;
        }
        for w in clauses.named_window {
            self.walk(w, scope, ctes)?;
        }
        Ok(())
    }

    /// The output columns of one SELECT item. A bare column passes its person on (a
    /// subquery may hand it to an outer COUNT); any other expression is checked.
    fn select_item(&self, item: &SelectItem, scope: &Scope, ctes: &Ctes) -> Result<Vec<Col>> {
        match item {
            SelectItem::UnnamedExpr(e) => Ok(vec![self.column(e, None, scope, ctes)?]),
            SelectItem::ExprWithAlias { expr, alias } => {
                Ok(vec![self.column(expr, Some(alias), scope, ctes)?])
            }
            SelectItem::ExprWithAliases { expr, aliases } => {
                self.walk(expr, scope, ctes)?;
                Ok(aliases.iter().map(|a| (a.value.clone(), None)).collect())
            }
            SelectItem::Wildcard(opts) => {
                let cols = scope.rels.iter().flat_map(|r| r.cols.clone()).collect();
                self.wildcard(cols, opts, scope, ctes)
            }
            SelectItem::QualifiedWildcard(kind, opts) => {
                let cols = self.qualified(kind, scope, ctes)?;
                self.wildcard(cols, opts, scope, ctes)
            }
        }
    }

    /// One expression of the SELECT list, named by its alias: a bare column (`c`, `t.c`)
    /// carries its person, if any; anything else is checked and carries none.
    fn column(&self, e: &Expr, alias: Option<&Ident>, scope: &Scope, ctes: &Ctes) -> Result<Col> {
        let parts = match e {
            Expr::Identifier(id) => Some(std::slice::from_ref(id)),
            Expr::CompoundIdentifier(ids) => Some(ids.as_slice()),
            _ => None,
        };
        let name = |fallback: String| alias.map_or(fallback, |a| a.value.clone());
        match parts {
            Some(parts) => {
                let last = parts.last().map_or(String::new(), |p| p.value.clone());
                Ok((name(last), scope.person(parts)))
            }
            None => {
                self.walk(e, scope, ctes)?;
                Ok((name(e.to_string()), None))
            }
        }
    }

    /// The columns `t.*` stands for: those of the relations called `t`.
    fn qualified(
        &self,
        kind: &SelectItemQualifiedWildcardKind,
        scope: &Scope,
        ctes: &Ctes,
    ) -> Result<Vec<Col>> {
        match kind {
            SelectItemQualifiedWildcardKind::ObjectName(name) => {
                let name = last_name(name).to_lowercase();
                Ok(scope
                    .rels
                    .iter()
                    .filter(|r| r.name == name)
                    .flat_map(|r| r.cols.clone())
                    .collect())
            }
            SelectItemQualifiedWildcardKind::Expr(e) => {
                self.walk(e, scope, ctes)?;
                Ok(Vec::new())
            }
        }
    }

    /// `*` with EXCLUDE, EXCEPT, RENAME or REPLACE applied.
    fn wildcard(
        &self,
        mut cols: Vec<Col>,
        opts: &WildcardAdditionalOptions,
        scope: &Scope,
        ctes: &Ctes,
    ) -> Result<Vec<Col>> {
        if let Some(ex) = &opts.opt_exclude {
            let gone = excluded(ex);
            cols.retain(|c| !gone.iter().any(|g| g.eq_ignore_ascii_case(&c.0)));
        }
        if let Some(ex) = &opts.opt_except {
            let gone: Vec<&Ident> = std::iter::once(&ex.first_element)
                .chain(&ex.additional_elements)
                .collect();
            cols.retain(|c| !gone.iter().any(|g| g.value.eq_ignore_ascii_case(&c.0)));
        }
        if let Some(replace) = &opts.opt_replace {
            for element in &replace.items {
                self.walk(&element.expr, scope, ctes)?;
            }
        }
        if let Some(rename) = &opts.opt_rename {
            use sqlparser::ast::RenameSelectItem;
            let pairs = match rename {
                RenameSelectItem::Single(p) => std::slice::from_ref(p),
                RenameSelectItem::Multiple(ps) => ps.as_slice(),
            };
            for p in pairs {
                for c in cols
                    .iter_mut()
                    .filter(|c| c.0.eq_ignore_ascii_case(&p.ident.value))
                {
                    c.0 = p.alias.value.clone();
                }
            }
        }
        Ok(cols)
    }
}

/// The columns an EXCLUDE names.
fn excluded(ex: &ExcludeSelectItem) -> Vec<String> {
    match ex {
        ExcludeSelectItem::Single(n) => vec![last_name(n)],
        ExcludeSelectItem::Multiple(ns) => ns.iter().map(last_name).collect(),
    }
}
