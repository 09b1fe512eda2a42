//! The drivers of an alarm: the levels of an explain column (subcategory, neighbourhood) whose
//! count in the period is furthest above what their share of the year before leads to expect.

use super::Judged;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// The first day of the year before a period, the baseline of the drivers: recent enough to
/// follow new subcategories and growing neighbourhoods, a whole year so that no season
/// weighs more than another.
pub fn baseline_start(period_start: NaiveDate) -> NaiveDate {
    period_start
        .checked_sub_months(chrono::Months::new(12))
        .unwrap_or(NaiveDate::MIN)
}

/// Counts per group, level of `column` and period: the input of the drivers.
pub type LevelCounts = BTreeMap<String, BTreeMap<String, BTreeMap<NaiveDate, f64>>>;

/// The levels of one column that explain most of an alarm's excess: each level's count in the
/// period against its own expected count (the period's expected total x the level's share of
/// the group in the year before the period). The top 3 with a positive excess, as text; with `min_cell`
/// (for publication) counts from 1 to `min_cell - 1` read "<5".
pub fn drivers(
    j: &Judged,
    column: &str,
    counts: &LevelCounts,
    nl: bool,
    min_cell: Option<i64>,
) -> Option<String> {
    let levels = counts.get(&j.group)?;
    let excess = excess_levels(j, levels, j.expected?);
    if excess.is_empty() {
        return None;
    }
    let parts: Vec<String> = excess
        .iter()
        .take(3)
        .map(|(level, now, exp)| driver_text(level, *now, *exp, nl, min_cell))
        .collect();
    Some(format!("{column}: {}", parts.join(", ")))
}

/// (level, count in the period, expected count) of the levels above their expected count,
/// the largest excess first (then by name).
fn excess_levels(
    j: &Judged,
    levels: &BTreeMap<String, BTreeMap<NaiveDate, f64>>,
    expected_total: f64,
) -> Vec<(String, f64, f64)> {
    let from = baseline_start(j.period_start);
    let before = |m: &BTreeMap<NaiveDate, f64>| -> f64 {
        m.range(from..j.period_start).map(|(_, v)| v).sum()
    };
    let total_before: f64 = levels.values().map(before).sum();
    let mut excess: Vec<(String, f64, f64)> = levels
        .iter()
        .map(|(level, m)| {
            let now = m.get(&j.period_start).copied().unwrap_or(0.0);
            let share = if total_before > 0.0 {
                before(m) / total_before
            } else {
                0.0
            };
            (level.clone(), now, expected_total * share)
        })
        .filter(|(_, now, exp)| now - exp > 0.0)
        .collect();
    excess.sort_by(|a, b| {
        (b.1 - b.2)
            .total_cmp(&(a.1 - a.2))
            .then_with(|| a.0.cmp(&b.0))
    });
    excess
}

/// One driver as text: "Grofvuil 40 (verwacht 5,0)"; a count below `min_cell` as "<5".
fn driver_text(level: &str, now: f64, exp: f64, nl: bool, min_cell: Option<i64>) -> String {
    let now = match min_cell {
        Some(m) if now > 0.0 && now < m as f64 => format!("<{m}"),
        _ => now.to_string(),
    };
    // One decimal; a value that rounds to zero reads 0,0, never -0,0.
    let t = format!("{:.1}", if exp.abs() < 0.05 { 0.0 } else { exp });
    if nl {
        format!("{level} {now} (verwacht {})", t.replace('.', ","))
    } else {
        format!("{level} {now} (expected {t})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Group "Afval": before the alarm week, Zwerfafval 30 and Grofvuil 10 (shares 3/4, 1/4).
    /// In the alarm week 60 reports, expected 20: Zwerfafval 20 (expected 15, +5), Grofvuil
    /// 40 (expected 5, +35). Grofvuil explains most.
    #[test]
    fn drivers_by_hand() {
        let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
        let mut counts: LevelCounts = BTreeMap::new();
        let afval = counts.entry("Afval".into()).or_default();
        afval.insert(
            "Zwerfafval".into(),
            BTreeMap::from([(d(1, 1), 30.0), (d(1, 8), 20.0)]),
        );
        afval.insert(
            "Grofvuil".into(),
            BTreeMap::from([(d(1, 1), 10.0), (d(1, 8), 40.0)]),
        );
        let j = Judged {
            group: "Afval".into(),
            period_start: d(1, 8),
            observed: 60.0,
            expected: Some(20.0),
            upper: Some(30.0),
            alarm: true,
            score: Some(4.0),
            method: "farrington",
        };
        assert_eq!(
            drivers(&j, "subcategorie", &counts, true, None).unwrap(),
            "subcategorie: Grofvuil 40 (verwacht 5,0), Zwerfafval 20 (verwacht 15,0)"
        );
        // A level seen only more than a year before the period has no share in the baseline.
        let mut old = counts.clone();
        old.get_mut("Afval").unwrap().insert(
            "Hondenpoep".into(),
            BTreeMap::from([(d(1, 1) - chrono::Duration::days(400), 1000.0)]),
        );
        assert_eq!(
            drivers(&j, "subcategorie", &old, true, None).unwrap(),
            "subcategorie: Grofvuil 40 (verwacht 5,0), Zwerfafval 20 (verwacht 15,0)"
        );
        // For the council (minimum 25): the 20 is a small count.
        assert_eq!(
            drivers(&j, "subcategorie", &counts, true, Some(25)).unwrap(),
            "subcategorie: Grofvuil 40 (verwacht 5,0), Zwerfafval <25 (verwacht 15,0)"
        );
    }
}
