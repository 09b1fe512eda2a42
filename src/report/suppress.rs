//! Publication safety for tables to the council: counts below the minimum cell size are shown
//! as "<5"; then secondary suppression, so that a hidden count cannot be recomputed from a
//! column total: where a column holds exactly one hidden count besides the total row, the
//! smallest other count in that column is hidden too ("x"). Figures derived from a group
//! smaller than the minimum (its medians, percentages) are hidden with it.

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
    // 0: shown, 1: primary ("<5"), 2: secondary ("x").
    let mut marks: Vec<Vec<u8>> = Vec::new();
    for c in df.columns() {
        if !is_count(c) {
            marks.push(vec![0; h]);
            continue;
        }
        let v: Vec<Option<i64>> = c.cast(&DataType::Int64)?.i64()?.iter().collect();
        let mut m: Vec<u8> = v
            .iter()
            .map(|x| u8::from(x.is_some_and(|x| x > 0 && x < min_cell)))
            .collect();
        let hidden_rows: Vec<usize> = (0..h).filter(|&i| m[i] == 1 && !is_total[i]).collect();
        if has_total && hidden_rows.len() == 1 {
            let other = (0..h)
                .filter(|&i| !is_total[i] && m[i] == 0 && v[i].is_some_and(|x| x > 0))
                .min_by_key(|&i| v[i]);
            if let Some(i) = other {
                m[i] = 2;
            }
        }
        marks.push(m);
    }
    // Rows whose group is too small: everything derived from it goes too.
    if let Some(size) = size_col.and_then(|s| df.get_column_index(s)) {
        let small: Vec<usize> = (0..h).filter(|&i| marks[size][i] == 1).collect();
        for (j, c) in df.columns().iter().enumerate() {
            if Some(c.name().as_str()) == group_col {
                continue;
            }
            for &i in &small {
                if marks[j][i] == 0 {
                    marks[j][i] = 2;
                }
            }
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
                1 => {
                    hidden += 1;
                    Some(format!("<{min_cell}"))
                }
                2 => {
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
}
