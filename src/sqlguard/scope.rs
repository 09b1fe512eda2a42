//! What a column reference in a council query can refer to, and the person column it may carry.

use super::Col;
use sqlparser::ast::{Ident, TableAlias};
use std::collections::HashMap;

/// Common table expressions visible at a point of the query.
pub(super) type Ctes = HashMap<String, Vec<Col>>;

/// One relation of a FROM clause: its name (alias or table, lower case) and columns.
pub(super) struct Rel {
    pub(super) name: String,
    pub(super) cols: Vec<Col>,
}

impl Rel {
    /// A relation called `name` (stored in lower case).
    pub(super) fn new(name: &str, cols: Vec<Col>) -> Rel {
        Rel {
            name: name.to_lowercase(),
            cols,
        }
    }
}

/// What a column reference can refer to: the relations of its SELECT, the SELECT's own output
/// names (ORDER BY, HAVING and GROUP BY may use them), and the enclosing query's scope.
pub(super) struct Scope<'a> {
    pub(super) rels: Vec<Rel>,
    pub(super) outputs: Vec<Col>,
    pub(super) outer: Option<&'a Scope<'a>>,
}

impl<'a> Scope<'a> {
    /// A scope of these relations, without output names yet.
    pub(super) fn new(rels: Vec<Rel>, outer: Option<&'a Scope<'a>>) -> Scope<'a> {
        Scope {
            rels,
            outputs: Vec::new(),
            outer,
        }
    }

    /// A scope with nothing of its own: only the enclosing query's (LIMIT, FETCH, VALUES).
    pub(super) fn empty(outer: Option<&'a Scope<'a>>) -> Scope<'a> {
        Scope::new(Vec::new(), outer)
    }
}

impl Scope<'_> {
    /// The person column a reference (`c`, `t.c`, `s.t.c`) may carry, if any. Conservative: a
    /// qualifier that names no relation, or a name found in several places, counts every match.
    pub(super) fn person(&self, parts: &[Ident]) -> Option<String> {
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

    /// This scope and the ones around it, innermost first.
    fn chain(&self) -> impl Iterator<Item = &Scope<'_>> {
        std::iter::successors(Some(self), |s| s.outer)
    }
}

/// The refusal of a person column used outside COUNT(...): `what` is the use, `person` the
/// column (`table.column`).
pub(super) fn refused(what: &str, person: &str) -> anyhow::Error {
    let column = person.rsplit('.').next().unwrap_or(person);
    anyhow::anyhow!(
        "the query uses {what} ({person}), a column that holds people, outside COUNT(...); a \
         report with audience = \"raad\" may count people (COUNT(DISTINCT {column})) but not \
         show, group, filter or join on them"
    )
}

/// The refusal for the first of `cols` that holds people (`what` names the use), if any.
pub(super) fn refuse_people(cols: &[Col], what: &str) -> anyhow::Result<()> {
    match cols.iter().find(|c| c.1.is_some()) {
        Some((_, Some(p))) => Err(refused(what, p)),
        _ => Ok(()),
    }
}

/// Columns renamed by position by an alias `AS x(a, b, c)`.
pub(super) fn renamed(mut cols: Vec<Col>, alias: Option<&TableAlias>) -> Vec<Col> {
    if let Some(a) = alias {
        for (c, new) in cols.iter_mut().zip(&a.columns) {
            c.0 = new.name.value.clone();
        }
    }
    cols
}
