//! The FROM clause of a council query: the relations it brings into scope, and its joins,
//! whose conditions may not use a column that holds people.

use super::last_name;
use super::lineage::Lineage;
use super::scope::{Ctes, Rel, Scope, refused, renamed};
use anyhow::{Result, bail};
use sqlparser::ast::{
    Join, JoinConstraint, JoinOperator, Query, TableAlias, TableFactor, TableWithJoins,
};

impl Lineage<'_> {
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
                Ok(vec![Rel::new(&name, cols)])
            }
            TableFactor::Derived {
                lateral: false,
                subquery,
                alias,
                ..
            } => self.derived(subquery, alias.as_ref(), outer, ctes),
            TableFactor::NestedJoin {
                table_with_joins,
                alias,
            } => self.nested(table_with_joins, alias.as_ref(), outer, ctes),
            other => bail!("FROM {other} is not supported in a council query"),
        }
    }

    /// A subquery in FROM: one relation, named by its alias (or nameless).
    fn derived(
        &self,
        subquery: &Query,
        alias: Option<&TableAlias>,
        outer: Option<&Scope>,
        ctes: &Ctes,
    ) -> Result<Vec<Rel>> {
        let cols = renamed(self.query(subquery, outer, ctes)?, alias);
        let name = alias.map_or(String::new(), |a| a.name.value.clone());
        Ok(vec![Rel::new(&name, cols)])
    }

    /// A parenthesised join: its relations, or one relation of all their columns when it has
    /// an alias.
    fn nested(
        &self,
        inner: &TableWithJoins,
        alias: Option<&TableAlias>,
        outer: Option<&Scope>,
        ctes: &Ctes,
    ) -> Result<Vec<Rel>> {
        let rels = self.joined(&inner.relation, &inner.joins, outer, ctes)?;
        Ok(match alias {
            Some(a) => vec![Rel::new(
                &a.name.value,
                rels.into_iter().flat_map(|r| r.cols).collect(),
            )],
            None => rels,
        })
    }

    /// A relation and its joins, with every join condition checked.
    pub(super) fn joined(
        &self,
        first: &TableFactor,
        joins: &[Join],
        outer: Option<&Scope>,
        ctes: &Ctes,
    ) -> Result<Vec<Rel>> {
        let mut rels = self.relation(first, outer, ctes)?;
        for join in joins {
            let right = self.relation(&join.relation, outer, ctes)?;
            let constraint = constraint(&join.join_operator)?;
            refuse_shared_people(constraint, &rels, &right)?;
            rels.extend(right);
            let scope = Scope::new(rels, outer);
            self.walk(&join.join_operator, &scope, ctes)?;
            rels = scope.rels;
        }
        Ok(rels)
    }
}

/// The constraint of a join (ON, USING, NATURAL or none); a kind of join the check does not
/// know is refused.
fn constraint(operator: &JoinOperator) -> Result<&JoinConstraint> {
    Ok(match operator {
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
    })
}

/// Refuses a join on a column that holds people through USING (...) or NATURAL, which name
/// the join columns instead of comparing them in an expression (the ON condition is walked).
fn refuse_shared_people(c: &JoinConstraint, left: &[Rel], right: &[Rel]) -> Result<()> {
    let names: Vec<String> = match c {
        JoinConstraint::Using(names) => names.iter().map(last_name).collect(),
        JoinConstraint::Natural => right
            .iter()
            .flat_map(|r| r.cols.iter().map(|c| c.0.clone()))
            .collect(),
        _ => Vec::new(),
    };
    for n in names {
        let person = left
            .iter()
            .chain(right)
            .flat_map(|r| &r.cols)
            .find(|c| c.0.eq_ignore_ascii_case(&n) && c.1.is_some());
        if let Some((_, Some(p))) = person {
            return Err(refused(&format!("the join column '{n}'"), p));
        }
    }
    Ok(())
}
