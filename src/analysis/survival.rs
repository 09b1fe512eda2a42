//! Kaplan-Meier survival with Greenwood variance and three kinds of confidence interval, and
//! the quantiles (median, p75, p90) with their intervals. Checked against lifelines'
//! `KaplanMeierFitter` and R's `survival::survfit` (docs/waitlist.md, tests below).
//!
//! "Survival" here is "still waiting": S(t) is the share of cases without a decision t days
//! after they started. Cases still open, and withdrawn ones, are right-censored: they count as
//! at risk until the day they were last seen, and do not count as decided.

use statrs::distribution::{ContinuousCDF, Normal};

/// How the confidence band around S(t) is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CiMethod {
    /// S^exp(+-z sqrt(V)/ln S), "exponential Greenwood": lifelines' default.
    LogLog,
    /// exp(ln S +- z sqrt(V)): R survfit's default.
    Log,
    /// S +- z S sqrt(V), cut off at 0 and 1.
    Plain,
}

impl CiMethod {
    pub fn name(self) -> &'static str {
        match self {
            CiMethod::LogLog => "log-log",
            CiMethod::Log => "log",
            CiMethod::Plain => "plain",
        }
    }
}

/// One distinct time: how many were still at risk, how many ended (events) and how many were
/// censored at that time, and the curve just after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub time: f64,
    pub at_risk: u64,
    pub events: u64,
    pub censored: u64,
    pub survival: f64,
    /// Greenwood's sum of d / (n (n - d)) up to this time: the variance of ln S is this sum.
    pub greenwood: f64,
    /// The band; `None` where it is undefined (S = 0, as R reports it).
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// A fitted Kaplan-Meier curve.
#[derive(Debug, Clone)]
pub struct KaplanMeier {
    pub steps: Vec<Step>,
}

/// Counts at one time: (time, events, censored). The input of `fit`.
pub type Tally = (f64, u64, u64);

impl KaplanMeier {
    /// Fits the curve from per-time counts, sorted by time with each time once. `alpha` 0.05
    /// gives 95% bands.
    pub fn fit(tallies: &[Tally], ci: CiMethod, alpha: f64) -> KaplanMeier {
        debug_assert!(
            tallies.windows(2).all(|w| w[0].0 < w[1].0),
            "times sorted, unique"
        );
        let z = Normal::standard().inverse_cdf(1.0 - alpha / 2.0);
        let n: u64 = tallies.iter().map(|t| t.1 + t.2).sum();
        let mut at_risk = n;
        let (mut s, mut sum) = (1.0_f64, 0.0_f64);
        let mut steps = Vec::with_capacity(tallies.len());
        for &(time, events, censored) in tallies {
            if events > 0 {
                let (d, r) = (events as f64, at_risk as f64);
                s *= 1.0 - d / r;
                if events < at_risk {
                    sum += d / (r * (r - d));
                }
            }
            let (lower, upper) = band(s, sum, z, ci);
            steps.push(Step {
                time,
                at_risk,
                events,
                censored,
                survival: s,
                greenwood: sum,
                lower,
                upper,
            });
            at_risk -= events + censored;
        }
        KaplanMeier { steps }
    }

    /// The time by which a share `p` of the cases has ended: the smallest t with
    /// S(t) <= 1 - p (lifelines' rule, and R's except where S is exactly 1 - p over an interval;
    /// R then takes the midpoint to the next time). `None`: not reached.
    pub fn quantile(&self, p: f64) -> Option<f64> {
        first_at_or_below(
            self.steps.iter().map(|s| (s.time, Some(s.survival))),
            1.0 - p,
        )
    }

    /// The confidence interval of the `p` quantile: where the lower and the upper band cross
    /// 1 - p. `None` on a side means that band never gets there (R's NA, "not reached").
    pub fn quantile_ci(&self, p: f64) -> (Option<f64>, Option<f64>) {
        let q = 1.0 - p;
        (
            first_at_or_below(self.steps.iter().map(|s| (s.time, s.lower)), q),
            first_at_or_below(self.steps.iter().map(|s| (s.time, s.upper)), q),
        )
    }
}

/// Values within this of the threshold count as reaching it: products of fractions such as
/// 5/6 * 4/5 * 3/4 should give 0.5, not 0.5000000000000001.
const EPS: f64 = 1e-12;

fn first_at_or_below(curve: impl Iterator<Item = (f64, Option<f64>)>, q: f64) -> Option<f64> {
    curve
        .filter_map(|(t, v)| v.map(|v| (t, v)))
        .find(|&(_, v)| v <= q + EPS)
        .map(|(t, _)| t)
}

/// The confidence band at one time. Before the first event (S = 1) the band is [1, 1]; where S
/// is 0 it is undefined.
fn band(s: f64, sum: f64, z: f64, ci: CiMethod) -> (Option<f64>, Option<f64>) {
    if s <= 0.0 {
        return (None, None);
    }
    if sum == 0.0 || s >= 1.0 {
        return (Some(1.0), Some(1.0));
    }
    let se = sum.sqrt();
    let (lo, hi) = match ci {
        CiMethod::LogLog => {
            let ln = s.ln();
            (s.powf((-z * se / ln).exp()), s.powf((z * se / ln).exp()))
        }
        CiMethod::Log => ((s.ln() - z * se).exp(), (s.ln() + z * se).exp()),
        CiMethod::Plain => (s - z * s * se, s + z * s * se),
    };
    (Some(lo.clamp(0.0, 1.0)), Some(hi.clamp(0.0, 1.0)))
}

/// Turns (time, ended) observations into sorted tallies (the waiting-list analysis tallies in
/// polars).
#[cfg(test)]
pub fn tally(obs: &[(f64, bool)]) -> Vec<Tally> {
    let mut sorted = obs.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<Tally> = Vec::new();
    for (t, event) in sorted {
        match out.last_mut() {
            Some(last) if last.0 == t => {
                if event {
                    last.1 += 1
                } else {
                    last.2 += 1
                }
            }
            _ => out.push((t, u64::from(event), u64::from(!event))),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// Six cases by hand: decided after 2, 3, 3 and 7 days, one open at 3 days, one at 5.
    /// t=2: n=6 d=1 S=5/6; t=3: n=5 d=2 c=1, S=5/6*3/5=1/2; t=5: n=2 c=1; t=7: n=1 d=1, S=0.
    #[test]
    fn hand_computed_curve() {
        let obs = [
            (2.0, true),
            (3.0, true),
            (3.0, true),
            (3.0, false),
            (5.0, false),
            (7.0, true),
        ];
        let km = KaplanMeier::fit(&tally(&obs), CiMethod::LogLog, 0.05);
        let s: Vec<(f64, u64, u64, u64, f64)> = km
            .steps
            .iter()
            .map(|s| (s.time, s.at_risk, s.events, s.censored, s.survival))
            .collect();
        assert_eq!(s[0], (2.0, 6, 1, 0, 5.0 / 6.0));
        assert_eq!((s[1].0, s[1].1, s[1].2, s[1].3), (3.0, 5, 2, 1));
        assert!(close(s[1].4, 0.5, 1e-15));
        assert_eq!((s[2].0, s[2].1, s[2].2, s[2].3), (5.0, 2, 0, 1));
        assert_eq!(
            (s[3].0, s[3].1, s[3].2, s[3].3, s[3].4),
            (7.0, 1, 1, 0, 0.0)
        );
        // Greenwood at t=3: 1/(6*5) + 2/(5*3) = 1/30 + 4/30 = 1/6.
        assert!(close(km.steps[1].greenwood, 1.0 / 6.0, 1e-15));
        // log band at t=3: exp(ln 0.5 +- 1.959964 * sqrt(1/6)) = 0.5 * exp(-+0.800152).
        let log = KaplanMeier::fit(&tally(&obs), CiMethod::Log, 0.05);
        assert!(close(
            log.steps[1].lower.unwrap(),
            0.5 * (-0.800152_f64).exp(),
            1e-6
        ));
        assert_eq!(log.steps[1].upper, Some(1.0)); // 0.5 * e^0.8 = 1.11, cut at 1
        // S = 0 at t=7: no band.
        assert_eq!((km.steps[3].lower, km.steps[3].upper), (None, None));
        // Median: S(3) = 0.5 exactly, so 3 (lifelines' rule; R would say (3 + 7) / 2 = 5).
        assert_eq!(km.quantile(0.5), Some(3.0));
        assert_eq!(km.quantile(0.9), Some(7.0));
    }

    /// log-log band at t=2 by hand: S=5/6, V=1/30; ln S = -0.182322;
    /// upper = S^exp(z sqrt(V)/ln S) = 0.974712, lower = S^exp(-z sqrt(V)/ln S) = 0.273123 (the
    /// same as R's for g3 Control at t=9: 0.2731, 0.975).
    #[test]
    fn log_log_band_by_hand() {
        let km = KaplanMeier::fit(&[(2.0, 1, 5)], CiMethod::LogLog, 0.05);
        let step = &km.steps[0];
        assert!(close(step.upper.unwrap(), 0.974712, 1e-6), "{step:?}");
        assert!(close(step.lower.unwrap(), 0.273123, 1e-6), "{step:?}");
    }

    /// Not reached: S stays above one half.
    #[test]
    fn median_not_reached() {
        let km = KaplanMeier::fit(
            &tally(&[(1.0, true), (4.0, false), (4.0, false)]),
            CiMethod::LogLog,
            0.05,
        );
        assert_eq!(km.quantile(0.5), None);
        assert_eq!(km.quantile_ci(0.5).1, None);
    }
}

/// Parity with lifelines 0.30 and R survival 3.5 on their own test sets. The tables were
/// written by testdata/survival/make_reference.py (which runs both); see docs/waitlist.md for
/// the two documented differences.
#[cfg(test)]
mod reference {
    use super::*;
    use std::collections::BTreeMap;

    const SETS: &[(&str, &str)] = &[
        ("aml", include_str!("../../testdata/survival/aml.csv")),
        ("g3", include_str!("../../testdata/survival/g3.csv")),
        ("gehan", include_str!("../../testdata/survival/gehan.csv")),
        (
            "waltons",
            include_str!("../../testdata/survival/waltons.csv"),
        ),
        ("lung", include_str!("../../testdata/survival/lung.csv")),
        ("rossi", include_str!("../../testdata/survival/rossi.csv")),
    ];

    fn table(set: &str, source: &str) -> &'static str {
        macro_rules! t {
            ($($s:literal),*) => {
                match (set, source) {
                    $(
                        ($s, "lifelines") => include_str!(concat!("../../testdata/survival/", $s, "-lifelines.csv")),
                        ($s, "r-log") => include_str!(concat!("../../testdata/survival/", $s, "-r-log.csv")),
                        ($s, "r-loglog") => include_str!(concat!("../../testdata/survival/", $s, "-r-loglog.csv")),
                    )*
                    _ => unreachable!("no table {set} {source}"),
                }
            };
        }
        t!("aml", "g3", "gehan", "waltons", "lung", "rossi")
    }

    fn rows(text: &str) -> Vec<Vec<String>> {
        text.lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split(',').map(|f| f.trim().to_string()).collect())
            .collect()
    }

    fn opt(s: &str) -> Option<f64> {
        (!s.is_empty()).then(|| s.parse().expect("number"))
    }

    /// group -> fitted curve.
    fn fits(set: &str, data: &str, ci: CiMethod) -> BTreeMap<String, KaplanMeier> {
        let mut obs: BTreeMap<String, Vec<(f64, bool)>> = BTreeMap::new();
        for r in rows(data) {
            let t: f64 = r[1].parse().expect("time");
            obs.entry(r[0].clone()).or_default().push((t, r[2] == "1"));
        }
        assert!(!obs.is_empty(), "{set}");
        obs.into_iter()
            .map(|(g, o)| (g, KaplanMeier::fit(&tally(&o), ci, 0.05)))
            .collect()
    }

    fn same(a: Option<f64>, b: Option<f64>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => {
                (a - b).abs() <= 1e-9 * b.abs().max(1e-300) || (a - b).abs() < 1e-12
            }
            (None, None) => true,
            _ => false,
        }
    }

    /// Every row of every curve: at risk, events, censored, S and the band. lifelines reports
    /// a band of [0, 0] where S = 0 (it replaces Greenwood's infinite term by 0); R and we
    /// report none, so those rows compare S only.
    #[test]
    fn curves_equal_lifelines_and_r() {
        for &(set, data) in SETS {
            for (source, ci) in [
                ("lifelines", CiMethod::LogLog),
                ("r-log", CiMethod::Log),
                ("r-loglog", CiMethod::LogLog),
            ] {
                let fitted = fits(set, data, ci);
                let mut seen = 0;
                for r in rows(table(set, source)) {
                    let km = &fitted[&r[0]];
                    let time: f64 = r[1].parse().unwrap();
                    let st = km.steps.iter().find(|s| s.time == time).unwrap_or_else(|| {
                        panic!("{set} {source}: no step at {time} in group {}", r[0])
                    });
                    let counts: Vec<u64> = r[2..5].iter().map(|v| v.parse().unwrap()).collect();
                    assert_eq!(
                        counts,
                        [st.at_risk, st.events, st.censored],
                        "{set} {source} {r:?}"
                    );
                    assert!(
                        same(Some(st.survival), opt(&r[5])),
                        "{set} {source} S {r:?} {st:?}"
                    );
                    if st.survival > 0.0 || source != "lifelines" {
                        assert!(
                            same(st.lower, opt(&r[6])),
                            "{set} {source} lower {r:?} {st:?}"
                        );
                        assert!(
                            same(st.upper, opt(&r[7])),
                            "{set} {source} upper {r:?} {st:?}"
                        );
                    }
                    seen += 1;
                }
                let steps: usize = fitted.values().map(|k| k.steps.len()).sum();
                assert_eq!(seen, steps, "{set} {source}: every step compared");
            }
        }
    }

    /// Medians, p75 and p90 with their intervals, against both tools. The differences are the
    /// documented ones, listed here so that any other difference fails.
    #[test]
    fn quantiles_equal_lifelines_and_r() {
        let mut differences = Vec::new();
        let quantiles = [
            include_str!("../../testdata/survival/quantiles-lifelines.csv"),
            include_str!("../../testdata/survival/quantiles-r.csv"),
        ];
        for r in quantiles.iter().flat_map(|q| rows(q)) {
            let (set, group, source, ci, p) = (&r[0], &r[1], &r[2], &r[3], &r[4]);
            let ci = if ci == "log" {
                CiMethod::Log
            } else {
                CiMethod::LogLog
            };
            let data = SETS.iter().find(|s| s.0 == set).unwrap().1;
            let km = &fits(set, data, ci)[group];
            let p: f64 = p.parse().unwrap();
            let (lo, hi) = km.quantile_ci(p);
            let ours = [km.quantile(p), lo, hi];
            let theirs = [opt(&r[5]), opt(&r[6]), opt(&r[7])];
            // lifelines' band is [0, 0] where S = 0, so its interval may end at the time the
            // last case ends; R's (and ours) has no band there: "not reached".
            let zero_at = km.steps.iter().find(|s| s.survival == 0.0).map(|s| s.time);
            for (what, (a, b)) in ["value", "lower", "upper"]
                .iter()
                .zip(ours.iter().zip(theirs))
            {
                let band_at_zero =
                    source == "lifelines" && *what != "value" && a.is_none() && b == zero_at;
                if !same(*a, b) && !band_at_zero {
                    differences.push(format!(
                        "{set} {group} {source} {} p{p} {what}: ours {a:?}, theirs {b:?}",
                        ci.name()
                    ));
                }
            }
        }
        let expected = [
            // S(32) = 5/6 * 4/5 * 3/4 = 0.5 exactly; lifelines' float product is
            // 0.5000000000000001, so it answers 34; R takes the midpoint of 32 and 34.
            "g3 Control lifelines log-log p0.5 value: ours Some(32.0), theirs Some(34.0)",
            "g3 Control R log p0.5 value: ours Some(32.0), theirs Some(33.0)",
            "g3 Control R log-log p0.5 value: ours Some(32.0), theirs Some(33.0)",
        ];
        let unexpected: Vec<&String> = differences
            .iter()
            .filter(|d| !expected.contains(&d.as_str()))
            .collect();
        assert!(
            unexpected.is_empty(),
            "unexpected differences:\n{unexpected:#?}"
        );
        assert_eq!(differences.len(), expected.len(), "{differences:#?}");
    }

    /// The published values in ../shared/data/survival/REFERENCE_VALUES.txt (R survival's own
    /// test output, lifelines' docs and tests).
    #[test]
    fn published_values() {
        let lung = fits("lung", SETS[4].1, CiMethod::Log);
        for (g, med, lo, hi) in [
            ("ph.ecog=0", 394.0, Some(348.0), Some(574.0)),
            ("ph.ecog=1", 306.0, Some(268.0), Some(429.0)),
            ("ph.ecog=2", 199.0, Some(156.0), Some(288.0)),
            ("ph.ecog=3", 118.0, None, None),
        ] {
            assert_eq!(lung[g].quantile(0.5), Some(med), "{g}");
            assert_eq!(lung[g].quantile_ci(0.5), (lo, hi), "{g}");
        }
        let aml = fits("aml", SETS[0].1, CiMethod::Log);
        assert_eq!(aml["Maintained"].quantile(0.5), Some(31.0));
        assert_eq!(aml["Maintained"].quantile_ci(0.5), (Some(18.0), None));
        assert_eq!(aml["Nonmaintained"].quantile(0.5), Some(23.0));
        assert_eq!(aml["Nonmaintained"].quantile_ci(0.5), (Some(8.0), None));
        let s = |t: f64| {
            aml["Maintained"]
                .steps
                .iter()
                .find(|s| s.time == t)
                .unwrap()
                .survival
        };
        assert!((s(9.0) - 0.909).abs() < 5e-4 && (s(13.0) - 0.818).abs() < 5e-4);
        assert!((s(18.0) - 0.716).abs() < 5e-4);
        let g3 = fits("g3", SETS[1].1, CiMethod::LogLog);
        let control: Vec<(f64, f64, f64, f64)> = g3["Control"]
            .steps
            .iter()
            .filter(|s| s.events > 0)
            .map(|s| (s.time, s.survival, s.lower.unwrap(), s.upper.unwrap()))
            .collect();
        let published = [
            (9.0, 0.833, 0.2731, 0.975),
            (19.0, 0.667, 0.1946, 0.904),
            (32.0, 0.5, 0.1109, 0.804),
            (34.0, 0.333, 0.0461, 0.676),
        ];
        for ((t, s, lo, hi), (pt, ps, plo, phi)) in control.iter().zip(published) {
            assert_eq!(*t, pt);
            assert!((s - ps).abs() < 5e-4 && (lo - plo).abs() < 5e-5 && (hi - phi).abs() < 5e-4);
        }
        let rit = &g3["RIT"].steps;
        assert!((rit.iter().find(|s| s.time == 25.0).unwrap().survival - 0.909).abs() < 5e-4);
        assert!((rit.iter().find(|s| s.time == 53.0).unwrap().survival - 0.779).abs() < 5e-4);
        let rossi = fits("rossi", SETS[5].1, CiMethod::LogLog);
        assert_eq!(
            rossi["all"].quantile(0.5),
            None,
            "rossi: median not reached"
        );
        let gehan = fits("gehan", SETS[2].1, CiMethod::LogLog);
        assert_eq!(gehan["control"].quantile(0.5), Some(8.0));
        assert_eq!(gehan["6-MP"].quantile(0.5), Some(23.0));
    }
}
