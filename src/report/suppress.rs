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

/// The cells of a table with what is hidden and what a reader knows of each hidden count.
struct Grid<'a> {
    values: &'a [Vec<Option<i64>>],
    marks: Vec<Vec<u8>>,
    /// (lowest, highest) a reader knows a hidden count to be.
    bounds: Vec<Vec<(i64, i64)>>,
    min_cell: i64,
}

impl Grid<'_> {
    fn hide(&mut self, j: usize, i: usize, bounds: (i64, i64)) {
        if self.marks[j][i] == SHOWN {
            self.marks[j][i] = SECONDARY;
            self.bounds[j][i] = bounds;
        }
    }

    /// Protects a sum: `whole` (shown) is at least the sum of `parts`, and may be equal. Hides
    /// another part, or the whole, when the hidden parts could be recomputed from it.
    fn protect_sum(&mut self, whole: (usize, usize), parts: &[(usize, usize)]) {
        let (wj, wi) = whole;
        let Some(total) = self.values[wj][wi] else {
            return;
        };
        if self.marks[wj][wi] != SHOWN {
            return;
        }
        let hidden: Vec<(usize, usize)> = parts
            .iter()
            .copied()
            .filter(|&(j, i)| self.marks[j][i] != SHOWN)
            .collect();
        if hidden.is_empty() {
            return;
        }
        let pinned = hidden.len() == 1 || {
            let shown: i64 = parts
                .iter()
                .filter(|&&(j, i)| self.marks[j][i] == SHOWN)
                .filter_map(|&(j, i)| self.values[j][i])
                .sum();
            let rest = total - shown;
            let lo: i64 = hidden.iter().map(|&(j, i)| self.bounds[j][i].0).sum();
            let hi = hidden
                .iter()
                .map(|&(j, i)| self.bounds[j][i].1)
                .fold(0i64, i64::saturating_add);
            rest == lo || rest == hi
        };
        if !pinned {
            return;
        }
        // Rather another part than the whole (the whole is often shown elsewhere too).
        let other = parts
            .iter()
            .copied()
            .filter(|&(j, i)| self.marks[j][i] == SHOWN && self.values[j][i].is_some_and(|x| x > 0))
            .min_by_key(|&(j, i)| self.values[j][i]);
        match other {
            Some((j, i)) => self.hide(j, i, (self.min_cell, i64::MAX)),
            None => self.hide(wj, wi, (0, i64::MAX)),
        }
    }
}

/// `group_col`: the column naming the rows (a value "totaal" or "total", or `total`, marks a
/// total row, which covers the rows since the previous total); `size_col`: the column holding
/// each row's group size, if any.
pub fn suppress(
    df: &DataFrame,
    nl: bool,
    min_cell: i64,
    group_col: Option<&str>,
    total: &str,
    size_col: Option<&str>,
) -> Result<Suppressed> {
    let h = df.height();
    let is_total: Vec<bool> = match group_col.and_then(|g| df.column(g).ok()) {
        Some(c) => {
            let c = c.cast(&DataType::String)?;
            c.str()?
                .iter()
                .map(|v| {
                    v.is_some_and(|v| {
                        let v = v.trim().to_lowercase();
                        v == total.to_lowercase() || v == "totaal" || v == "total"
                    })
                })
                .collect()
        }
        None => vec![false; h],
    };
    // Each total row with the rows it covers: those since the previous total.
    let mut segments: Vec<(Vec<usize>, usize)> = Vec::new();
    let mut since: Vec<usize> = Vec::new();
    for (i, t) in is_total.iter().enumerate() {
        if *t {
            segments.push((std::mem::take(&mut since), i));
        } else {
            since.push(i);
        }
    }
    let counts: Vec<bool> = df.columns().iter().map(is_count).collect();
    // The values of the count columns (None elsewhere).
    let values: Vec<Vec<Option<i64>>> = df
        .columns()
        .iter()
        .zip(&counts)
        .map(|(c, &count)| -> Result<Vec<Option<i64>>> {
            Ok(if count {
                c.cast(&DataType::Int64)?.i64()?.iter().collect()
            } else {
                vec![None; h]
            })
        })
        .collect::<Result<_>>()?;
    let small = |x: i64| x > 0 && x < min_cell;
    let marks: Vec<Vec<u8>> = values
        .iter()
        .map(|v| {
            v.iter()
                .map(|x| if x.is_some_and(small) { PRIMARY } else { SHOWN })
                .collect()
        })
        .collect();
    let mut g = Grid {
        values: &values,
        bounds: vec![vec![(1, min_cell - 1); h]; df.width()],
        marks,
        min_cell,
    };
    let index = |name: &str| df.get_column_index(name);
    // Rows whose group is too small: everything derived from it goes too.
    if let Some(size) = size_col.and_then(index) {
        let small_rows: Vec<usize> = (0..h).filter(|&i| g.marks[size][i] == PRIMARY).collect();
        for (j, c) in df.columns().iter().enumerate() {
            if Some(c.name().as_str()) == group_col {
                continue;
            }
            for &i in &small_rows {
                g.hide(j, i, (0, min_cell - 1));
            }
        }
    }
    let pcts: Vec<(usize, usize, Vec<Option<f64>>)> = PERCENT_OF
        .iter()
        .filter_map(|(p, c)| Some((index(p)?, index(c)?)))
        .map(|(p, c)| -> Result<_> {
            let v = df.columns()[p]
                .cast(&DataType::Float64)?
                .f64()?
                .iter()
                .collect();
            Ok((p, c, v))
        })
        .collect::<Result<_>>()?;
    let flow = [index("inflow"), index("outflow"), index("backlog")];
    loop {
        let before = g.marks.clone();
        // Column totals.
        for j in (0..df.width()).filter(|&j| counts[j]) {
            for (rows, t) in &segments {
                let parts: Vec<(usize, usize)> = rows.iter().map(|&i| (j, i)).collect();
                g.protect_sum((j, *t), &parts);
            }
        }
        // Row totals.
        for (whole, parts) in ROW_RELATIONS {
            let Some(w) = index(whole) else { continue };
            let parts: Vec<usize> = parts.iter().filter_map(|p| index(p)).collect();
            for i in 0..h {
                let cells: Vec<(usize, usize)> = parts.iter().map(|&p| (p, i)).collect();
                g.protect_sum((w, i), &cells);
            }
        }
        // Percentages of a count.
        for (p, c, shares) in &pcts {
            for (i, share) in shares.iter().enumerate() {
                let (Some(share), Some(n)) = (share, values[*c][i]) else {
                    continue;
                };
                let part = (share * n as f64 / 100.0).round() as i64;
                if g.marks[*c][i] != SHOWN || small(part) || small(n - part) {
                    g.hide(*p, i, (0, i64::MAX));
                }
            }
        }
        // Running totals.
        let flow_hidden = flow
            .iter()
            .flatten()
            .any(|&j| g.marks[j].iter().any(|m| *m != SHOWN));
        if flow[0].is_some() && flow[1].is_some() && flow_hidden {
            for j in FLOW_DERIVED.iter().filter_map(|c| index(c)) {
                let column = &df.columns()[j];
                for i in 0..h {
                    if !column.get(i)?.is_null() {
                        g.hide(j, i, (0, i64::MAX));
                    }
                }
            }
        }
        if g.marks == before {
            break;
        }
    }
    let marks = g.marks;
    let mut hidden = 0;
    let mut cols = Vec::new();
    for (j, c) in df.columns().iter().enumerate() {
        if marks[j].iter().all(|m| *m == 0) {
            cols.push(c.clone());
            continue;
        }
        // Shown cells keep the look they have in a table for people (decimal comma).
        let text: Vec<Option<String>> = match c.dtype() {
            DataType::Float64 | DataType::Float32 => c
                .cast(&DataType::Float64)?
                .f64()?
                .iter()
                .map(|v| v.map(|x| crate::render::human_float(x, nl)))
                .collect(),
            _ => c
                .cast(&DataType::String)?
                .str()?
                .iter()
                .map(|v| v.map(String::from))
                .collect(),
        };
        let out: Vec<Option<String>> = (0..h)
            .map(|i| match marks[j][i] {
                PRIMARY => {
                    hidden += 1;
                    Some(format!("<{min_cell}"))
                }
                SECONDARY => {
                    hidden += 1;
                    Some("x".to_string())
                }
                _ => text[i].clone(),
            })
            .collect();
        cols.push(Column::new(c.name().clone(), out));
    }
    Ok(Suppressed {
        df: DataFrame::new_infer_height(cols)?,
        hidden,
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
        let col = |c: &str| -> Vec<String> {
            s.df.column(c)
                .unwrap()
                .cast(&DataType::String)
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .map(|v| v.unwrap_or("").to_string())
                .collect()
        };
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
        let open: Vec<String> =
            s.df.column("open")
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .map(|v| v.unwrap().to_string())
                .collect();
        assert_eq!(open, ["<5", "<5", "10", "16"]);
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
        let df = df!(
            "group" => ["totaal", "Team West"],
            "n" => [9i64, 40],
            "closed_12m" => [6i64, 20],
            "open" => [3i64, 20],
            "decided_12m" => [6i64, 20],
            "within_term_pct" => [66.7, 50.0],
        )
        .unwrap();
        let s = suppress(&df, true, 5, Some("group"), "totaal", Some("n")).unwrap();
        assert_eq!(texts(&s, "n"), ["9", "40"]);
        assert_eq!(texts(&s, "open"), ["<5", "20"]);
        assert_eq!(texts(&s, "closed_12m"), ["x", "20"]);
        assert_eq!(texts(&s, "within_term_pct"), ["x", "50"]);
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
        assert_eq!(texts(&s, "inflow"), ["6", "<5"]);
        assert_eq!(texts(&s, "backlog"), ["x", "x"]);
        assert_eq!(texts(&s, "outflow_per_week_8w"), ["x", "x"]);
        assert_eq!(texts(&s, "outflow"), ["0", "0"]);
    }
}
