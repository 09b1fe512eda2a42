//! A reader's attack on a published council table: every hidden cell is an integer variable
//! (`<5` is 1 to 4, `x` any count of 0 or more), every total row is the sum of the rows it
//! covers, each row relation the docs name holds (zaken at least afgesloten plus open,
//! afgesloten at least besluiten plus ingetrokken), and a table without a recognisable total
//! is assumed to have known column sums. Integer programming gives each hidden cell's exact
//! range; a range of one value is a pinned cell, a small count given away.
//!
//! Used by the integration tests on every council table they produce, and (through
//! `#[path]`) by the unit tests of `src/report/suppress/` on generated tables. It reads only
//! what a reader sees: the table's text.

#![allow(dead_code)]

use microlp::{ComparisonOp, OptimizationDirection, Problem, Variable};
use std::collections::HashMap;

/// A published table: header and rows of text, as in the CSV or Markdown.
pub struct Published {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The range a reader can work out for a hidden cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    pub row: usize,
    pub column: String,
    pub shown: String,
    pub lowest: i64,
    pub highest: i64,
}

/// Row relations the docs name (docs/report.md): the whole is at least the sum of the parts.
/// English column names (machine output) and the Dutch labels of the Markdown.
const ROW_RELATIONS: &[(&[&str], &[&[&str]])] = &[
    (
        &["n", "zaken"],
        &[&["closed_12m", "afgesloten (12 mnd)"], &["open"]],
    ),
    (
        &["closed_12m", "afgesloten (12 mnd)"],
        &[
            &["decided_12m", "besluiten (12 mnd)"],
            &["withdrawn", "ingetrokken"],
        ],
    ),
];

/// Columns that are not counts even when they hold whole numbers.
const NOT_COUNTS: &[&str] = &[
    "median_days",
    "median_ci_lower",
    "median_ci_upper",
    "p75_days",
    "p90_days",
    "mediaan (dagen)",
    "mediaan ondergrens",
    "mediaan bovengrens",
    "75% binnen (dagen)",
    "90% binnen (dagen)",
    "weeks_to_clear",
    "jaar",
    "year",
    "week",
    "time",
    "days",
];

/// A percentage or rate, not a count.
fn is_share(name: &str) -> bool {
    name.contains('%') || name.contains("pct") || name.contains("per_week")
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Cell {
    Shown(i64),
    Small,
    Hidden,
    Other,
}

fn cell(text: &str, min_cell: i64) -> Cell {
    let t = text.trim();
    if t == format!("<{min_cell}") {
        Cell::Small
    } else if t == "x" {
        Cell::Hidden
    } else if let Ok(v) = t.replace('.', "").parse::<i64>() {
        Cell::Shown(v)
    } else {
        Cell::Other
    }
}

/// What the reader knows: `whole` is the sum of `parts` (or at least that, when not exact).
struct Relation {
    /// The total cell; `None` for a column sum known from elsewhere.
    whole: Option<(usize, usize)>,
    parts: Vec<(usize, usize)>,
    exact: bool,
}

/// Each hidden cell's exact range. `exact_rows`: the reader also knows that the row relations
/// hold with equality (true of generated tables built that way). `sums`: for a table without
/// a recognisable total, each column's true sum, which the reader is assumed to know (a test
/// that built the table knows them; without them that relation is left out).
pub fn ranges(
    t: &Published,
    min_cell: i64,
    exact_rows: bool,
    sums: Option<&HashMap<String, i64>>,
) -> Vec<Range> {
    let h = t.rows.len();
    let w = t.header.len();
    let grid: Vec<Vec<Cell>> = t
        .rows
        .iter()
        .map(|r| {
            (0..w)
                .map(|j| cell(r.get(j).map_or("", String::as_str), min_cell))
                .collect()
        })
        .collect();
    let is_count: Vec<bool> = (0..w)
        .map(|j| {
            let name = t.header[j].to_lowercase();
            let all = (0..h).all(|i| grid[i][j] != Cell::Other || t.rows[i][j].trim().is_empty());
            let some = (0..h).any(|i| grid[i][j] != Cell::Other);
            all && some && !NOT_COUNTS.contains(&name.as_str()) && !is_share(&name)
        })
        .collect();
    let labels: Vec<usize> = (0..w)
        .filter(|&j| !is_count[j] && (0..h).any(|i| grid[i][j] == Cell::Other))
        .filter(|&j| {
            let name = t.header[j].to_lowercase();
            !NOT_COUNTS.contains(&name.as_str()) && !is_share(&name)
        })
        .collect();
    let says_total = |i: usize, j: usize| {
        let v = t.rows[i][j].trim().to_lowercase();
        v == "totaal" || v == "total"
    };
    // "Zevenaar / totaal" totals the rows labelled "Zevenaar / ...".
    let outer = |i: usize, j: usize| -> Option<String> {
        let v = t.rows[i][j].trim().to_lowercase();
        let p = v
            .strip_suffix(" / totaal")
            .or_else(|| v.strip_suffix(" / total"))?;
        Some(format!("{p} / "))
    };
    let is_total: Vec<bool> = (0..h)
        .map(|i| {
            labels
                .iter()
                .any(|&j| says_total(i, j) || outer(i, j).is_some())
        })
        .collect();
    // A total row covers the rows that agree with it in its other labels; with none, the
    // rows since the previous such total (all rows when it is the only one).
    let bare: Vec<usize> = (0..h)
        .filter(|&i| is_total[i] && labels.iter().all(|&j| says_total(i, j)))
        .collect();
    let mut covers: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut previous: Option<usize> = None;
    for tr in (0..h).filter(|&i| is_total[i]) {
        let other: Vec<usize> = labels
            .iter()
            .copied()
            .filter(|&j| !says_total(tr, j) && outer(tr, j).is_none())
            .collect();
        let prefix: Vec<(usize, String)> = labels
            .iter()
            .filter_map(|&j| outer(tr, j).map(|p| (j, p)))
            .collect();
        let is_bare = other.is_empty() && prefix.is_empty();
        let rows: Vec<usize> = if is_bare && bare.len() > 1 {
            let start = previous.map_or(0, |p| p + 1);
            (start..tr).filter(|&i| !is_total[i]).collect()
        } else {
            (0..h)
                .filter(|&i| {
                    !is_total[i]
                        && other
                            .iter()
                            .all(|&j| t.rows[i][j].trim() == t.rows[tr][j].trim())
                        && prefix
                            .iter()
                            .all(|(j, p)| t.rows[i][*j].trim().to_lowercase().starts_with(p))
                })
                .collect()
        };
        if is_bare {
            previous = Some(tr);
        }
        covers.push((tr, rows));
    }
    let mut relations = Vec::new();
    for j in (0..w).filter(|&j| is_count[j]) {
        for (tr, rows) in &covers {
            relations.push(Relation {
                whole: Some((*tr, j)),
                parts: rows.iter().map(|&i| (i, j)).collect(),
                exact: true,
            });
        }
        if covers.is_empty() && h > 1 {
            // No total to be seen: the reader is assumed to know the column's sum.
            relations.push(Relation {
                whole: None,
                parts: (0..h).map(|i| (i, j)).collect(),
                exact: true,
            });
        }
    }
    let find = |names: &[&str]| {
        t.header
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
    };
    for (whole, parts) in ROW_RELATIONS {
        let (Some(wj), parts) = (
            find(whole),
            parts.iter().filter_map(|p| find(p)).collect::<Vec<_>>(),
        ) else {
            continue;
        };
        if parts.is_empty() {
            continue;
        }
        for i in 0..h {
            relations.push(Relation {
                whole: Some((i, wj)),
                parts: parts.iter().map(|&p| (i, p)).collect(),
                exact: exact_rows,
            });
        }
    }
    solve(t, &grid, &is_count, &relations, min_cell, sums)
}

fn solve(
    t: &Published,
    grid: &[Vec<Cell>],
    is_count: &[bool],
    relations: &[Relation],
    min_cell: i64,
    sums: Option<&HashMap<String, i64>>,
) -> Vec<Range> {
    let shown_total: i64 = grid
        .iter()
        .flatten()
        .map(|c| match c {
            Cell::Shown(v) => v.abs(),
            _ => 0,
        })
        .sum();
    let hidden_cells = grid
        .iter()
        .flatten()
        .filter(|c| matches!(c, Cell::Small | Cell::Hidden))
        .count() as i64;
    let big = (shown_total + min_cell * hidden_cells + 1).min(i64::from(i32::MAX / 4));
    let hidden: Vec<(usize, usize)> = (0..grid.len())
        .flat_map(|i| (0..grid[i].len()).map(move |j| (i, j)))
        .filter(|&(i, j)| is_count[j] && matches!(grid[i][j], Cell::Small | Cell::Hidden))
        .collect();
    let optimum = |target: (usize, usize), direction: OptimizationDirection| -> Option<i64> {
        let mut p = Problem::new(direction);
        let mut vars: HashMap<(usize, usize), Variable> = HashMap::new();
        for &(i, j) in &hidden {
            let bounds = match grid[i][j] {
                Cell::Small => (1, (min_cell - 1) as i32),
                _ => (0, big as i32),
            };
            let objective = if (i, j) == target { 1.0 } else { 0.0 };
            vars.insert((i, j), p.add_integer_var(objective, bounds));
        }
        for r in relations {
            let mut terms = Vec::new();
            let mut rhs = 0.0;
            for &(i, j) in &r.parts {
                match grid[i][j] {
                    Cell::Shown(v) => rhs -= v as f64,
                    Cell::Small | Cell::Hidden => terms.push((vars[&(i, j)], 1.0)),
                    Cell::Other => {}
                }
            }
            match r.whole {
                Some((i, j)) => match grid[i][j] {
                    Cell::Shown(v) => rhs += v as f64,
                    Cell::Small | Cell::Hidden => terms.push((vars[&(i, j)], -1.0)),
                    Cell::Other => continue,
                },
                None => {
                    let Some(&(_, j)) = r.parts.first() else {
                        continue;
                    };
                    match sums.and_then(|s| s.get(&t.header[j])) {
                        Some(&n) => rhs += n as f64,
                        None => continue,
                    }
                }
            }
            if terms.is_empty() {
                continue;
            }
            let op = if r.exact {
                ComparisonOp::Eq
            } else {
                ComparisonOp::Le
            };
            p.add_constraint(terms, op, rhs);
        }
        let solution = p.solve().ok()?.into_solution().ok()?;
        Some(solution.var_value(vars[&target]).round() as i64)
    };
    hidden
        .iter()
        .map(|&(i, j)| {
            let lowest = optimum((i, j), OptimizationDirection::Minimize).unwrap_or(i64::MIN);
            let highest = optimum((i, j), OptimizationDirection::Maximize).unwrap_or(i64::MAX);
            Range {
                row: i,
                column: t.header[j].clone(),
                shown: t.rows[i][j].clone(),
                lowest,
                highest,
            }
        })
        .collect()
}

/// Panics, naming the cells, when a reader can pin any hidden cell of the table.
pub fn assert_nothing_pinned(
    t: &Published,
    min_cell: i64,
    sums: Option<&HashMap<String, i64>>,
    what: &str,
) {
    let pinned: Vec<Range> = ranges(t, min_cell, false, sums)
        .into_iter()
        .filter(|r| r.lowest == r.highest)
        .collect();
    assert!(
        pinned.is_empty(),
        "{what}: a reader can work out {} hidden cell(s): {pinned:?}\n{}",
        pinned.len(),
        render(t)
    );
}

/// The table as text, for messages.
pub fn render(t: &Published) -> String {
    let mut out = t.header.join(" | ");
    for r in &t.rows {
        out.push('\n');
        out.push_str(&r.join(" | "));
    }
    out
}

/// A table from a report's CSV (Dutch Excel: BOM, ';').
pub fn from_csv(text: &str) -> Published {
    let text = text.trim_start_matches('\u{feff}');
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header = rdr
        .headers()
        .expect("csv header")
        .iter()
        .map(String::from)
        .collect();
    let rows = rdr
        .records()
        .map(|r| r.expect("csv row").iter().map(String::from).collect())
        .collect();
    Published { header, rows }
}
