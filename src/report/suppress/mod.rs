//! Publication safety for tables to the council: counts below the minimum cell size are shown
//! as "<5"; then secondary suppression ("x"), repeated until nothing changes, so that a hidden
//! count cannot be recomputed:
//! - from a total row: a total covers the rows since the previous total. Where those rows hold
//!   exactly one hidden count, the smallest other count is hidden too; where the hidden counts
//!   can add up to the rest of the total in one way only (two counts of "<5" and a rest of 8 =
//!   4 + 4, or 2 = 1 + 1), another count is hidden, or the total when there is none;
//! - from a row total: in the waiting-list tables the cases are at least afgesloten plus open,
//!   and afgesloten at least besluiten plus ingetrokken; the same two rules apply along the row;
//! - from a percentage: "% binnen termijn" times the besluiten it is a share of gives a count;
//!   the percentage is hidden when that count, or the rest, is small, or when the besluiten are
//!   hidden;
//! - from a running total: in a flow table the werkvoorraad (backlog) changes by inflow minus
//!   outflow, so when an inflow, outflow or backlog is hidden, the whole backlog column and the
//!   rates are hidden.
//!
//! Figures derived from a group smaller than the minimum (its medians, percentages) are hidden
//! with it. Each hidden cell carries what a reader knows of it: "<5" is 1 to 4, an "x" of a
//! small group 0 to 4, any other "x" at least 5 (it was a shown count).
//!
//! A total row is a row with "totaal" (or "total") in any label column: it covers the rows
//! that agree with it in the other label columns ("Zevenaar | totaal" covers Zevenaar's rows),
//! or, when it has no other label, the rows since the previous such total. A label "Zevenaar /
//! totaal" (groups of several columns) totals the rows labelled "Zevenaar / ...". A table in which no
//! total is recognised is treated as summable: a reader is assumed to know each column's sum
//! (from another table, or a total published elsewhere).
//!
//! Last, an audit: with every hidden count an integer in what a reader knows of it, and every
//! relation above (totals, row totals, known sums), integer programming tells whether any
//! hidden count can take one value only. Such a count is protected by hiding the smallest
//! shown count in one of its relations, or, where none is left, by showing the hidden counts
//! of that relation as "x" (a reader can no longer tell they are small). This repeats until no
//! hidden count is pinned.

mod audit;
mod totals;

use anyhow::Result;
use polars::prelude::*;

/// The suppressed table and how many cells were hidden.
pub struct Suppressed {
    pub df: DataFrame,
    pub hidden: usize,
}

/// Columns that measure time or size in days, weeks or years rather than count people.
const TIME_COLUMNS: &[&str] = &[
    "median_days",
    "median_ci_lower",
    "median_ci_upper",
    "p75_days",
    "p90_days",
    "time",
    "days",
    "dagen",
    "week",
    "weeks_to_clear",
    "jaar",
    "year",
];

/// Whole-number columns are counts, except those that measure time.
fn is_count(c: &Column) -> bool {
    let whole = matches!(
        c.dtype(),
        DataType::Int64 | DataType::Int32 | DataType::UInt64 | DataType::UInt32
    );
    let name = c.name().to_lowercase();
    let timed = TIME_COLUMNS.contains(&name.as_str())
        || name.ends_with("_days")
        || name.ends_with("_dagen");
    whole && !timed
}

/// A row total and its parts: the whole is at least the sum of the parts, often equal.
const ROW_RELATIONS: &[(&str, &[&str])] = &[
    ("n", &["closed_12m", "open"]),
    ("closed_12m", &["decided_12m", "withdrawn"]),
];

/// A percentage and the count it is a percentage of.
const PERCENT_OF: &[(&str, &str)] = &[
    ("within_term_pct", "decided_12m"),
    ("within_term_pct_3m", "decided_3m"),
];

/// Columns that follow from the inflow and outflow of a flow table.
const FLOW_DERIVED: &[&str] = &["backlog", "outflow_per_week_8w", "weeks_to_clear"];

const SHOWN: u8 = 0;
const PRIMARY: u8 = 1;
const SECONDARY: u8 = 2;

/// A cell of a table: (column, row).
type Cell = (usize, usize);

/// A count a reader may not see: above zero and below the minimum cell size.
fn small(x: i64, min_cell: i64) -> bool {
    x > 0 && x < min_cell
}

/// The cells of a table with what is hidden and what a reader knows of each hidden count.
struct Grid<'a> {
    values: &'a [Vec<Option<i64>>],
    marks: Vec<Vec<u8>>,
    /// (lowest, highest) a reader knows a hidden count to be.
    bounds: Vec<Vec<(i64, i64)>>,
    min_cell: i64,
}

impl<'a> Grid<'a> {
    /// The counts below the minimum hidden ("<5"): a reader knows them to be 1 to
    /// `min_cell - 1`.
    fn new(values: &'a [Vec<Option<i64>>], min_cell: i64, height: usize) -> Grid<'a> {
        let marks: Vec<Vec<u8>> = values
            .iter()
            .map(|v| {
                v.iter()
                    .map(|x| {
                        if x.is_some_and(|x| small(x, min_cell)) {
                            PRIMARY
                        } else {
                            SHOWN
                        }
                    })
                    .collect()
            })
            .collect();
        Grid {
            values,
            bounds: vec![vec![(1, min_cell - 1); height]; values.len()],
            marks,
            min_cell,
        }
    }
}

impl Grid<'_> {
    /// Hides a shown cell ("x"), which a reader then knows to lie within `bounds`.
    fn hide(&mut self, j: usize, i: usize, bounds: (i64, i64)) {
        if self.marks[j][i] == SHOWN {
            self.marks[j][i] = SECONDARY;
            self.bounds[j][i] = bounds;
        }
    }

    /// A count of the table: shown as itself, or a reader's variable.
    fn hidden(&self, (j, i): Cell) -> bool {
        self.marks[j][i] != SHOWN
    }

    /// Protects a sum: `whole` (shown) is at least the sum of `parts`, and may be equal. Hides
    /// another part, or the whole, when the hidden parts could be recomputed from it.
    fn protect_sum(&mut self, whole: Cell, parts: &[Cell]) {
        let (wj, wi) = whole;
        let Some(total) = self.values[wj][wi] else {
            return;
        };
        if self.hidden(whole) {
            return;
        }
        let hidden: Vec<Cell> = parts.iter().copied().filter(|&c| self.hidden(c)).collect();
        if hidden.is_empty() || !self.recomputable(total, parts, &hidden) {
            return;
        }
        // Rather another part than the whole (the whole is often shown elsewhere too).
        match self.smallest_shown(parts) {
            Some((j, i)) => self.hide(j, i, (self.min_cell, i64::MAX)),
            None => self.hide(wj, wi, (0, i64::MAX)),
        }
    }

    /// Whether the `hidden` parts of a sum follow from its `total`: one alone, or several that
    /// can make up the rest of the total in one way only (all at their lowest or highest).
    fn recomputable(&self, total: i64, parts: &[Cell], hidden: &[Cell]) -> bool {
        if hidden.len() == 1 {
            return true;
        }
        let shown: i64 = parts
            .iter()
            .filter(|&&c| !self.hidden(c))
            .filter_map(|&(j, i)| self.values[j][i])
            .sum();
        let rest = total - shown;
        let lo: i64 = hidden.iter().map(|&(j, i)| self.bounds[j][i].0).sum();
        let hi = hidden
            .iter()
            .map(|&(j, i)| self.bounds[j][i].1)
            .fold(0i64, i64::saturating_add);
        rest == lo || rest == hi
    }

    /// The smallest shown count above zero among `parts`.
    fn smallest_shown(&self, parts: &[Cell]) -> Option<Cell> {
        parts
            .iter()
            .copied()
            .filter(|&(j, i)| !self.hidden((j, i)) && self.values[j][i].is_some_and(|x| x > 0))
            .min_by_key(|&(j, i)| self.values[j][i])
    }
}

/// `group_col`: the column naming the rows (its label is never hidden); `total`: the word of a
/// total row besides "totaal" and "total" (see the module's docs for what a total covers);
/// `size_col`: the column holding each row's group size, if any.
pub fn suppress(
    df: &DataFrame,
    nl: bool,
    min_cell: i64,
    group_col: Option<&str>,
    total: &str,
    size_col: Option<&str>,
) -> Result<Suppressed> {
    let labels: Vec<usize> = (0..df.width())
        .filter(|&j| totals::is_label(&df.columns()[j]))
        .collect();
    // Each total row with the rows it covers.
    let segments = totals::total_segments(df, &labels, total)?;
    let counts: Vec<bool> = df.columns().iter().map(is_count).collect();
    let values = count_values(df, &counts)?;
    let mut g = Grid::new(&values, min_cell, df.height());
    // Rows whose group is too small: everything derived from it goes too.
    if let Some(size) = size_col.and_then(|c| df.get_column_index(c)) {
        hide_small_groups(&mut g, df, size, group_col, &labels);
    }
    let rules = Rules::of(df, counts, segments)?;
    let relations = audit::relations(&values, &rules.counts, &rules.segments, df);
    loop {
        let before = g.marks.clone();
        rules.apply(&mut g)?;
        if g.marks == before && !g.audit(&relations) {
            break;
        }
    }
    publish(df, &g.marks, nl, min_cell)
}

/// The values of the count columns (None elsewhere).
fn count_values(df: &DataFrame, counts: &[bool]) -> Result<Vec<Vec<Option<i64>>>> {
    df.columns()
        .iter()
        .zip(counts)
        .map(|(c, &count)| -> Result<Vec<Option<i64>>> {
            Ok(if count {
                c.cast(&DataType::Int64)?.i64()?.iter().collect()
            } else {
                vec![None; df.height()]
            })
        })
        .collect()
}

/// Hides what is derived from a group smaller than the minimum (its `size` is hidden): every
/// cell of its row but the labels and the group's name, 0 to `min_cell - 1` to a reader.
fn hide_small_groups(
    g: &mut Grid,
    df: &DataFrame,
    size: usize,
    group_col: Option<&str>,
    labels: &[usize],
) {
    let small_rows: Vec<usize> = (0..df.height())
        .filter(|&i| g.marks[size][i] == PRIMARY)
        .collect();
    for (j, c) in df.columns().iter().enumerate() {
        if Some(c.name().as_str()) == group_col || labels.contains(&j) {
            continue;
        }
        for &i in &small_rows {
            g.hide(j, i, (0, g.min_cell - 1));
        }
    }
}

/// A percentage column, the count column it is a share of, and its values.
struct Share {
    pct: usize,
    of: usize,
    values: Vec<Option<f64>>,
}

/// The secondary suppression a table calls for, found by its columns: column totals, row
/// totals, percentages of a count and a running total.
struct Rules<'a> {
    df: &'a DataFrame,
    counts: Vec<bool>,
    /// Each total row with the rows it covers.
    segments: Vec<(Vec<usize>, usize)>,
    shares: Vec<Share>,
    /// The inflow, outflow and backlog columns of a flow table.
    flow: [Option<usize>; 3],
}

impl<'a> Rules<'a> {
    /// The rules of a table with these count columns and total rows.
    fn of(
        df: &'a DataFrame,
        counts: Vec<bool>,
        segments: Vec<(Vec<usize>, usize)>,
    ) -> Result<Rules<'a>> {
        let index = |name: &str| df.get_column_index(name);
        let shares = PERCENT_OF
            .iter()
            .filter_map(|(p, c)| Some((index(p)?, index(c)?)))
            .map(|(pct, of)| -> Result<Share> {
                let column = df.columns()[pct].cast(&DataType::Float64)?;
                let values = column.f64()?.iter().collect();
                Ok(Share { pct, of, values })
            })
            .collect::<Result<_>>()?;
        Ok(Rules {
            df,
            counts,
            segments,
            shares,
            flow: [index("inflow"), index("outflow"), index("backlog")],
        })
    }
}

impl Rules<'_> {
    /// One pass of every rule over the table.
    fn apply(&self, g: &mut Grid) -> Result<()> {
        self.column_totals(g);
        self.row_totals(g);
        self.percentages(g);
        self.running_totals(g)
    }

    /// Column totals: each total row over the rows it covers.
    fn column_totals(&self, g: &mut Grid) {
        for j in (0..self.df.width()).filter(|&j| self.counts[j]) {
            for (rows, t) in &self.segments {
                let parts: Vec<Cell> = rows.iter().map(|&i| (j, i)).collect();
                g.protect_sum((j, *t), &parts);
            }
        }
    }

    /// Row totals: along each row, the whole of `ROW_RELATIONS` over its parts.
    fn row_totals(&self, g: &mut Grid) {
        let index = |name: &str| self.df.get_column_index(name);
        for (whole, parts) in ROW_RELATIONS {
            let Some(w) = index(whole) else { continue };
            let parts: Vec<usize> = parts.iter().filter_map(|p| index(p)).collect();
            for i in 0..self.df.height() {
                let cells: Vec<Cell> = parts.iter().map(|&p| (p, i)).collect();
                g.protect_sum((w, i), &cells);
            }
        }
    }

    /// Percentages of a count: hidden with the count, or when the count they give (the share
    /// times the count), or the rest, is small.
    fn percentages(&self, g: &mut Grid) {
        for share in &self.shares {
            for (i, pct) in share.values.iter().enumerate() {
                let (Some(pct), Some(n)) = (pct, g.values[share.of][i]) else {
                    continue;
                };
                let part = (pct * n as f64 / 100.0).round() as i64;
                if g.marks[share.of][i] != SHOWN
                    || small(part, g.min_cell)
                    || small(n - part, g.min_cell)
                {
                    g.hide(share.pct, i, (0, i64::MAX));
                }
            }
        }
    }

    /// Running totals: once an inflow, outflow or backlog is hidden, every value of the
    /// backlog and of the rates built on the flow goes.
    fn running_totals(&self, g: &mut Grid) -> Result<()> {
        let [inflow, outflow, _] = self.flow;
        let flow_hidden = self
            .flow
            .iter()
            .flatten()
            .any(|&j| g.marks[j].iter().any(|m| *m != SHOWN));
        if inflow.is_none() || outflow.is_none() || !flow_hidden {
            return Ok(());
        }
        for j in FLOW_DERIVED
            .iter()
            .filter_map(|c| self.df.get_column_index(c))
        {
            let column = &self.df.columns()[j];
            for i in 0..self.df.height() {
                if !column.get(i)?.is_null() {
                    g.hide(j, i, (0, i64::MAX));
                }
            }
        }
        Ok(())
    }
}

/// The table as published: primary cells as "<5", secondary ones as "x", and a column with a
/// hidden cell as text.
fn publish(df: &DataFrame, marks: &[Vec<u8>], nl: bool, min_cell: i64) -> Result<Suppressed> {
    let mut hidden = 0;
    let mut cols = Vec::new();
    for (c, marks) in df.columns().iter().zip(marks) {
        if marks.iter().all(|m| *m == SHOWN) {
            cols.push(c.clone());
            continue;
        }
        let out: Vec<Option<String>> = marks
            .iter()
            .zip(shown_text(c, nl)?)
            .map(|(m, text)| match *m {
                PRIMARY => Some(format!("<{min_cell}")),
                SECONDARY => Some("x".to_string()),
                _ => text,
            })
            .collect();
        hidden += marks
            .iter()
            .filter(|m| matches!(**m, PRIMARY | SECONDARY))
            .count();
        cols.push(Column::new(c.name().clone(), out));
    }
    Ok(Suppressed {
        df: DataFrame::new_infer_height(cols)?,
        hidden,
    })
}

/// A column's cells as text: shown cells keep the look they have in a table for people
/// (decimal comma).
fn shown_text(c: &Column, nl: bool) -> Result<Vec<Option<String>>> {
    Ok(match c.dtype() {
        DataType::Float64 | DataType::Float32 => c
            .cast(&DataType::Float64)?
            .f64()?
            .iter()
            .map(|v| v.map(|x| crate::lang::human_float(x, nl)))
            .collect(),
        _ => c
            .cast(&DataType::String)?
            .str()?
            .iter()
            .map(|v| v.map(String::from))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Open cases per team with a total: Noord 12, Zuid 3, West 7, totaal 22. Zuid (3) is
    /// below 5: "<5". It is the only hidden count in the column, so 22 - 12 - 7 would give it
    /// away: the smallest other count (West, 7) is hidden too. The median of Zuid, a group of
    /// 3 (n < 5), goes as well; Noord's and the total's stay.
    #[test]
    fn primary_and_secondary() {
        let df = df!(
            "group" => ["Noord", "Zuid", "West", "totaal"],
            "n" => [30i64, 3, 9, 42],
            "open" => [12i64, 3, 7, 22],
            "median_days" => [Some(40i64), Some(12), Some(20), Some(35)],
        )
        .unwrap();
        let s = suppress(&df, true, 5, Some("group"), "totaal", Some("n")).unwrap();
        let col = |c: &str| texts(&s, c);
        assert_eq!(col("n"), ["30", "<5", "x", "42"]);
        assert_eq!(col("open"), ["12", "<5", "x", "22"]);
        assert_eq!(col("median_days"), ["40", "x", "20", "35"]);
        assert_eq!(col("group"), ["Noord", "Zuid", "West", "totaal"]);
        assert_eq!(s.hidden, 5);
    }

    /// Two hidden counts in a column already protect each other; zeros are shown.
    #[test]
    fn two_small_cells_need_no_secondary() {
        let df = df!(
            "group" => ["A", "B", "C", "totaal"],
            "open" => [2i64, 4, 10, 16],
            "withdrawn" => [0i64, 0, 0, 0],
        )
        .unwrap();
        let s = suppress(&df, true, 5, Some("group"), "totaal", None).unwrap();
        assert_eq!(texts(&s, "open"), ["<5", "<5", "10", "16"]);
        assert_eq!(s.df.column("withdrawn").unwrap().dtype(), &DataType::Int64);
        assert_eq!(s.hidden, 2);
    }

    fn texts(s: &Suppressed, c: &str) -> Vec<String> {
        s.df.column(c)
            .unwrap()
            .cast(&DataType::String)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap_or("").to_string())
            .collect()
    }

    /// Two hidden counts and a rest of 8 = 4 + 4: they can only be 4 each. With another count
    /// shown (Team West, 12) that one is hidden rather than the total; without one the total
    /// goes. A rest of 7 leaves 3 + 4 or 4 + 3: nothing more is hidden.
    #[test]
    fn a_total_that_pins_its_hidden_cells() {
        let df = df!(
            "group" => ["Team Noord", "Team Zuid", "Team West", "totaal"],
            "zaken" => [4i64, 4, 12, 20],
        )
        .unwrap();
        let s = suppress(&df, true, 5, Some("group"), "totaal", None).unwrap();
        assert_eq!(texts(&s, "zaken"), ["<5", "<5", "x", "20"]);
        for (total, shown) in [(8i64, "x"), (7, "7")] {
            let df = df!(
                "group" => ["Team Noord", "Team Zuid", "Totaal"],
                "zaken" => [4i64, total - 4, total],
            )
            .unwrap();
            let s = suppress(&df, true, 5, Some("group"), "totaal", None).unwrap();
            assert_eq!(texts(&s, "zaken"), ["<5", "<5", shown], "{total}");
        }
    }

    /// Totals per year in one SQL table: each covers the rows above it since the last total.
    /// 2023: A 3 is hidden and 13 - 10 would give it away, so B goes too.
    #[test]
    fn several_total_rows() {
        let df = df!(
            "team" => ["A", "B", "totaal", "A", "B", "totaal"],
            "zaken" => [3i64, 10, 13, 6, 9, 15],
        )
        .unwrap();
        let s = suppress(&df, true, 5, Some("team"), "totaal", None).unwrap();
        assert_eq!(texts(&s, "zaken"), ["<5", "x", "13", "6", "9", "15"]);
    }

    /// A reader knows the figures of a small group are below 5 too: teams A (3 cases, 1 open)
    /// and B (4 cases, 0 open) are hidden; N has 10 open, the total 11, so A + B = 1 and A's
    /// open would be 1 (B's at least 0). N's open count is hidden as well.
    #[test]
    fn what_a_reader_knows_of_small_groups() {
        let df = df!(
            "group" => ["N", "A", "B", "totaal"],
            "n" => [20i64, 3, 4, 27],
            "open" => [10i64, 1, 0, 11],
        )
        .unwrap();
        let s = suppress(&df, true, 5, Some("group"), "totaal", Some("n")).unwrap();
        assert_eq!(texts(&s, "open"), ["x", "<5", "x", "11"]);
    }

    /// Cases 9 = 6 closed + 3 open: open (3) is hidden, so closed goes too, or 9 - 6 gives it
    /// away. "% binnen termijn" is a share of the decisions: 66.7% of 6 is 4 within and 2
    /// late, a small count, so it goes; 50% of 20 (10 and 10) stays.
    #[test]
    fn row_totals_and_percentages() {
        let table = |n: i64, closed: i64, open: i64, pct: f64| {
            let df = df!(
                "group" => ["totaal"],
                "n" => [n],
                "closed_12m" => [closed],
                "open" => [open],
                "decided_12m" => [closed],
                "within_term_pct" => [pct],
            )
            .unwrap();
            suppress(&df, true, 5, Some("group"), "totaal", Some("n")).unwrap()
        };
        let s = table(9, 6, 3, 66.7);
        assert_eq!(texts(&s, "n"), ["9"]);
        assert_eq!(texts(&s, "open"), ["<5"]);
        assert_eq!(texts(&s, "closed_12m"), ["x"]);
        assert_eq!(texts(&s, "within_term_pct"), ["x"]);
        let s = table(40, 20, 20, 50.0);
        assert_eq!(s.hidden, 0);
        attack::assert_nothing_pinned(&published(&table(9, 6, 3, 66.7).df), 5, None, "row");
    }

    /// A hidden backlog follows from last week's plus inflow minus outflow (8 + 0 - 5 = 3), so
    /// the whole backlog column goes.
    #[test]
    fn a_hidden_backlog_hides_the_column() {
        let df = df!(
            "week" => ["2024-W25", "2024-W26"],
            "inflow" => [8i64, 0],
            "outflow" => [0i64, 5],
            "backlog" => [8i64, 3],
        )
        .unwrap();
        let s = suppress(&df, true, 5, None, "totaal", None).unwrap();
        assert_eq!(texts(&s, "backlog"), ["x", "<5"]);
        assert_eq!(texts(&s, "outflow"), ["0", "5"]);
    }

    /// A count named after a week is still a count; a median in days is not.
    #[test]
    fn counts_by_name() {
        let df = df!("deze_week" => [3i64], "median_days" => [3i64]).unwrap();
        let s = suppress(&df, true, 5, None, "totaal", None).unwrap();
        assert_eq!(texts(&s, "deze_week"), ["<5"]);
        assert_eq!(texts(&s, "median_days"), ["3"]);
    }

    /// The backlog grows by inflow minus outflow: with an inflow of 1 hidden, 7 - 6 + 0 would
    /// give it away, so the backlog and the rates built on the outflow are hidden.
    #[test]
    fn a_hidden_flow_hides_the_backlog() {
        let df = df!(
            "week" => ["2024-W25", "2024-W26"],
            "inflow" => [6i64, 1],
            "outflow" => [0i64, 0],
            "backlog" => [6i64, 7],
            "outflow_per_week_8w" => [0.5, 0.5],
        )
        .unwrap();
        let s = suppress(&df, true, 5, None, "totaal", None).unwrap();
        // The table has no total row: a reader who knows the inflow of the two weeks (7)
        // would find the hidden one from the other, so that one is hidden too.
        assert_eq!(texts(&s, "inflow"), ["x", "<5"]);
        assert_eq!(texts(&s, "backlog"), ["x", "x"]);
        assert_eq!(texts(&s, "outflow_per_week_8w"), ["x", "x"]);
        assert_eq!(texts(&s, "outflow"), ["0", "0"]);
    }

    /// Issue 10, item 3: a total labelled in the second column (`SELECT gemeente, product,
    /// COUNT(*) ... UNION ALL SELECT gemeente, 'totaal', COUNT(*)`), sorted as a report sorts
    /// rows without ORDER BY. Two "<5" beside a total of 39 and shown counts of 31 would both
    /// be 4: another count is hidden.
    #[test]
    fn a_total_in_another_label_column() {
        let df = df!(
            "gemeente" => ["Zevenaar", "Zevenaar", "Zevenaar", "Zevenaar", "Zevenaar", "Zevenaar"],
            "product" => ["begeleiding", "hulpmiddel", "huishouden", "totaal", "vervoer", "woning"],
            "len" => [10i64, 11, 10, 39, 4, 4],
        )
        .unwrap();
        let s = suppress(&df, true, 5, Some("gemeente"), "totaal", None).unwrap();
        assert_eq!(texts(&s, "len"), ["x", "11", "10", "39", "<5", "<5"]);
        attack::assert_nothing_pinned(&published(&s.df), 5, None, "issue example");
    }

    /// Issue 12: groups of two columns with a total per outer group ("Zevenaar / totaal")
    /// and an overall one. Duiven / West's 3 is hidden; Duiven's total would give it away
    /// from Duiven / Noord (12 - 9), so that is hidden too, and then the overall total's
    /// relation holds two hidden cells. The reader's model knows every one of these totals.
    #[test]
    fn totals_per_outer_group() {
        let df = df!(
            "group" => ["Duiven / Noord", "Duiven / West", "Duiven / totaal", "Zevenaar / Noord",
                        "Zevenaar / Zuid", "Zevenaar / totaal", "totaal"],
            "n" => [9i64, 3, 12, 20, 30, 50, 62],
        )
        .unwrap();
        let s = suppress(&df, true, 5, Some("group"), "totaal", None).unwrap();
        let n = texts(&s, "n");
        assert_eq!(&n[..3], ["x", "<5", "12"]);
        attack::assert_nothing_pinned(&published(&s.df), 5, None, "outer totals");
    }

    /// A table without a recognisable total: a reader who knows the column's sum (say from
    /// another table) could recompute one hidden count; a second one is hidden.
    #[test]
    fn a_table_without_totals_is_summable() {
        let df = df!("wijk" => ["Noord", "Oost", "West"], "meldingen" => [3i64, 12, 20]).unwrap();
        let s = suppress(&df, true, 5, Some("wijk"), "totaal", None).unwrap();
        assert_eq!(texts(&s, "meldingen"), ["<5", "x", "20"]);
        let sums = std::collections::HashMap::from([("meldingen".to_string(), 35i64)]);
        attack::assert_nothing_pinned(&published(&s.df), 5, Some(&sums), "no totals");
    }

    /// Two municipalities, many small teams, subtotals per municipality and a grand total, the
    /// waiting-list columns with their row relations (zaken = afgesloten + open, afgesloten =
    /// besluiten + ingetrokken): 200 generated tables, in report order, and not one hidden
    /// count a reader can pin, even knowing the relations hold exactly.
    #[test]
    fn generated_tables_pin_nothing() {
        let mut next = xorshift(0x2545_f491_4f6c_dd1du64);
        for case in 0..200 {
            let teams = 2 + next(6) as usize;
            let small = |r: u64| if r < 3 { r } else { r * 3 };
            let mut rows: Vec<(String, String, [i64; 5])> = Vec::new();
            let mut grand = [0i64; 5];
            for g in ["Duiven", "Zevenaar"] {
                let mut sub = [0i64; 5];
                for t in 0..teams {
                    let decided = small(next(6)) as i64;
                    let withdrawn = next(3) as i64;
                    let open = small(next(5)) as i64;
                    let closed = decided + withdrawn;
                    let v = [closed + open, closed, open, decided, withdrawn];
                    for k in 0..5 {
                        sub[k] += v[k];
                        grand[k] += v[k];
                    }
                    rows.push((g.to_string(), format!("Team {t}"), v));
                }
                rows.push((g.to_string(), "totaal".to_string(), sub));
            }
            let with_grand = case % 3 != 0;
            if with_grand {
                rows.push(("totaal".to_string(), "totaal".to_string(), grand));
            }
            // Without ORDER BY a report sorts on every column: "totaal" among the teams.
            if case % 2 == 0 {
                rows.sort();
            }
            let col = |k: usize| rows.iter().map(|r| r.2[k]).collect::<Vec<i64>>();
            let df = df!(
                "gemeente" => rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
                "group" => rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
                "n" => col(0),
                "closed_12m" => col(1),
                "open" => col(2),
                "decided_12m" => col(3),
                "withdrawn" => col(4),
            )
            .unwrap();
            let size = if case % 4 == 1 { Some("n") } else { None };
            let s = suppress(&df, true, 5, Some("group"), "totaal", size).unwrap();
            let t = published(&s.df);
            let pinned: Vec<attack::Range> = attack::ranges(&t, 5, true, None)
                .into_iter()
                .filter(|r| r.lowest == r.highest)
                .collect();
            assert!(
                pinned.is_empty(),
                "case {case}: {pinned:?}\n{}",
                attack::render(&t)
            );
        }
    }

    /// Generated tables without any total row: a reader who knows each column's sum.
    #[test]
    fn generated_tables_without_totals_pin_nothing() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15u64);
        for case in 0..200 {
            let len = 2 + next(8) as usize;
            let wijken: Vec<String> = (0..len).map(|i| format!("Wijk {i}")).collect();
            let a: Vec<i64> = (0..len)
                .map(|_| [0, 1, 2, 3, 4, 6, 9, 15][next(8) as usize])
                .collect();
            let b: Vec<i64> = (0..len)
                .map(|_| [0, 2, 4, 5, 7, 12][next(6) as usize])
                .collect();
            let df = df!("wijk" => wijken, "afval" => a.clone(), "groen" => b.clone()).unwrap();
            let s = suppress(&df, true, 5, Some("wijk"), "totaal", None).unwrap();
            let sums = std::collections::HashMap::from([
                ("afval".to_string(), a.iter().sum::<i64>()),
                ("groen".to_string(), b.iter().sum::<i64>()),
            ]);
            let t = published(&s.df);
            let pinned: Vec<attack::Range> = attack::ranges(&t, 5, true, Some(&sums))
                .into_iter()
                .filter(|r| r.lowest == r.highest)
                .collect();
            assert!(
                pinned.is_empty(),
                "case {case}: {pinned:?}\n{}",
                attack::render(&t)
            );
        }
    }

    /// A small deterministic random number generator (xorshift): `next(n)` is below `n`.
    fn xorshift(mut state: u64) -> impl FnMut(u64) -> u64 {
        move |n| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        }
    }

    /// A suppressed frame as a reader sees it: text.
    fn published(df: &DataFrame) -> attack::Published {
        let header = df
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .collect();
        let columns: Vec<Vec<String>> = df
            .columns()
            .iter()
            .map(|c| {
                c.cast(&DataType::String)
                    .unwrap()
                    .str()
                    .unwrap()
                    .iter()
                    .map(|v| v.unwrap_or("").to_string())
                    .collect()
            })
            .collect();
        let rows = (0..df.height())
            .map(|i| columns.iter().map(|c| c[i].clone()).collect())
            .collect();
        attack::Published { header, rows }
    }
}

/// The reader-attack helper of the integration tests, on tables generated here.
#[cfg(test)]
#[path = "../../../tests/attack.rs"]
mod attack;
