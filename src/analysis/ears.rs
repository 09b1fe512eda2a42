//! EARS C1, C2 and C3 (CDC's Early Aberration Reporting System), for daily data and short
//! series, as R's `surveillance::earsC`: a 7-day baseline (C1: the 7 days before; C2 and C3:
//! lagged by 2), the upper bound mean + z sd, and C3 adding up the last C2 excesses.

use statrs::distribution::{ContinuousCDF, Normal};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    C1,
    C2,
    C3,
}

impl Method {
    /// CDC's default alpha: 0.001 for C1 and C2, 0.025 for C3.
    pub fn default_alpha(self) -> f64 {
        match self {
            Method::C1 | Method::C2 => 0.001,
            Method::C3 => 0.025,
        }
    }

    /// Time points needed before the first one that can be judged.
    pub fn history(self, baseline: usize) -> usize {
        match self {
            Method::C1 => baseline,
            Method::C2 => baseline + 2,
            Method::C3 => baseline + 4,
        }
    }
}

/// One judged time point: the upper bound and whether the count exceeds it (`None` where the
/// baseline has no spread and no minimum sigma is set, R's NA).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub expected: f64,
    pub upper: Option<f64>,
    pub alarm: bool,
}

/// Mean and sample standard deviation (n - 1) of the baseline ending `lag` before `t`.
fn baseline(y: &[f64], t: usize, n: usize, lag: usize) -> (f64, f64) {
    let vals = &y[t + 1 - lag - n..=t - lag];
    let mean = vals.iter().sum::<f64>() / n as f64;
    let var = vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
    (mean, var.sqrt())
}

/// Runs the method for every `t` in `range` (0-based; each needs `method.history(baseline)`
/// points before it).
pub fn run(
    y: &[f64],
    method: Method,
    alpha: f64,
    min_sigma: f64,
    base: usize,
    range: std::ops::Range<usize>,
) -> Vec<Point> {
    let z = Normal::standard().inverse_cdf(1.0 - alpha);
    let finite = |v: f64| v.is_finite().then_some(v);
    range
        .map(|t| {
            let (upper, expected) = match method {
                Method::C1 | Method::C2 => {
                    let lag = if method == Method::C1 { 1 } else { 3 };
                    let (mean, sd) = baseline(y, t, base, lag);
                    (finite(mean + z * sd.max(min_sigma)), mean)
                }
                Method::C3 => c3(y, t, base, z, min_sigma),
            };
            Point {
                expected,
                upper,
                alarm: upper.is_some_and(|u| y[t] > u),
            }
        })
        .collect()
}

/// C3's upper bound at `t` and the baseline mean: the C2 bound lowered by the C2 excesses (above
/// 1) of the two time points before.
fn c3(y: &[f64], t: usize, base: usize, z: f64, min_sigma: f64) -> (Option<f64>, f64) {
    let c2 = |s: usize| {
        let (mean, sd) = baseline(y, s, base, 3);
        (y[s] - mean) / sd.max(min_sigma)
    };
    let (mean, sd) = baseline(y, t, base, 3);
    // R's pmax(0, x): NaN stays NaN (a baseline without spread).
    let pmax0 = |v: f64| if v.is_nan() { v } else { v.max(0.0) };
    let excess = pmax0(c2(t - 2) - 1.0) + pmax0(c2(t - 1) - 1.0);
    let u = y[t] + sd.max(min_sigma) * (z - excess);
    // R's pmax(0, NaN) is NaN: no bound; -Inf (a huge earlier excess) is 0.
    ((!u.is_nan()).then(|| u.max(0.0)), mean)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::farrington::reference::{close, expected, synthetic};

    /// C1 by hand: baseline 1..7 = mean 4, sd 2.160247; z(0.999) = 3.090232;
    /// upper = 4 + 3.090232 x 2.160247 = 10.675665.
    #[test]
    fn c1_by_hand() {
        let y = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 11.0];
        let p = run(&y, Method::C1, 0.001, 0.0, 7, 7..8);
        assert!((p[0].upper.unwrap() - 10.675665).abs() < 1e-6, "{p:?}");
        assert!(p[0].alarm);
    }

    /// Parity with R surveillance `earsC` (C1, C2, C3 with CDC's alphas) on the synthetic
    /// series: the last 104 weeks of each.
    #[test]
    fn ears_equals_r() {
        let reference = expected();
        let mut checked = 0;
        for (name, (_, y)) in synthetic() {
            for (m, key) in [
                (Method::C1, "ears-c1"),
                (Method::C2, "ears-c2"),
                (Method::C3, "ears-c3"),
            ] {
                let rows = &reference[&(name.clone(), key.to_string())];
                let got = run(&y, m, m.default_alpha(), 0.0, 7, y.len() - 104..y.len());
                for (g, r) in got.iter().zip(rows) {
                    assert!(
                        close(g.upper, r.3) && g.alarm == r.4,
                        "{name} {key} {}: ours {:?} {}, R {:?} {}",
                        r.0,
                        g.upper,
                        g.alarm,
                        r.3,
                        r.4
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 6 * 3 * 104);
    }
}
