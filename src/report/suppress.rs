//! Publication safety for tables to the council: counts below the minimum cell size are shown
//! as "<5"; then secondary suppression ("x"), repeated until nothing changes, so that a hidden
//! count cannot be recomputed:
//! - from a column total: where a column holds exactly one hidden count besides the total row,
//!   the smallest other count in that column is hidden too; where the hidden counts of a
//!   column can only add up to the rest of the total in one way (all 1, or all `min_cell - 1`),
//!   the total is hidden;
//! - from a row total: the waiting-list tables have cases = afgesloten + open (at most), so when
//!   one of afgesloten and open is hidden, so is the other;
//! - from a percentage: "% binnen termijn" times afgesloten gives a count; the percentage is
//!   hidden when that count, or the rest, is small, or when afgesloten is hidden;
//! - from a running total: in a flow table the werkvoorraad (backlog) changes by inflow minus
//!   outflow, so when an inflow or outflow is hidden the backlog and the rates are hidden.
//!
//! Figures derived from a group smaller than the minimum (its medians, percentages) are hidden
//! with it.

use anyhow::Result;
use polars::prelude::*;

/// The suppressed table and how many cells were hidden.
pub struct Suppressed {
    pub df: DataFrame,
    pub hidden: usize,
}

/// Whole-number columns are counts, except those that measure time (days, medians,
/// percentiles, years, weeks).
fn is_count(c: &Column) -> bool {
    let whole = matches!(
        c.dtype(),
        DataType::Int64 | DataType::Int32 | DataType::UInt64 | DataType::UInt32
    );
    let name = c.name().to_lowercase();
    let timed = [
        "days", "dagen", "median", "p75", "p90", "time", "jaar", "year", "week",
    ]
    .iter()
    .any(|w| name.contains(w));
    whole && !timed
}

/// A row total and its parts: the whole is at least the sum of the parts, often equal.
const ROW_RELATIONS: &[(&str, &[&str])] = &[("n", &["closed_12m", "open"])];

/// A percentage and the count it is a percentage of.
const PERCENT_OF: &[(&str, &str)] = &[("within_term_pct", "closed_12m")];

/// Columns that follow from the inflow and outflow of a flow table.
const FLOW_DERIVED: &[&str] = &["backlog", "outflow_per_week_8w", "weeks_to_clear"];

const SHOWN: u8 = 0;
const PRIMARY: u8 = 1;
const SECONDARY: u8 = 2;

/// `group_col`: the column naming the rows (its value `total` marks the total row);
/// `size_col`: the column holding each row's group size, if any.
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
            c.str()?.iter().map(|v| v == Some(total)).collect()
        }
        None => vec![false; h],
    };
    let has_total = is_total.iter().any(|t| *t);
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
    let mut marks: Vec<Vec<u8>> = values
        .iter()
        .map(|v| {
            v.iter()
                .map(|x| if x.is_some_and(small) { PRIMARY } else { SHOWN })
                .collect()
        })
        .collect();
    let index = |name: &str| df.get_column_index(name);
    // Rows whose group is too small: everything derived from it goes too.
    if let Some(size) = size_col.and_then(index) {
        let small_rows: Vec<usize> = (0..h).filter(|&i| marks[size][i] == PRIMARY).collect();
        for (j, c) in df.columns().iter().enumerate() {
            if Some(c.name().as_str()) == group_col {
                continue;
            }
            for &i in &small_rows {
                if marks[j][i] == SHOWN {
                    marks[j][i] = SECONDARY;
                }
            }
        }
    }
    // The smallest shown positive count among these cells.
    let smallest = |marks: &[Vec<u8>], cells: &mut dyn Iterator<Item = (usize, usize)>| {
        cells
            .filter(|&(j, i)| marks[j][i] == SHOWN && values[j][i].is_some_and(|x| x > 0))
            .min_by_key(|&(j, i)| values[j][i])
    };
    loop {
        let before = marks.clone();
        // Column totals.
        for j in (0..marks.len()).filter(|&j| counts[j] && has_total) {
            let hidden: Vec<usize> = (0..h)
                .filter(|&i| !is_total[i] && marks[j][i] != SHOWN)
                .collect();
            let totals: Vec<usize> = (0..h).filter(|&i| is_total[i]).collect();
            if hidden.len() == 1 {
                let other = smallest(
                    &marks,
                    &mut (0..h).filter(|&i| !is_total[i]).map(|i| (j, i)),
                );
                match other {
                    Some((_, i)) => marks[j][i] = SECONDARY,
                    None => totals.iter().for_each(|&t| marks[j][t] = SECONDARY),
                }
            } else if hidden.len() > 1 && hidden.iter().all(|&i| marks[j][i] == PRIMARY) {
                let k = hidden.len() as i64;
                let shown_sum: i64 = (0..h)
                    .filter(|&i| !is_total[i] && marks[j][i] == SHOWN)
                    .filter_map(|i| values[j][i])
                    .sum();
                for &t in &totals {
                    if marks[j][t] == SHOWN
                        && let Some(total) = values[j][t]
                    {
                        let rest = total - shown_sum;
                        if rest == k || rest == k * (min_cell - 1) {
                            marks[j][t] = SECONDARY;
                        }
                    }
                }
            }
        }
        // Row totals.
        for (whole, parts) in ROW_RELATIONS {
            let Some(w) = index(whole) else { continue };
            let parts: Vec<usize> = parts.iter().filter_map(|p| index(p)).collect();
            for i in 0..h {
                if marks[w][i] != SHOWN
                    || parts.iter().filter(|&&p| marks[p][i] != SHOWN).count() != 1
                {
                    continue;
                }
                match smallest(&marks, &mut parts.iter().map(|&p| (p, i))) {
                    Some((p, _)) => marks[p][i] = SECONDARY,
                    None => marks[w][i] = SECONDARY,
                }
            }
        }
        // Percentages of a count.
        for (pct, of) in PERCENT_OF {
            let (Some(p), Some(c)) = (index(pct), index(of)) else {
                continue;
            };
            let pcts: Vec<Option<f64>> = df
                .column(pct)?
                .cast(&DataType::Float64)?
                .f64()?
                .iter()
                .collect();
            for i in 0..h {
                let (Some(share), Some(n)) = (pcts[i], values[c][i]) else {
                    continue;
                };
                let part = (share * n as f64 / 100.0).round() as i64;
                if marks[p][i] == SHOWN && (marks[c][i] != SHOWN || small(part) || small(n - part))
                {
                    marks[p][i] = SECONDARY;
                }
            }
        }
        // Running totals.
        if let (Some(inflow), Some(outflow)) = (index("inflow"), index("outflow"))
            && (0..h).any(|i| marks[inflow][i] != SHOWN || marks[outflow][i] != SHOWN)
        {
            for j in FLOW_DERIVED.iter().filter_map(|c| index(c)) {
                let column = &df.columns()[j];
                for (i, m) in marks[j].iter_mut().enumerate() {
                    if *m == SHOWN && !column.get(i)?.is_null() {
                        *m = SECONDARY;
                    }
                }
            }
        }
        if marks == before {
            break;
        }
    }
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

    /// Two hidden counts and a total of 8 = 4 + 4: they can only be 4 each, so the total goes.
    /// A total of 7 leaves 3 + 4 or 4 + 3: it stays.
    #[test]
    fn a_total_that_pins_its_hidden_cells_is_hidden() {
        for (total, shown) in [(8i64, "x"), (7, "7")] {
            let df = df!(
                "group" => ["Team Noord", "Team Zuid", "totaal"],
                "zaken" => [4i64, total - 4, total],
            )
            .unwrap();
            let s = suppress(&df, true, 5, Some("group"), "totaal", None).unwrap();
            assert_eq!(texts(&s, "zaken"), ["<5", "<5", shown], "{total}");
        }
    }

    /// Cases 9 = 6 closed + 3 open: open (3) is hidden, so closed goes too, or 9 - 6 gives it
    /// away. The percentage within term of the 6 closed (66.7: 4 of 6, 2 late) shows a small
    /// count and goes as well; 50% of 20 (10 and 10) stays.
    #[test]
    fn row_totals_and_percentages() {
        let df = df!(
            "group" => ["totaal", "Team West"],
            "n" => [9i64, 40],
            "closed_12m" => [6i64, 20],
            "open" => [3i64, 20],
            "within_term_pct" => [66.7, 50.0],
        )
        .unwrap();
        let s = suppress(&df, true, 5, Some("group"), "totaal", Some("n")).unwrap();
        assert_eq!(texts(&s, "n"), ["9", "40"]);
        assert_eq!(texts(&s, "open"), ["<5", "20"]);
        assert_eq!(texts(&s, "closed_12m"), ["x", "20"]);
        assert_eq!(texts(&s, "within_term_pct"), ["x", "50"]);
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
