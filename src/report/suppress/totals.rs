//! The rows of a table a total row covers: see the module's docs of `suppress`.

use super::TIME_COLUMNS;
use anyhow::Result;
use polars::prelude::*;

/// Label columns: text and dates (what names a row), and whole numbers that name a period;
/// not the figures written as text (medians that say "niet bereikt", explanations).
pub(super) fn is_label(c: &Column) -> bool {
    const PERIODS: &[&str] = &[
        "jaar", "year", "week", "maand", "month", "kwartaal", "quarter",
    ];
    let name = c.name().to_lowercase();
    let figure = (TIME_COLUMNS.contains(&name.as_str()) && !PERIODS.contains(&name.as_str()))
        || name.ends_with("_days")
        || name.ends_with("_dagen")
        || ["drivers", "weather"].contains(&name.as_str());
    !figure
        && (matches!(c.dtype(), DataType::String | DataType::Date)
            || (c.dtype().is_integer() && PERIODS.contains(&name.as_str())))
}

/// The rows each total row covers: those that agree with it in the labels it does not total
/// over; with no such label, the rows since the previous such total (or all rows, when it is
/// the only one).
pub(super) fn total_segments(
    df: &DataFrame,
    labels: &[usize],
    total: &str,
) -> Result<Vec<(Vec<usize>, usize)>> {
    let h = df.height();
    let l = LabelText::of(df, labels, total)?;
    let is_total: Vec<bool> = (0..h).map(|i| l.is_total(i)).collect();
    let bare_total = |t: usize| l.others(t).is_empty() && l.prefixes(t).is_empty();
    let positional = (0..h).filter(|&t| is_total[t] && bare_total(t)).count() > 1;
    let mut segments = Vec::new();
    let mut previous = None;
    for t in (0..h).filter(|&t| is_total[t]) {
        let (other, prefix) = (l.others(t), l.prefixes(t));
        let bare = other.is_empty() && prefix.is_empty();
        let rows: Vec<usize> = if bare && positional {
            let start = previous.map_or(0, |p: usize| p + 1);
            (start..t).filter(|&i| !is_total[i]).collect()
        } else {
            (0..h)
                .filter(|&i| !is_total[i] && l.covered(i, t, &other, &prefix))
                .collect()
        };
        if bare {
            previous = Some(t);
        }
        segments.push((rows, t));
    }
    Ok(segments)
}

/// The label columns of a table as they are compared (trimmed, lower case), and the words of
/// a total row.
struct LabelText {
    /// The cells of each label column.
    text: Vec<Vec<Option<String>>>,
    words: [String; 3],
}

impl LabelText {
    /// The label columns `labels` of a table whose total rows say `total`, "totaal" or "total".
    fn of(df: &DataFrame, labels: &[usize], total: &str) -> Result<LabelText> {
        let text = labels
            .iter()
            .map(|&j| -> Result<Vec<Option<String>>> {
                let c = df.columns()[j].cast(&DataType::String)?;
                Ok(c.str()?
                    .iter()
                    .map(|v| v.map(|s| s.trim().to_lowercase()))
                    .collect())
            })
            .collect::<Result<_>>()?;
        let words = [total.to_lowercase(), "totaal".into(), "total".into()];
        Ok(LabelText { text, words })
    }

    /// A label that is a total word itself.
    fn says_total(&self, v: &Option<String>) -> bool {
        v.as_deref()
            .is_some_and(|v| self.words.iter().any(|w| v == w))
    }

    /// "zevenaar / totaal": the total of the rows labelled "zevenaar / ..." (groups of several
    /// columns, `--by gemeente,team`); gives the prefix "zevenaar / ".
    fn outer(&self, v: &Option<String>) -> Option<String> {
        let v = v.as_deref()?;
        self.words
            .iter()
            .find_map(|w| v.strip_suffix(&format!(" / {w}")))
            .map(|p| format!("{p} / "))
    }

    /// Whether row `i` is a total row: any of its labels is a total.
    fn is_total(&self, i: usize) -> bool {
        self.text
            .iter()
            .any(|col| self.says_total(&col[i]) || self.outer(&col[i]).is_some())
    }

    /// The label columns in which total row `t` names no total: the rows it covers agree
    /// with it there.
    fn others(&self, t: usize) -> Vec<usize> {
        (0..self.text.len())
            .filter(|&k| {
                !self.says_total(&self.text[k][t]) && self.outer(&self.text[k][t]).is_none()
            })
            .collect()
    }

    /// The outer groups total row `t` totals: (label column, prefix).
    fn prefixes(&self, t: usize) -> Vec<(usize, String)> {
        (0..self.text.len())
            .filter_map(|k| self.outer(&self.text[k][t]).map(|p| (k, p)))
            .collect()
    }

    /// Whether row `i` agrees with total row `t` in the `other` labels and lies in its outer
    /// groups (`prefix`).
    fn covered(&self, i: usize, t: usize, other: &[usize], prefix: &[(usize, String)]) -> bool {
        other.iter().all(|&k| self.text[k][i] == self.text[k][t])
            && prefix.iter().all(|(k, p)| {
                self.text[*k][i]
                    .as_deref()
                    .is_some_and(|v| v.starts_with(p.as_str()))
            })
    }
}
