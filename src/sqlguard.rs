//! What a SQL query may read and what a council query may show, decided on the parsed query
//! before polars runs it (the same parser, version and dialect as polars' own SQL).
//!
//! - Every query: only the tables datastroom registered (the datasets, `input`, CTEs and
//!   subqueries). A table function (`read_csv('x.csv')`, `read_parquet`, `read_json`, and any
//!   that a later polars adds) or another kind of FROM item would read a file around the
//!   privacy rules of `ingest` and is refused, as is every statement other than a query.
//! - A council query (`audience = "raad"`): every column reference is resolved against the
//!   tables' schemas, through subqueries, CTEs, positional aliases (`AS x(c1, c2)`), `*` and
//!   set operations. A column that holds people (a pseudonym or an employee's name) may be
//!   passed on unchanged by a subquery and counted (`COUNT(client_id)`, `COUNT(DISTINCT
//!   client_id)`); any other use (shown, grouped on, filtered on, joined on, inside any other
//!   function) is refused.
//! - Unnamed results get a name a BI specialist can read and reuse (`MIN(datum_melding)` is
//!   `min_datum_melding`, `COUNT(*)` is `aantal`), so that two of them never clash.

use anyhow::{Result, bail};
use sqlparser::ast::{
    Distinct, DuplicateTreatment, Expr, FunctionArg, FunctionArgExpr, FunctionArguments,
    GroupByExpr, Ident, JoinConstraint, JoinOperator, ObjectName, OrderByKind, Query, Select,
    SelectItem, SelectItemQualifiedWildcardKind, SetExpr, Statement, TableAlias, TableFactor,
    Visit, VisitMut, Visitor, VisitorMut, WildcardAdditionalOptions,
};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::{Parser, ParserOptions};
use std::collections::HashMap;
use std::ops::ControlFlow;

/// A column of a relation: its name, and the person column it carries (`table.column`), if any.
type Col = (String, Option<String>);

/// The tables a query may read: per table (lower case) its columns in order, each with the
/// person column it is, if it is one.
#[derive(Debug, Default, Clone)]
pub struct Tables(HashMap<String, Vec<Col>>);

impl Tables {
    /// Registers a table: its columns in order, and which of them hold people.
    pub fn add(&mut self, table: &str, columns: &[String], people: &[&str]) {
        let cols = columns
            .iter()
            .map(|c| {
                let person = people.contains(&c.as_str()).then(|| format!("{table}.{c}"));
                (c.clone(), person)
            })
            .collect();
        self.0.insert(table.to_lowercase(), cols);
    }
}

/// Parses a query as polars does (one statement, trailing commas allowed).
fn parse(sql: &str) -> Result<Vec<Statement>> {
    let parser = Parser::new(&GenericDialect).with_options(ParserOptions {
        trailing_commas: true,
        ..Default::default()
    });
    match parser
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_statements())
    {
        Ok(s) => Ok(s),
        Err(e) => bail!("the query is not valid SQL: {e}"),
    }
}

/// Checks a query before it runs: refused when it reads anything but registered tables, and,
/// for the council (`council`), when it shows or uses a column that holds people.
pub fn check(sql: &str, tables: &Tables, council: bool) -> Result<()> {
    let statements = parse(sql)?;
    let [statement] = statements.as_slice() else {
        bail!("give one query at a time (found {})", statements.len());
    };
    let query = query_of(statement)?;
    let Some(query) = query else {
        return Ok(());
    };
    let mut files = FileCheck(None);
    let _ = statement.visit(&mut files);
    if let Some(e) = files.0 {
        return Err(e);
    }
    if council {
        let cols = Lineage { tables }.query(query, None, &Ctes::new())?;
        if let Some((name, Some(person))) = cols.iter().find(|c| c.1.is_some()) {
            bail!(
                "the result column '{name}' is {person}, a column that holds people; a report \
                 with audience = \"raad\" may count people (COUNT(DISTINCT {column})) but not \
                 show them",
                column = person.rsplit('.').next().unwrap_or(person)
            );
        }
    }
    Ok(())
}

/// The query with a name for every unnamed function result in its SELECT lists (polars would
/// call `MIN(x)` and `MAX(x)` both `x`, and `COUNT(*)` `len`): `min_x`, `max_x`, `aantal`,
/// `aantal_x` (COUNT(x)), `aantal_uniek_x` (COUNT(DISTINCT x)). Unchanged when nothing is
/// unnamed.
pub fn name_results(sql: &str) -> Result<String> {
    let mut statements = parse(sql)?;
    struct Namer(bool);
    impl VisitorMut for Namer {
        type Break = ();
        fn pre_visit_query(&mut self, q: &mut Query) -> ControlFlow<()> {
            self.0 |= name_set_expr(&mut q.body);
            ControlFlow::Continue(())
        }
    }
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

fn name_select(select: &mut Select) -> bool {
    let mut used: std::collections::HashSet<String> = select
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
        .collect();
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

/// A polars error in one plain line: what went wrong, without the query plan it dumps.
pub fn plain_error(message: &str) -> String {
    let first = message
        .split("\n\nResolved plan until failure")
        .next()
        .unwrap_or(message)
        .lines()
        .next()
        .unwrap_or("")
        .trim();
    let quoted = |s: &str| s.split('\'').nth(1).map(str::to_string);
    if first.contains("duplicate output name") || first.contains("duplicate: column with name") {
        let name = quoted(first).unwrap_or_default();
        return format!(
            "two result columns are both called '{name}': give one another name with AS \
             (SELECT MIN(x) AS eerste, MAX(x) AS laatste ...)"
        );
    }
    if first.contains("not found")
        && let Some(name) = quoted(first)
    {
        return format!("there is no column or table '{name}' (names are case-sensitive)");
    }
    first
        .trim_start_matches("SQL interface error: ")
        .trim_start_matches("sql interface error: ")
        .to_string()
}

/// The query a statement runs (`None` for SHOW TABLES); other statements are refused.
fn query_of(statement: &Statement) -> Result<Option<&Query>> {
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
struct FileCheck(Option<anyhow::Error>);

impl Visitor for FileCheck {
    type Break = ();

    fn pre_visit_table_factor(&mut self, tf: &TableFactor) -> ControlFlow<()> {
        let refuse = match tf {
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
        };
        match refuse {
            Some(msg) => {
                self.0 = Some(anyhow::anyhow!(msg));
                ControlFlow::Break(())
            }
            None => ControlFlow::Continue(()),
        }
    }
}

/// Common table expressions visible at a point of the query.
type Ctes = HashMap<String, Vec<Col>>;

/// One relation of a FROM clause: its name (alias or table, lower case) and columns.
struct Rel {
    name: String,
    cols: Vec<Col>,
}

/// What a column reference can refer to: the relations of its SELECT, the SELECT's own output
/// names (ORDER BY, HAVING and GROUP BY may use them), and the enclosing query's scope.
struct Scope<'a> {
    rels: Vec<Rel>,
    outputs: Vec<Col>,
    outer: Option<&'a Scope<'a>>,
}

impl Scope<'_> {
    /// The person column a reference (`c`, `t.c`, `s.t.c`) may carry, if any. Conservative: a
    /// qualifier that names no relation, or a name found in several places, counts every match.
    fn person(&self, parts: &[Ident]) -> Option<String> {
        let name = parts.last()?.value.to_lowercase();
        let qualifier = parts
            .len()
            .checked_sub(2)
            .map(|i| parts[i].value.to_lowercase());
        let qualified = qualifier
            .as_ref()
            .is_some_and(|q| self.chain().any(|s| s.rels.iter().any(|r| &r.name == q)));
        let mut found = None;
        for scope in self.chain() {
            for rel in &scope.rels {
                if qualified && Some(&rel.name) != qualifier.as_ref() {
                    continue;
                }
                for (c, person) in &rel.cols {
                    let hit = c.to_lowercase() == name
                        || (!qualified && parts.iter().any(|p| p.value.eq_ignore_ascii_case(c)));
                    if hit && person.is_some() {
                        found = person.clone();
                    }
                }
            }
            for (c, person) in &scope.outputs {
                if c.to_lowercase() == name && person.is_some() {
                    found = person.clone();
                }
            }
        }
        found
    }

    fn chain(&self) -> impl Iterator<Item = &Scope<'_>> {
        std::iter::successors(Some(self), |s| s.outer)
    }
}

/// Resolves the columns of a query for the council check.
struct Lineage<'t> {
    tables: &'t Tables,
}

fn refused(what: &str, person: &str) -> anyhow::Error {
    let column = person.rsplit('.').next().unwrap_or(person);
    anyhow::anyhow!(
        "the query uses {what} ({person}), a column that holds people, outside COUNT(...); a \
         report with audience = \"raad\" may count people (COUNT(DISTINCT {column})) but not \
         show, group, filter or join on them"
    )
}

impl Lineage<'_> {
    /// The output columns of a query, after checking everything in it.
    fn query(&self, q: &Query, outer: Option<&Scope>, ctes: &Ctes) -> Result<Vec<Col>> {
        let mut ctes = ctes.clone();
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                let cols = self.query(&cte.query, outer, &ctes)?;
                let cols = renamed(cols, Some(&cte.alias));
                ctes.insert(cte.alias.name.value.to_lowercase(), cols);
            }
        }
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
            match &order.kind {
                OrderByKind::All(_) => {
                    if let Some((_, Some(p))) = cols.iter().find(|c| c.1.is_some()) {
                        return Err(refused("ORDER BY ALL", p));
                    }
                }
                OrderByKind::Expressions(items) => {
                    for item in items {
                        self.positional_or_expr(&item.expr, &cols, &scope, &ctes, "ORDER BY")?;
                    }
                }
            }
        }
        let empty = Scope {
            rels: Vec::new(),
            outputs: Vec::new(),
            outer,
        };
        if let Some(limit) = &q.limit_clause {
            self.walk(limit, &empty, &ctes)?;
        }
        if let Some(fetch) = &q.fetch {
            self.walk(fetch, &empty, &ctes)?;
        }
        Ok(cols)
    }

    /// `ORDER BY 2` / `GROUP BY 2` name an output column by position; anything else is an
    /// expression.
    fn positional_or_expr(
        &self,
        e: &Expr,
        outputs: &[Col],
        scope: &Scope,
        ctes: &Ctes,
        clause: &str,
    ) -> Result<()> {
        if let Expr::Value(v) = e
            && let Ok(n) = v.value.to_string().parse::<usize>()
        {
            if let Some((_, Some(p))) = n.checked_sub(1).and_then(|i| outputs.get(i)) {
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
        match body {
            SetExpr::Select(select) => self.select(select, outer, ctes),
            SetExpr::Query(q) => Ok((self.query(q, outer, ctes)?, Vec::new())),
            SetExpr::SetOperation { left, right, .. } => {
                let (mut cols, _) = self.set_expr(left, outer, ctes)?;
                let (right, _) = self.set_expr(right, outer, ctes)?;
                for (i, r) in right.into_iter().enumerate() {
                    match cols.get_mut(i) {
                        Some(c) if c.1.is_none() => c.1 = r.1,
                        Some(_) => {}
                        None => cols.push(r),
                    }
                }
                Ok((cols, Vec::new()))
            }
            SetExpr::Values(values) => {
                let empty = Scope {
                    rels: Vec::new(),
                    outputs: Vec::new(),
                    outer,
                };
                self.walk(values, &empty, ctes)?;
                let width = values.rows.first().map_or(0, |r| r.content.len());
                let cols = (1..=width).map(|i| (format!("column{i}"), None)).collect();
                Ok((cols, Vec::new()))
            }
            SetExpr::Table(t) => {
                let name = t.table_name.clone().unwrap_or_default();
                Ok((self.table(&name, ctes)?, Vec::new()))
            }
            other => bail!("'{other}' is not a query"),
        }
    }

    /// The columns of a table or CTE by name.
    fn table(&self, name: &str, ctes: &Ctes) -> Result<Vec<Col>> {
        let key = name.to_lowercase();
        match ctes.get(&key).or_else(|| self.tables.0.get(&key)) {
            Some(cols) => Ok(cols.clone()),
            None => bail!("there is no table '{name}'"),
        }
    }

    /// The relations one FROM item brings into scope.
    fn relation(&self, tf: &TableFactor, outer: Option<&Scope>, ctes: &Ctes) -> Result<Vec<Rel>> {
        match tf {
            TableFactor::Table {
                name,
                alias,
                args: None,
                ..
            } => {
                let table = last_name(name);
                let cols = renamed(self.table(&table, ctes)?, alias.as_ref());
                let name = alias.as_ref().map_or(table, |a| a.name.value.clone());
                Ok(vec![Rel {
                    name: name.to_lowercase(),
                    cols,
                }])
            }
            TableFactor::Derived {
                lateral: false,
                subquery,
                alias,
                ..
            } => {
                let cols = renamed(self.query(subquery, outer, ctes)?, alias.as_ref());
                let name = alias
                    .as_ref()
                    .map_or(String::new(), |a| a.name.value.clone());
                Ok(vec![Rel {
                    name: name.to_lowercase(),
                    cols,
                }])
            }
            TableFactor::NestedJoin {
                table_with_joins,
                alias,
            } => {
                let rels = self.joined(
                    &table_with_joins.relation,
                    &table_with_joins.joins,
                    outer,
                    ctes,
                )?;
                Ok(match alias {
                    Some(a) => vec![Rel {
                        name: a.name.value.to_lowercase(),
                        cols: rels.into_iter().flat_map(|r| r.cols).collect(),
                    }],
                    None => rels,
                })
            }
            other => bail!("FROM {other} is not supported in a council query"),
        }
    }

    /// A relation and its joins, with every join condition checked.
    fn joined(
        &self,
        first: &TableFactor,
        joins: &[sqlparser::ast::Join],
        outer: Option<&Scope>,
        ctes: &Ctes,
    ) -> Result<Vec<Rel>> {
        let mut rels = self.relation(first, outer, ctes)?;
        for join in joins {
            let right = self.relation(&join.relation, outer, ctes)?;
            let natural_or_using = |c: &JoinConstraint, rels: &[Rel], right: &[Rel]| {
                let names: Vec<String> = match c {
                    JoinConstraint::Using(names) => names.iter().map(last_name).collect(),
                    JoinConstraint::Natural => right
                        .iter()
                        .flat_map(|r| r.cols.iter().map(|c| c.0.clone()))
                        .collect(),
                    _ => Vec::new(),
                };
                for n in names {
                    let person = rels
                        .iter()
                        .chain(right)
                        .flat_map(|r| &r.cols)
                        .find(|c| c.0.eq_ignore_ascii_case(&n) && c.1.is_some());
                    if let Some((_, Some(p))) = person {
                        return Err(refused(&format!("the join column '{n}'"), p));
                    }
                }
                Ok(())
            };
            let constraint = match &join.join_operator {
                JoinOperator::Join(c)
                | JoinOperator::Inner(c)
                | JoinOperator::Left(c)
                | JoinOperator::LeftOuter(c)
                | JoinOperator::Right(c)
                | JoinOperator::RightOuter(c)
                | JoinOperator::FullOuter(c)
                | JoinOperator::CrossJoin(c)
                | JoinOperator::Semi(c)
                | JoinOperator::LeftSemi(c)
                | JoinOperator::RightSemi(c)
                | JoinOperator::Anti(c)
                | JoinOperator::LeftAnti(c)
                | JoinOperator::RightAnti(c)
                | JoinOperator::StraightJoin(c)
                | JoinOperator::AsOf { constraint: c, .. } => c,
                other => bail!("the join {other:?} is not supported in a council query"),
            };
            natural_or_using(constraint, &rels, &right)?;
            rels.extend(right);
            let scope = Scope {
                rels,
                outputs: Vec::new(),
                outer,
            };
            self.walk(&join.join_operator, &scope, ctes)?;
            rels = scope.rels;
        }
        Ok(rels)
    }

    /// The output columns and relations of a SELECT, after checking each of its clauses.
    fn select(
        &self,
        select: &Select,
        outer: Option<&Scope>,
        ctes: &Ctes,
    ) -> Result<(Vec<Col>, Vec<Rel>)> {
        // Every field is named, so that a field a newer sqlparser adds is looked at here.
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
        if into.is_some() || !lateral_views.is_empty() || !connect_by.is_empty() {
            bail!("SELECT INTO, LATERAL VIEW and CONNECT BY are not supported in a council query");
        }
        let mut rels = Vec::new();
        for item in from {
            rels.extend(self.joined(&item.relation, &item.joins, outer, ctes)?);
        }
        let mut scope = Scope {
            rels,
            outputs: Vec::new(),
            outer,
        };
        let mut outputs = Vec::new();
        for item in projection {
            outputs.extend(self.select_item(item, &scope, ctes)?);
        }
        if let Some(ex) = exclude {
            let gone = excluded(ex);
            outputs.retain(|c| !gone.iter().any(|g| g.eq_ignore_ascii_case(&c.0)));
        }
        scope.outputs = outputs.clone();
        match distinct {
            Some(Distinct::On(exprs)) => {
                for e in exprs {
                    self.walk(e, &scope, ctes)?;
                }
            }
            Some(Distinct::Distinct | Distinct::All) | None => {}
        }
        if let Some(top) = top {
            self.walk(top, &scope, ctes)?;
        }
        for e in [prewhere, selection, having, qualify].into_iter().flatten() {
            self.walk(e, &scope, ctes)?;
        }
        match group_by {
            GroupByExpr::All(_) => {
                if let Some((_, Some(p))) = outputs.iter().find(|c| c.1.is_some()) {
                    return Err(refused("GROUP BY ALL", p));
                }
            }
            GroupByExpr::Expressions(exprs, _) => {
                for e in exprs {
                    self.positional_or_expr(e, &outputs, &scope, ctes, "GROUP BY")?;
                }
            }
        }
        for e in cluster_by.iter().chain(distribute_by) {
            self.walk(e, &scope, ctes)?;
        }
        for o in sort_by {
            self.positional_or_expr(&o.expr, &outputs, &scope, ctes, "SORT BY")?;
        }
        for w in named_window {
            self.walk(w, &scope, ctes)?;
        }
        Ok((outputs, scope.rels))
    }

    /// The output columns of one SELECT item. A bare column passes its person on (a
    /// subquery may hand it to an outer COUNT); any other expression is checked.
    fn select_item(&self, item: &SelectItem, scope: &Scope, ctes: &Ctes) -> Result<Vec<Col>> {
        let plain = |e: &Expr, alias: Option<&Ident>| -> Result<Col> {
            let parts = match e {
                Expr::Identifier(id) => Some(vec![id.clone()]),
                Expr::CompoundIdentifier(ids) => Some(ids.clone()),
                _ => None,
            };
            let name = |fallback: String| alias.map_or(fallback, |a| a.value.clone());
            match parts {
                Some(parts) => {
                    let last = parts.last().map_or(String::new(), |p| p.value.clone());
                    Ok((name(last), scope.person(&parts)))
                }
                None => {
                    self.walk(e, scope, ctes)?;
                    Ok((name(e.to_string()), None))
                }
            }
        };
        match item {
            SelectItem::UnnamedExpr(e) => Ok(vec![plain(e, None)?]),
            SelectItem::ExprWithAlias { expr, alias } => Ok(vec![plain(expr, Some(alias))?]),
            SelectItem::ExprWithAliases { expr, aliases } => {
                self.walk(expr, scope, ctes)?;
                Ok(aliases.iter().map(|a| (a.value.clone(), None)).collect())
            }
            SelectItem::Wildcard(opts) => {
                let cols = scope.rels.iter().flat_map(|r| r.cols.clone()).collect();
                self.wildcard(cols, opts, scope, ctes)
            }
            SelectItem::QualifiedWildcard(kind, opts) => {
                let cols = match kind {
                    SelectItemQualifiedWildcardKind::ObjectName(name) => {
                        let name = last_name(name).to_lowercase();
                        scope
                            .rels
                            .iter()
                            .filter(|r| r.name == name)
                            .flat_map(|r| r.cols.clone())
                            .collect()
                    }
                    SelectItemQualifiedWildcardKind::Expr(e) => {
                        self.walk(e, scope, ctes)?;
                        Vec::new()
                    }
                };
                self.wildcard(cols, opts, scope, ctes)
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

    /// Checks every column reference in a part of the query: a person column only as an
    /// argument of COUNT; subqueries inside it are checked with this scope as their outer one,
    /// and may not return a person column.
    fn walk<V: Visit + ?Sized>(&self, node: &V, scope: &Scope, ctes: &Ctes) -> Result<()> {
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

impl Visitor for Walk<'_, '_> {
    type Break = ();

    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
        if self.depth == 0 {
            match self.lineage.query(q, Some(self.scope), self.ctes) {
                Ok(cols) => {
                    if let Some((name, Some(p))) = cols.iter().find(|c| c.1.is_some()) {
                        self.error = Some(refused(&format!("a subquery's column '{name}'"), p));
                        return ControlFlow::Break(());
                    }
                }
                Err(e) => {
                    self.error = Some(e);
                    return ControlFlow::Break(());
                }
            }
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
        {
            let parent = self.stack.last().map(|p| {
                // SAFETY: the pointers are of expressions of the tree being visited, which
                // outlives the visit; an expression is popped before its parent.
                unsafe { &**p }
            });
            if !counted(e, parent) {
                self.error = Some(refused(&format!("'{e}'"), &person));
                return ControlFlow::Break(());
            }
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

/// The last part of a dotted name, as written.
fn last_name(name: &ObjectName) -> String {
    name.0
        .last()
        .and_then(|p| p.as_ident())
        .map_or_else(|| name.to_string(), |i| i.value.clone())
}

/// Columns renamed by position by an alias `AS x(a, b, c)`.
fn renamed(mut cols: Vec<Col>, alias: Option<&TableAlias>) -> Vec<Col> {
    if let Some(a) = alias {
        for (c, new) in cols.iter_mut().zip(&a.columns) {
            c.0 = new.name.value.clone();
        }
    }
    cols
}

/// The columns an EXCLUDE names.
fn excluded(ex: &sqlparser::ast::ExcludeSelectItem) -> Vec<String> {
    use sqlparser::ast::ExcludeSelectItem;
    match ex {
        ExcludeSelectItem::Single(n) => vec![last_name(n)],
        ExcludeSelectItem::Multiple(ns) => ns.iter().map(last_name).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// zaken_sociaal as the warehouse stores it: 16 columns, client_id (6th) and consulent
    /// (7th) hold people.
    fn tables() -> Tables {
        let cols: Vec<String> = [
            "gemeente",
            "zaak_id",
            "wet",
            "product",
            "team",
            "client_id",
            "consulent",
            "datum_melding",
            "datum_aanvraag",
            "datum_start_onderzoek",
            "datum_einde_onderzoek",
            "datum_beschikking",
            "opschorting_dagen",
            "verdaagd",
            "uitkomst",
            "_ingest_id",
        ]
        .map(String::from)
        .to_vec();
        let mut t = Tables::default();
        t.add("zaken_sociaal", &cols, &["client_id", "consulent"]);
        t.add(
            "meldingen",
            &["melding_id".into(), "categorie".into(), "wijk".into()],
            &[],
        );
        t
    }

    fn council(sql: &str) -> Result<()> {
        check(sql, &tables(), true)
    }

    #[test]
    fn table_functions_and_statements_are_refused_for_everyone() {
        for sql in [
            "SELECT * FROM read_csv('export.csv')",
            "SELECT * FROM read_parquet('x.parquet')",
            "SELECT * FROM READ_JSON('x.json')",
            "SELECT m.* FROM meldingen m JOIN read_csv('k.csv') k ON m.wijk = k.wijk",
            "SELECT * FROM (SELECT * FROM read_csv('x.csv')) AS t",
            "WITH x AS (SELECT * FROM read_ndjson('x')) SELECT * FROM x",
            "SELECT * FROM meldingen WHERE wijk IN (SELECT wijk FROM read_csv('x.csv'))",
            "SELECT * FROM read_delta('x')",
            "CREATE TABLE t AS SELECT * FROM read_csv('x.csv')",
            "EXPLAIN SELECT * FROM read_csv('x.csv')",
            "DROP TABLE meldingen",
        ] {
            let err = check(sql, &tables(), false).expect_err(sql).to_string();
            assert!(
                err.contains("reads a file") || err.contains("only queries"),
                "{sql}: {err}"
            );
        }
        check(
            "SELECT wijk, COUNT(*) FROM meldingen GROUP BY 1",
            &tables(),
            false,
        )
        .unwrap();
        check("SHOW TABLES", &tables(), false).unwrap();
    }

    /// Issue 11, item 9: unnamed results get names that do not clash.
    #[test]
    fn unnamed_results_are_named() {
        let named = name_results(
            "SELECT categorie, MIN(datum_melding), MAX(datum_melding), COUNT(*), \
             COUNT(DISTINCT wijk), count(wijk) FROM meldingen GROUP BY categorie",
        )
        .unwrap();
        for alias in [
            "min_datum_melding",
            "max_datum_melding",
            "AS aantal,",
            "aantal_uniek_wijk",
            "AS aantal_wijk",
        ] {
            assert!(named.contains(alias), "{alias}: {named}");
        }
        let same = "SELECT COUNT(*) AS n FROM meldingen";
        assert_eq!(name_results(same).unwrap(), same);
        // Two of the same get a number.
        let twice = name_results("SELECT COUNT(*), COUNT(*) FROM meldingen").unwrap();
        assert!(
            twice.contains("AS aantal,") && twice.contains("AS aantal_2"),
            "{twice}"
        );
        // Inside a subquery too.
        let sub = name_results("SELECT * FROM (SELECT MIN(a), MAX(a) FROM t) AS x").unwrap();
        assert!(sub.contains("min_a") && sub.contains("max_a"), "{sub}");
    }

    #[test]
    fn polars_errors_in_one_line() {
        let dump = "duplicate: projections contained duplicate output name 'datum_melding'. It's \
                    possible ...\n\nResolved plan until failure:\n\n\t---> FAILED HERE";
        assert_eq!(
            plain_error(dump),
            "two result columns are both called 'datum_melding': give one another name with AS \
             (SELECT MIN(x) AS eerste, MAX(x) AS laatste ...)"
        );
        assert!(!plain_error("a\nb\nc").contains('\n'));
    }

    #[test]
    fn council_queries_that_count_people_pass() {
        for sql in [
            "SELECT team, COUNT(*) AS n FROM zaken_sociaal GROUP BY team",
            "SELECT team, COUNT(DISTINCT client_id) AS clienten FROM zaken_sociaal GROUP BY 1",
            "SELECT wet, COUNT(client_id) FROM zaken_sociaal GROUP BY wet ORDER BY 2 DESC",
            "SELECT COUNT(*) FROM (SELECT * FROM zaken_sociaal) AS x",
            "SELECT COUNT(DISTINCT c6) FROM (SELECT * FROM zaken_sociaal) AS x(c1,c2,c3,c4,c5,c6)",
            "WITH z AS (SELECT team, client_id FROM zaken_sociaal) \
             SELECT team, COUNT(DISTINCT client_id) FROM z GROUP BY team",
            "SELECT team, COUNT(*) FROM zaken_sociaal GROUP BY team HAVING COUNT(DISTINCT client_id) > 3",
            "SELECT gemeente, product, COUNT(*) FROM zaken_sociaal GROUP BY 1, 2 \
             UNION ALL SELECT gemeente, 'totaal', COUNT(*) FROM zaken_sociaal GROUP BY 1",
        ] {
            council(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
    }

    /// The walks around a check by name (issue 10, item 2), and the plain cases.
    #[test]
    fn council_queries_that_show_or_use_people_are_refused() {
        for sql in [
            "SELECT team, client_id FROM zaken_sociaal",
            "SELECT * FROM zaken_sociaal",
            "SELECT c2 AS code, c6 AS wie, COUNT(*) FROM (SELECT * FROM zaken_sociaal) AS \
             x(c1,c2,c3,c4,c5,c6,c7,c8,c9,c10,c11,c12,c13,c14,c15,c16) GROUP BY c2, c6",
            "SELECT REPLACE(c7, '. ', '_') AS w, COUNT(*) FROM (SELECT * FROM zaken_sociaal) AS \
             x(c1,c2,c3,c4,c5,c6,c7) GROUP BY 1",
            "SELECT UPPER(consulent), COUNT(*) FROM zaken_sociaal GROUP BY 1",
            "SELECT team, COUNT(*) FROM zaken_sociaal GROUP BY team, consulent",
            "SELECT COUNT(*) FROM zaken_sociaal WHERE consulent = 'K. Visser'",
            "SELECT COUNT(*) FILTER (WHERE consulent = 'K. Visser') FROM zaken_sociaal",
            "SELECT COUNT(*) OVER (PARTITION BY client_id) FROM zaken_sociaal",
            "SELECT wie FROM (SELECT consulent AS wie FROM zaken_sociaal) t",
            "SELECT t.w FROM (SELECT z.consulent AS w FROM zaken_sociaal z) AS t",
            "WITH p AS (SELECT consulent FROM zaken_sociaal) SELECT * FROM p",
            "WITH p(a) AS (SELECT consulent FROM zaken_sociaal) SELECT a, COUNT(*) FROM p GROUP BY a",
            "SELECT team FROM zaken_sociaal UNION SELECT consulent FROM zaken_sociaal",
            "SELECT (SELECT MAX(consulent) FROM zaken_sociaal) AS x",
            "SELECT COUNT(*) FROM zaken_sociaal a JOIN zaken_sociaal b ON a.client_id = b.client_id",
            "SELECT COUNT(*) FROM zaken_sociaal a JOIN zaken_sociaal b USING (client_id)",
            "SELECT team, MIN(client_id) FROM zaken_sociaal GROUP BY team",
            "SELECT team, COUNT(DISTINCT SUBSTR(client_id, 1, 2)) FROM zaken_sociaal GROUP BY team",
            "SELECT team FROM zaken_sociaal ORDER BY consulent",
            "SELECT * EXCLUDE (client_id) FROM zaken_sociaal",
            "SELECT * RENAME (consulent AS medewerker) FROM (SELECT team, consulent FROM zaken_sociaal)",
            "SELECT DISTINCT consulent FROM zaken_sociaal",
            "SELECT CONSULENT FROM zaken_sociaal",
            "SELECT \"consulent\" FROM zaken_sociaal",
        ] {
            let err = council(sql).expect_err(sql).to_string();
            assert!(err.contains("holds people"), "{sql}: {err}");
        }
    }

    /// Polars offers these table functions today; each reads a file when no guard stands in
    /// the way, and the guard refuses every one (and any name it does not know).
    #[test]
    fn every_table_function_polars_offers_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("x.csv");
        std::fs::write(&csv, "bsn,naam\n123456782,K. Visser\n").unwrap();
        let offered = offered_table_functions();
        assert!(offered.contains(&"read_csv".to_string()), "{offered:?}");
        for f in &offered {
            let sql = format!("SELECT * FROM {f}('{}')", csv.display());
            let mut ctx = polars::sql::SQLContext::new();
            // read_csv really reads the file without the guard.
            if f == "read_csv" {
                let df = ctx.execute(&sql).unwrap().collect().unwrap();
                assert_eq!(df.height(), 1);
            }
            assert!(check(&sql, &tables(), false).is_err(), "{f}");
        }
    }

    /// The table functions polars' SQL knows: names it does not answer with "is not a
    /// supported table function". The candidates cover every reader polars has.
    fn offered_table_functions() -> Vec<String> {
        let mut out = Vec::new();
        for f in [
            "read_csv",
            "read_parquet",
            "read_json",
            "read_ndjson",
            "read_ipc",
            "read_arrow",
            "read_feather",
            "read_delta",
            "read_iceberg",
            "read_excel",
            "read_avro",
            "read_database",
            "scan_csv",
            "scan_parquet",
            "scan_ndjson",
            "scan_ipc",
        ] {
            let mut ctx = polars::sql::SQLContext::new();
            let sql = format!("SELECT * FROM {f}('/nonexistent/x')");
            let supported = match ctx.execute(&sql) {
                Ok(_) => true,
                Err(e) => !e.to_string().contains("is not a supported table function"),
            };
            if supported {
                out.push(f.to_string());
            }
        }
        out
    }
}
