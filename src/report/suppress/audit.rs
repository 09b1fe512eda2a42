//! The last check of the suppression: with every hidden count an integer in what a reader
//! knows of it, and every relation a reader knows (totals, row totals, known sums), integer
//! programming tells whether any hidden count can take one value only; such a count is
//! protected by hiding more, or by saying less about the hidden counts of its column.

use super::{Cell, Grid, ROW_RELATIONS, SECONDARY};
use microlp::{ComparisonOp, OptimizationDirection, Problem, Variable};
use polars::prelude::*;
use std::collections::{BTreeSet, HashMap};

/// What a reader knows: `whole` (a cell, or a sum known from elsewhere) is the sum of `parts`,
/// or at least that when the table only says so (`exact` false).
#[derive(Debug, Clone)]
pub(super) struct Relation {
    whole: Whole,
    parts: Vec<Cell>,
    exact: bool,
}

#[derive(Debug, Clone, Copy)]
enum Whole {
    Cell(usize, usize),
    Known(i64),
}

impl Relation {
    /// The whole, when it is a cell of the table.
    fn whole_cell(&self) -> Option<Cell> {
        match self.whole {
            Whole::Cell(j, i) => Some((j, i)),
            Whole::Known(_) => None,
        }
    }

    /// Whether a cell is the whole or one of the parts.
    fn has(&self, c: Cell) -> bool {
        self.parts.contains(&c) || self.whole_cell() == Some(c)
    }
}

/// Everything a reader knows about how the counts add up: column totals (recognised total
/// rows, or a known sum of each column when the table has none), and the row relations.
pub(super) fn relations(
    values: &[Vec<Option<i64>>],
    counts: &[bool],
    segments: &[(Vec<usize>, usize)],
    df: &DataFrame,
) -> Vec<Relation> {
    let mut out = Vec::new();
    for j in (0..values.len()).filter(|&j| counts[j]) {
        out.extend(column_relations(values, j, segments, df.height()));
    }
    out.extend(row_relations(values, df));
    out
}

/// Whether a whole is known to be exactly the sum of its parts.
fn adds_up(whole: Option<i64>, parts: &[Option<i64>]) -> bool {
    whole.is_some() && whole == parts.iter().copied().sum::<Option<i64>>()
}

/// The totals of count column `j`: each total row over the rows it covers, or, in a table
/// without total rows, the column's sum (known from elsewhere) over all of its rows.
fn column_relations(
    values: &[Vec<Option<i64>>],
    j: usize,
    segments: &[(Vec<usize>, usize)],
    height: usize,
) -> Vec<Relation> {
    let mut out: Vec<Relation> = segments
        .iter()
        .map(|(rows, t)| {
            let vals: Vec<Option<i64>> = rows.iter().map(|&i| values[j][i]).collect();
            Relation {
                whole: Whole::Cell(j, *t),
                exact: adds_up(values[j][*t], &vals),
                parts: rows.iter().map(|&i| (j, i)).collect(),
            }
        })
        .collect();
    if segments.is_empty()
        && height > 1
        && let Some(sum) = (0..height).map(|i| values[j][i]).sum::<Option<i64>>()
    {
        out.push(Relation {
            whole: Whole::Known(sum),
            parts: (0..height).map(|i| (j, i)).collect(),
            exact: true,
        });
    }
    out
}

/// The row totals of `ROW_RELATIONS`, in every row.
fn row_relations(values: &[Vec<Option<i64>>], df: &DataFrame) -> Vec<Relation> {
    let mut out = Vec::new();
    for (whole, parts) in ROW_RELATIONS {
        let Some(w) = df.get_column_index(whole) else {
            continue;
        };
        let parts: Vec<usize> = parts
            .iter()
            .filter_map(|p| df.get_column_index(p))
            .collect();
        if parts.is_empty() {
            continue;
        }
        for (i, whole_value) in values[w].iter().enumerate() {
            let vals: Vec<Option<i64>> = parts.iter().map(|&p| values[p][i]).collect();
            out.push(Relation {
                whole: Whole::Cell(w, i),
                exact: adds_up(*whole_value, &vals),
                parts: parts.iter().map(|&p| (p, i)).collect(),
            });
        }
    }
    out
}

impl Grid<'_> {
    /// Whether a reader can work out the hidden count `target` exactly: integer programming
    /// over every hidden count (within what a reader knows of it) and every relation. Its true
    /// value is a solution; it is pinned when no other value is.
    fn pinned(&self, target: Cell, relations: &[Relation], big: i64) -> bool {
        let Some(truth) = self.values[target.0][target.1] else {
            return false;
        };
        let (lo, hi) = self.reader_bounds(target, big);
        let other = |op: ComparisonOp, bound: i64| self.feasible(target, relations, big, op, bound);
        let lower = truth > lo && other(ComparisonOp::Le, truth - 1);
        let higher = truth < hi && other(ComparisonOp::Ge, truth + 1);
        !lower && !higher
    }

    /// Whether the hidden counts can meet every relation with `target` `op` `bound`.
    fn feasible(
        &self,
        target: Cell,
        relations: &[Relation],
        big: i64,
        op: ComparisonOp,
        bound: i64,
    ) -> bool {
        let mut program = Program {
            grid: self,
            big,
            problem: Problem::new(OptimizationDirection::Minimize),
            vars: HashMap::new(),
        };
        let t = program.var(target);
        program.problem.add_constraint([(t, 1.0)], op, bound as f64);
        for r in relations {
            program.constrain(r);
        }
        // A numerical failure counts as feasible only when it is a proven solution:
        // anything else is taken as "no other value", so that more is hidden.
        matches!(
            program.problem.solve().map(|o| o.into_solution().is_ok()),
            Ok(true)
        )
    }

    /// What a reader knows of a count: a shown one is itself; a hidden one its bounds.
    fn reader_bounds(&self, (j, i): Cell, big: i64) -> (i64, i64) {
        if !self.hidden((j, i)) {
            let v = self.values[j][i].unwrap_or(0);
            return (v, v);
        }
        let (lo, hi) = self.bounds[j][i];
        (lo.clamp(0, big), hi.clamp(0, big))
    }

    /// The highest a count can be in the reader's program: the sum of all counts, within
    /// what the solver's 32-bit bounds can hold.
    fn big(&self) -> i64 {
        self.values
            .iter()
            .flatten()
            .flatten()
            .map(|v| v.abs())
            .sum::<i64>()
            .clamp(1, i64::from(i32::MAX / 4))
    }

    /// The counts (with a value) in any relation: those a reader can reason about.
    fn members(&self, relations: &[Relation]) -> BTreeSet<Cell> {
        relations
            .iter()
            .flat_map(|r| r.parts.iter().copied().chain(r.whole_cell()))
            .filter(|&(j, i)| self.values[j][i].is_some())
            .collect()
    }

    /// Hides counts until no hidden count is pinned by the relations; whether it hid any.
    /// For a pinned count, the shown counts of its column and row are tried one by one
    /// (those in a relation with it first, smallest first) until one whose hiding protects it
    /// is found; when none does alone, the first is hidden and the search goes on. With
    /// nothing left to hide, the hidden counts of its column are shown as "x" without saying
    /// whether they are small.
    pub(super) fn audit(&mut self, relations: &[Relation]) -> bool {
        let big = self.big();
        let members = self.members(relations);
        let mut changed = false;
        let mut given_up: Vec<Cell> = Vec::new();
        loop {
            let Some(target) = members
                .iter()
                .copied()
                .filter(|c| self.hidden(*c) && !given_up.contains(c))
                .find(|&c| self.pinned(c, relations, big))
            else {
                return changed;
            };
            if self.protect(target, &members, relations, big) {
                changed = true;
            } else {
                given_up.push(target);
            }
        }
    }

    /// One step towards protecting the pinned count `target` (see `audit`); whether anything
    /// changed.
    fn protect(
        &mut self,
        target: Cell,
        members: &BTreeSet<Cell>,
        relations: &[Relation],
        big: i64,
    ) -> bool {
        let candidates = self.candidates(target, members, relations);
        if self.hide_one_that_protects(target, &candidates, relations, big) {
            return true;
        }
        if let Some(&(j, i)) = candidates.first() {
            self.hide(j, i, self.hiding_bounds((j, i)));
            return true;
        }
        // Nothing left to hide around it: a reader must stop seeing which hidden counts
        // of this column are small.
        self.demote_column(target.0, members)
    }

    /// The shown counts of the target's column and row: those in a relation with it first,
    /// then smallest first.
    fn candidates(
        &self,
        target: Cell,
        members: &BTreeSet<Cell>,
        relations: &[Relation],
    ) -> Vec<Cell> {
        let related = |c: Cell| relations.iter().any(|r| r.has(c) && r.has(target));
        let mut candidates: Vec<Cell> = members
            .iter()
            .copied()
            .filter(|&(j, i)| j == target.0 || i == target.1)
            .filter(|&c| !self.hidden(c) && self.values[c.0][c.1].is_some())
            .collect();
        // A zero is hidden only when nothing else helps: it is then 0 or more to a reader.
        candidates
            .sort_by_key(|&(j, i)| (self.zero((j, i)), !related((j, i)), self.values[j][i], j, i));
        candidates
    }

    /// Whether a count is zero.
    fn zero(&self, (j, i): Cell) -> bool {
        self.values[j][i] == Some(0)
    }

    /// What a reader knows of a shown count once hidden: a zero is 0 or more, any other count
    /// at least the minimum.
    fn hiding_bounds(&self, c: Cell) -> (i64, i64) {
        if self.zero(c) {
            (0, i64::MAX)
        } else {
            (self.min_cell, i64::MAX)
        }
    }

    /// Hides the first of `candidates` whose hiding leaves `target` unpinned; whether one did.
    fn hide_one_that_protects(
        &mut self,
        target: Cell,
        candidates: &[Cell],
        relations: &[Relation],
        big: i64,
    ) -> bool {
        for &(j, i) in candidates {
            let before = (self.marks[j][i], self.bounds[j][i]);
            self.hide(j, i, self.hiding_bounds((j, i)));
            if !self.pinned(target, relations, big) {
                return true;
            }
            (self.marks[j][i], self.bounds[j][i]) = before;
        }
        false
    }

    /// Shows the hidden counts of `column` as "x" of 0 or more; whether any was not yet.
    fn demote_column(&mut self, column: usize, members: &BTreeSet<Cell>) -> bool {
        let mut demoted = false;
        for &(j, i) in members.iter().filter(|c| c.0 == column) {
            if self.hidden((j, i)) && self.bounds[j][i] != (0, i64::MAX) {
                self.marks[j][i] = SECONDARY;
                self.bounds[j][i] = (0, i64::MAX);
                demoted = true;
            }
        }
        demoted
    }
}

/// A reader's integer program: a variable per hidden count (within what a reader knows of
/// it), a constraint per relation.
struct Program<'g, 'a> {
    grid: &'g Grid<'a>,
    big: i64,
    problem: Problem,
    vars: HashMap<Cell, Variable>,
}

impl Program<'_, '_> {
    /// The variable of a hidden count, added on first use.
    fn var(&mut self, cell: Cell) -> Variable {
        let (grid, big, problem) = (self.grid, self.big, &mut self.problem);
        *self.vars.entry(cell).or_insert_with(|| {
            let (lo, hi) = grid.reader_bounds(cell, big);
            problem.add_integer_var(0.0, (lo as i32, hi as i32))
        })
    }

    /// A relation as a constraint on its hidden counts (the shown ones are constants); none
    /// when it holds no hidden count.
    fn constrain(&mut self, r: &Relation) {
        let mut terms = Vec::new();
        let mut rhs = 0.0;
        let whole = r.whole_cell().map(|c| (c, -1.0));
        for (cell, sign) in r.parts.iter().map(|&c| (c, 1.0)).chain(whole) {
            if self.grid.hidden(cell) {
                terms.push((self.var(cell), sign));
            } else {
                rhs -= sign * self.grid.values[cell.0][cell.1].unwrap_or(0) as f64;
            }
        }
        if let Whole::Known(n) = r.whole {
            rhs += n as f64;
        }
        if terms.is_empty() {
            return;
        }
        let op = if r.exact {
            ComparisonOp::Eq
        } else {
            ComparisonOp::Le
        };
        self.problem.add_constraint(terms, op, rhs);
    }
}
