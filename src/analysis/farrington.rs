//! Farrington flexible (Noufaily et al. 2013), the outbreak-detection standard for weekly
//! counts with years of history, written to give what R's `surveillance::farringtonFlexible`
//! (1.20) gives: the same reference weeks and period factor, the same quasi-Poisson GLM
//! fitted by the same IRLS steps, the same Anscombe reweighting, trend test and 2/3-power
//! upper bound, and the same `limit54` rule. The parity tests compare with R's output.

use chrono::{Datelike, Months, NaiveDate};
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// The control settings, named as in R.
#[derive(Debug, Clone, PartialEq)]
pub struct Control {
    /// Years of history.
    pub b: usize,
    /// Half-width of the window around the same week in past years.
    pub w: usize,
    pub reweight: bool,
    pub weights_threshold: f64,
    pub alpha: f64,
    pub trend: bool,
    pub p_threshold_trend: f64,
    /// No alarm (and no bound) when fewer than `limit54.0` cases in the last `limit54.1`
    /// weeks, the current one included.
    pub limit54: (f64, usize),
    /// 1: the original reference windows only; more: all past weeks, in this many periods.
    pub no_periods: usize,
    /// The most recent weeks left out of the fit; `None`: `w`.
    pub past_weeks_not_included: Option<usize>,
    /// Time points per year (52 for weeks).
    pub freq: usize,
}

impl Control {
    /// The improved method (Noufaily et al.): all past data in 10 periods, Anscombe
    /// threshold 2.58, the last 26 weeks left out. b = 5, w = 3 as in R.
    pub fn improved() -> Control {
        Control {
            b: 5,
            w: 3,
            reweight: true,
            weights_threshold: 2.58,
            alpha: 0.05,
            trend: true,
            p_threshold_trend: 0.05,
            limit54: (5.0, 4),
            no_periods: 10,
            past_weeks_not_included: Some(26),
            freq: 52,
        }
    }

    /// The original Farrington et al. (1996) settings: the reference windows only, threshold 1.
    #[cfg(test)]
    pub fn original() -> Control {
        Control {
            b: 3,
            w: 3,
            weights_threshold: 1.0,
            no_periods: 1,
            past_weeks_not_included: None,
            ..Control::improved()
        }
    }

    /// The first time point (0-based) with enough history: R's default range start.
    #[cfg(test)]
    pub fn first(&self) -> usize {
        self.freq * self.b + self.w
    }
}

/// The result for one time point.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The expected count mu0; `None` where `limit54` holds back (as R reports it).
    pub expected: Option<f64>,
    pub upper: Option<f64>,
    pub alarm: bool,
    pub score: Option<f64>,
    /// The trend was kept in the model.
    pub trend: bool,
    pub phi: f64,
    /// The model's expectation, also where `limit54` holds back.
    pub mu0: f64,
}

/// Runs the method for every time point in `range` (0-based indexes into `counts`). `dates`
/// (day numbers, one per count, weekly) selects R's calendar rule for the reference weeks
/// (the same date 1..b years back, moved to the same weekday); without dates, the weeks
/// `freq` apart. `None` for a point means the model did not converge (R's NA).
pub fn run(
    counts: &[f64],
    dates: Option<&[i32]>,
    range: std::ops::Range<usize>,
    c: &Control,
) -> Vec<Option<Point>> {
    range.map(|k| point(counts, dates, k, c)).collect()
}

/// The expected count and the upper bound for time point `k`, without the limit54 rule: also
/// for a future `k`, where `counts` holds NaN (a forecast: the fit leaves recent weeks out).
pub fn bound(counts: &[f64], dates: Option<&[i32]>, k: usize, c: &Control) -> Option<(f64, f64)> {
    let data = design_data(counts, dates, k, c)?;
    let fit = fit_with_trend_choice(&data, c)?;
    let upper = upper_bound(&fit, c);
    upper.is_finite().then_some((fit.pred_fit, upper))
}

/// The 2/3-power (delta) upper bound: (mu0^(2/3) + z sqrt(4/9 mu0^(1/3) tau))^(3/2) with
/// tau = phi + se(mu0)^2 / mu0.
fn upper_bound(fit: &Fit, c: &Control) -> f64 {
    let z = Normal::standard().inverse_cdf(1.0 - c.alpha);
    let (mu0, se) = (fit.pred_fit, fit.pred_se);
    let tau = fit.phi + se * se / mu0;
    let se_t = (4.0 / 9.0 * mu0.powf(1.0 / 3.0) * tau).sqrt();
    (mu0.powf(2.0 / 3.0) + z * se_t).powf(1.5)
}

fn point(counts: &[f64], dates: Option<&[i32]>, k: usize, c: &Control) -> Option<Point> {
    let data = design_data(counts, dates, k, c)?;
    let fit = fit_with_trend_choice(&data, c)?;
    let y = counts[k];
    let mu0 = fit.pred_fit;
    let upper = upper_bound(&fit, c);
    let score = (y - mu0) / (upper - mu0);
    let from = (k + 1).saturating_sub(c.limit54.1);
    let recent: f64 = counts[from..=k].iter().sum();
    let enough = recent >= c.limit54.0;
    let upper = upper.is_finite().then_some(upper);
    Some(Point {
        expected: (enough && upper.is_some()).then_some(mu0),
        upper: if enough { upper } else { None },
        alarm: enough && upper.is_some() && score > 1.0 && y != 0.0,
        score: (enough && upper.is_some()).then_some(score),
        trend: fit.trend,
        phi: fit.phi,
        mu0,
    })
}

/// The rows the model is fitted on, and what to predict.
struct Data {
    y: Vec<f64>,
    wtime: Vec<f64>,
    /// Period factor level of each row (1..=no_periods).
    group: Vec<usize>,
    /// wtime of the point to predict; its level is `no_periods`.
    wtime_now: f64,
    levels: Vec<usize>,
    now_level: usize,
}

/// R's algo.farrington.referencetimepoints + blocks + data.glm.
fn design_data(counts: &[f64], dates: Option<&[i32]>, k: usize, c: &Control) -> Option<Data> {
    let refs = reference_points(dates, k, c)?;
    let n = counts.len();
    let mut blocks = blocks(&refs, n, k, c)?;
    let skip = c.past_weeks_not_included.unwrap_or(c.w);
    for b in blocks.iter_mut().take(k + 1).skip(k.saturating_sub(skip)) {
        *b = None;
    }
    let rows: Vec<usize> = (0..n).filter(|&i| blocks[i].is_some()).collect();
    let first = *rows.first()?;
    let time = |i: usize| -> f64 {
        match dates {
            Some(d) => f64::from(d[i] - d[first]) / f64::from(d[1] - d[0]),
            None => (i + 1) as f64,
        }
    };
    let rows: Vec<usize> = rows
        .into_iter()
        .filter(|&i| counts[i].is_finite())
        .collect();
    let mut levels: Vec<usize> = rows.iter().filter_map(|&i| blocks[i]).collect();
    levels.sort_unstable();
    levels.dedup();
    Some(Data {
        y: rows.iter().map(|&i| counts[i]).collect(),
        wtime: rows.iter().map(|&i| time(i)).collect(),
        group: rows
            .iter()
            .map(|&i| blocks[i].expect("kept rows have a block"))
            .collect(),
        wtime_now: time(k),
        levels,
        now_level: c.no_periods,
    })
}

/// R's algo.farrington.blocks: the period factor level of each time point (`None`: not in
/// the fit). The window around k and around each reference week is level `no_periods`; with
/// more than one period, the weeks between two reference windows are cut into
/// `no_periods - 1` blocks, the first ones a week longer when they do not divide evenly.
/// `None` when the weeks between are too few for the blocks.
fn blocks(refs: &[usize], n: usize, k: usize, c: &Control) -> Option<Vec<Option<usize>>> {
    let mut blocks: Vec<Option<usize>> = vec![None; n];
    let (w, p) = (c.w, c.no_periods);
    fill(&mut blocks, k as isize - w as isize, k as isize, p);
    for i in 1..=c.b {
        let (next, ref_week) = (refs[i - 1] as isize, refs[i] as isize);
        fill(&mut blocks, ref_week - w as isize, ref_week + w as isize, p);
        if p != 1 {
            let period = next - 2 * w as isize - 1 - ref_week;
            if period < p as isize - (2 * w as isize + 1) {
                return None;
            }
            let (len, rest) = (
                period.div_euclid(p as isize - 1),
                period.rem_euclid(p as isize - 1),
            );
            let mut start = ref_week + w as isize + 1;
            for j in 1..p {
                let size = len + isize::from((j as isize) <= rest);
                fill(&mut blocks, start, start + size - 1, j);
                start += size;
            }
        }
    }
    Some(blocks)
}

/// Sets the level of the time points from..=to that exist.
fn fill(blocks: &mut [Option<usize>], from: isize, to: isize, v: usize) {
    for i in from.max(0)..=to {
        if let Some(slot) = blocks.get_mut(i as usize) {
            *slot = Some(v);
        }
    }
}

/// The reference time points (0-based indexes): k, and the same week 1..b years back.
fn reference_points(dates: Option<&[i32]>, k: usize, c: &Control) -> Option<Vec<usize>> {
    let Some(d) = dates else {
        return (0..=c.b)
            .map(|y| k.checked_sub(y * c.freq))
            .collect::<Option<Vec<_>>>();
    };
    let day = crate::dates::from_day_number(d[k])?;
    (0..=c.b)
        .map(|y| {
            let target = years_back(day, y)?;
            let pick = if c.freq != 52 {
                // Months (and days): the same date in earlier years, as R does.
                target
            } else {
                nearest_same_weekday(target, day)
            };
            let num = crate::dates::day_number(pick);
            d.iter().position(|&x| x == num)
        })
        .collect()
}

/// The same date `y` years before `day`, as R's seq(by = "-1 year"), which rolls 29 February
/// to 1 March in other years.
fn years_back(day: NaiveDate, y: usize) -> Option<NaiveDate> {
    if day.month() == 2 && day.day() == 29 && y > 0 {
        let year = day.year() - y as i32;
        NaiveDate::from_ymd_opt(year, 2, 29).or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
    } else {
        day.checked_sub_months(Months::new(12 * y as u32))
    }
}

/// `target` moved to the weekday of `day`: A (same week) or B (a week further), whichever is
/// nearer the target date (R: dist A > dist B picks B).
fn nearest_same_weekday(target: NaiveDate, day: NaiveDate) -> NaiveDate {
    let weekday = |x: NaiveDate| i64::from(x.weekday().num_days_from_sunday());
    let a = target - chrono::Duration::days(weekday(target) - weekday(day));
    let b = a + chrono::Duration::days(if a > target { -7 } else { 7 });
    if (a - target).num_days().abs() > (b - target).num_days().abs() {
        b
    } else {
        a
    }
}

/// A fitted quasi-Poisson model and its prediction for the current week.
struct Fit {
    pred_fit: f64,
    pred_se: f64,
    phi: f64,
    trend: bool,
}

/// R's algo.farrington.glm: fit with trend; keep it only if significant, with b >= 3, and
/// without extrapolation above the largest count; otherwise refit without.
fn fit_with_trend_choice(d: &Data, c: &Control) -> Option<Fit> {
    let with = if c.trend {
        fit_flexible(d, c, true)
    } else {
        None
    };
    let model = match with {
        Some(m) if m.has_trend => {
            let (fit, _) = m.predict(d);
            let significant = m.trend_p_value() < c.p_threshold_trend;
            let max_y = d.y.iter().copied().fold(f64::MIN, f64::max);
            if c.b >= 3 && significant && fit <= max_y {
                let (f, se) = m.predict(d);
                return Some(Fit {
                    pred_fit: f,
                    pred_se: se,
                    phi: m.phi,
                    trend: true,
                });
            }
            fit_flexible(d, c, false)?
        }
        Some(m) => m,
        None => fit_flexible(d, c, false)?,
    };
    let (f, se) = model.predict(d);
    Some(Fit {
        pred_fit: f,
        pred_se: se,
        phi: model.phi,
        trend: false,
    })
}

/// R's algo.farrington.fitGLM.flexible: fit; if it does not converge with a trend, without;
/// then reweight by Anscombe residuals and refit once.
fn fit_flexible(d: &Data, c: &Control, trend: bool) -> Option<Glm> {
    let mut trend = trend;
    let x = design(d, trend);
    let ones = vec![1.0; d.y.len()];
    let mut model = irls(&x, &d.y, &ones);
    if model.as_ref().is_none_or(|m| !m.converged) {
        if !trend {
            return None;
        }
        trend = false;
        model = irls(&design(d, false), &d.y, &ones);
        if model.as_ref().is_none_or(|m| !m.converged) {
            return None;
        }
    }
    let mut m = model?;
    let x = design(d, trend);
    m.phi = m.dispersion().max(1.0);
    if c.reweight {
        let s = m.anscombe();
        let big = |v: f64| v > c.weights_threshold;
        let denom: f64 = s
            .iter()
            .map(|&v| if big(v) { v.powi(-2) } else { 1.0 })
            .sum();
        let gamma = s.len() as f64 / denom;
        let omega: Vec<f64> = s
            .iter()
            .map(|&v| if big(v) { gamma * v.powi(-2) } else { gamma })
            .collect();
        let mut refit = irls(&x, &d.y, &omega)?;
        refit.phi = refit.dispersion().max(1.0);
        refit.summary_weights = omega;
        m = refit;
    }
    m.has_trend = trend;
    m.trend_col = trend.then_some(1);
    m.design_now = design_row(d, trend, d.wtime_now, d.now_level);
    Some(m)
}

/// One row of the design: at most three non-zero entries (intercept, wtime, one period
/// dummy), kept sparse so that a fit costs O(n) per IRLS step.
#[derive(Debug, Clone, Copy)]
struct Row {
    idx: [usize; 3],
    val: [f64; 3],
    len: usize,
}

impl Row {
    fn from_dense(dense: &[f64]) -> Row {
        let mut r = Row {
            idx: [0; 3],
            val: [0.0; 3],
            len: 0,
        };
        for (j, &v) in dense.iter().enumerate() {
            if v != 0.0 {
                debug_assert!(r.len < 3, "at most three non-zero columns");
                r.idx[r.len] = j;
                r.val[r.len] = v;
                r.len += 1;
            }
        }
        r
    }

    fn entries(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.idx[..self.len]
            .iter()
            .copied()
            .zip(self.val[..self.len].iter().copied())
    }

    fn dot(&self, beta: &[f64]) -> f64 {
        self.entries().map(|(j, v)| v * beta[j]).sum()
    }

    /// x' M x over the non-zero entries.
    fn quad(&self, m: &[Vec<f64>]) -> f64 {
        let mut s = 0.0;
        for (a, va) in self.entries() {
            for (b, vb) in self.entries() {
                s += va * m[a][b] * vb;
            }
        }
        s
    }
}

/// The design matrix: intercept, [wtime], one dummy per period level after the first (R's
/// treatment contrasts over the levels present).
struct Design {
    rows: Vec<Row>,
    p: usize,
}

fn design(d: &Data, trend: bool) -> Design {
    let p = 1 + usize::from(trend) + d.levels.len().saturating_sub(1);
    Design {
        rows: (0..d.y.len())
            .map(|i| Row::from_dense(&design_row(d, trend, d.wtime[i], d.group[i])))
            .collect(),
        p,
    }
}

fn design_row(d: &Data, trend: bool, wtime: f64, level: usize) -> Vec<f64> {
    let mut row = vec![1.0];
    if trend {
        row.push(wtime);
    }
    for &l in d.levels.iter().skip(1) {
        row.push(if level == l { 1.0 } else { 0.0 });
    }
    row
}

/// A Poisson-family GLM with log link, as R's glm.fit leaves it.
struct Glm {
    beta: Vec<f64>,
    y: Vec<f64>,
    mu: Vec<f64>,
    /// Working weights of the last IRLS step (R's `weights`: from the mu before the update).
    working: Vec<f64>,
    /// The weights summary.glm and predict.glm use: the working weights, except after
    /// reweighting, where R's surveillance puts the Anscombe weights in `model$weights`. Its
    /// standard errors and trend test therefore use sum(omega (y - mu)^2 / mu^2) / (n - p).
    summary_weights: Vec<f64>,
    /// (X' W X)^-1 with those weights: R's cov.unscaled.
    cov: Vec<Vec<f64>>,
    x: Vec<Row>,
    converged: bool,
    phi: f64,
    has_trend: bool,
    trend_col: Option<usize>,
    design_now: Vec<f64>,
}

impl Glm {
    /// The model as R's glm.fit leaves it after the last step (phi 1, no trend yet: see
    /// `fit_flexible`).
    fn fitted(
        x: &Design,
        y: &[f64],
        step: Step,
        working: Vec<f64>,
        cov: Vec<Vec<f64>>,
        converged: bool,
    ) -> Glm {
        Glm {
            beta: step.beta,
            y: y.to_vec(),
            mu: step.mu,
            summary_weights: working.clone(),
            working,
            cov,
            x: x.rows.clone(),
            converged,
            phi: 1.0,
            has_trend: false,
            trend_col: None,
            design_now: Vec::new(),
        }
    }

    fn rank(&self) -> usize {
        self.beta.len()
    }

    /// Pearson dispersion, as summary.glm: sum(w r^2) / (n - p) over the rows with w > 0,
    /// with r the working residual (y - mu) / mu and w the working weights (w r^2 =
    /// prior (y - mu)^2 / mu).
    fn dispersion(&self) -> f64 {
        self.dispersion_with(&self.working)
    }

    /// The dispersion summary.glm reports for the model as surveillance leaves it.
    fn summary_dispersion(&self) -> f64 {
        self.dispersion_with(&self.summary_weights)
    }

    fn dispersion_with(&self, w: &[f64]) -> f64 {
        let rows = (0..self.y.len()).filter(|&i| w[i] > 0.0);
        let n = rows.clone().count();
        let sum: f64 = rows
            .map(|i| {
                let r = (self.y[i] - self.mu[i]) / self.mu[i];
                w[i] * r * r
            })
            .sum();
        sum / (n as f64 - self.rank() as f64)
    }

    /// Anscombe residuals scaled by phi and the hat values (R's anscombe.residuals).
    fn anscombe(&self) -> Vec<f64> {
        (0..self.y.len())
            .map(|i| {
                let (y, mu) = (self.y[i], self.mu[i]);
                let h = self.hat(i);
                1.5 * (y.powf(2.0 / 3.0) * mu.powf(-1.0 / 6.0) - mu.sqrt())
                    / (self.phi * (1.0 - h)).sqrt()
            })
            .collect()
    }

    fn hat(&self, i: usize) -> f64 {
        self.working[i] * self.x[i].quad(&self.cov)
    }

    /// Prediction on the response scale with its standard error, as predict.glm with the
    /// model's own (unfloored) dispersion: R passes `dispersion = model$phi` inside newdata,
    /// where it is ignored.
    fn predict(&self, _d: &Data) -> (f64, f64) {
        let x0 = &self.design_now;
        let eta: f64 = x0.iter().zip(&self.beta).map(|(a, b)| a * b).sum();
        let mu = eta.exp();
        let se_eta = (self.summary_dispersion() * quad(&self.cov, x0)).sqrt();
        (mu, se_eta * mu)
    }

    /// Two-sided p-value of the trend coefficient (t test with n - p degrees of freedom).
    fn trend_p_value(&self) -> f64 {
        let Some(j) = self.trend_col else { return 1.0 };
        let se = (self.summary_dispersion() * self.cov[j][j]).sqrt();
        let t = self.beta[j] / se;
        let n = self.summary_weights.iter().filter(|&&w| w > 0.0).count();
        let df = n as f64 - self.rank() as f64;
        match StudentsT::new(0.0, 1.0, df) {
            Ok(dist) => 2.0 * dist.cdf(-t.abs()),
            Err(_) => 1.0,
        }
    }
}

fn quad(m: &[Vec<f64>], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for (i, xi) in x.iter().enumerate() {
        for (j, xj) in x.iter().enumerate() {
            s += xi * m[i][j] * xj;
        }
    }
    s
}

/// Poisson deviance contributions, as R's poisson()$dev.resids.
fn deviance(y: &[f64], mu: &[f64], w: &[f64]) -> f64 {
    y.iter()
        .zip(mu)
        .zip(w)
        .map(|((&y, &mu), &w)| {
            let r = if y > 0.0 { y * (y / mu).ln() } else { 0.0 };
            2.0 * w * (r - (y - mu))
        })
        .sum()
}

/// R's glm.fit for the Poisson family and log link: start at mu = y + 0.1, iterate weighted
/// least squares until the relative change in deviance is below 1e-8, at most 25 times.
fn irls(x: &Design, y: &[f64], prior: &[f64]) -> Option<Glm> {
    const EPSILON: f64 = 1e-8;
    let n = y.len();
    if n <= x.p {
        return None;
    }
    let mu: Vec<f64> = y.iter().map(|v| v + 0.1).collect();
    let eta: Vec<f64> = mu.iter().map(|m| m.ln()).collect();
    let dev = deviance(y, &mu, prior);
    let mut step = Step {
        beta: vec![0.0; x.p],
        eta,
        mu,
        dev,
    };
    let (mut working, mut cov, mut converged) = (vec![0.0; n], vec![], false);
    let mut beta_old: Vec<f64> = Vec::new();
    for _ in 0..MAXIT {
        working = (0..n).map(|i| prior[i] * step.mu[i]).collect();
        let z: Vec<f64> = (0..n)
            .map(|i| step.eta[i] + (y[i] - step.mu[i]) / step.mu[i])
            .collect();
        let beta;
        (beta, cov) = weighted_least_squares(x, &working, &z)?;
        let dev_old = step.dev;
        step = finite_step(x, y, prior, beta, &beta_old)?;
        beta_old = step.beta.clone();
        if (step.dev - dev_old).abs() / (step.dev.abs() + 0.1) < EPSILON {
            converged = true;
            break;
        }
    }
    Some(Glm::fitted(x, y, step, working, cov, converged))
}

/// The most iterations of R's glm.fit, and the most halvings of one step.
const MAXIT: usize = 25;

/// The coefficients after one IRLS step, with the linear predictor, the means and the
/// deviance they give.
struct Step {
    beta: Vec<f64>,
    eta: Vec<f64>,
    mu: Vec<f64>,
    dev: f64,
}

impl Step {
    /// The linear predictor, the means and the deviance of `beta`.
    fn at(x: &Design, y: &[f64], prior: &[f64], beta: Vec<f64>) -> Step {
        let eta: Vec<f64> = x.rows.iter().map(|row| row.dot(&beta)).collect();
        let mu: Vec<f64> = eta.iter().map(|e| e.exp()).collect();
        let dev = deviance(y, &mu, prior);
        Step { beta, eta, mu, dev }
    }
}

/// The step to `beta`; as R's glm.fit, a step to a non-finite deviance is halved towards the
/// last one (`None`: there is no last one, or 25 halvings do not help).
fn finite_step(
    x: &Design,
    y: &[f64],
    prior: &[f64],
    beta: Vec<f64>,
    beta_old: &[f64],
) -> Option<Step> {
    let mut step = Step::at(x, y, prior, beta);
    let mut halvings = 0;
    while !step.dev.is_finite() {
        halvings += 1;
        if halvings > MAXIT || beta_old.is_empty() {
            return None;
        }
        let beta = step
            .beta
            .iter()
            .zip(beta_old)
            .map(|(b, o)| (b + o) / 2.0)
            .collect();
        step = Step::at(x, y, prior, beta);
    }
    Some(step)
}

/// The weighted least-squares solution beta = (X' W X)^-1 X' W z, and (X' W X)^-1; `None`
/// when X' W X is singular.
fn weighted_least_squares(
    x: &Design,
    working: &[f64],
    z: &[f64],
) -> Option<(Vec<f64>, Vec<Vec<f64>>)> {
    let p = x.p;
    let mut xtwx = vec![vec![0.0; p]; p];
    let mut xtwz = vec![0.0; p];
    for (i, row) in x.rows.iter().enumerate() {
        let w = working[i];
        for (a, va) in row.entries() {
            xtwz[a] += va * w * z[i];
            for (b, vb) in row.entries() {
                xtwx[a][b] += va * w * vb;
            }
        }
    }
    let cov = invert(&xtwx)?;
    let beta = (0..p)
        .map(|a| (0..p).map(|b| cov[a][b] * xtwz[b]).sum())
        .collect();
    Some((beta, cov))
}

/// The inverse of a small symmetric positive definite matrix (Gauss-Jordan with partial
/// pivoting on the matrix scaled to a unit diagonal, so that a large column such as the time
/// trend does not hide a small one); `None` when singular.
fn invert(m: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = m.len();
    let d: Vec<f64> = (0..n).map(|i| m[i][i].sqrt()).collect();
    if d.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
        return None;
    }
    // [D^-1 M D^-1 | I], with D the square roots of the diagonal.
    let mut a: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            let mut r: Vec<f64> = (0..n).map(|j| m[i][j] / (d[i] * d[j])).collect();
            r.extend((0..n).map(|j| if i == j { 1.0 } else { 0.0 }));
            r
        })
        .collect();
    for col in 0..n {
        eliminate(&mut a, col)?;
    }
    Some(
        (0..n)
            .map(|i| (0..n).map(|j| a[i][n + j] / (d[i] * d[j])).collect())
            .collect(),
    )
}

/// One Gauss-Jordan step: the row with the largest entry in column `col` (from `col` down)
/// becomes row `col`, is scaled to 1 there, and is subtracted from the other rows; `None`
/// when that entry is too small.
fn eliminate(a: &mut [Vec<f64>], col: usize) -> Option<()> {
    let n = a.len();
    let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
    // R's glm drops columns that are linearly dependent at a tolerance of 1e-11.
    if a[pivot][col].abs() <= 1e-11 {
        return None;
    }
    a.swap(col, pivot);
    let p = a[col][col];
    for v in a[col].iter_mut() {
        *v /= p;
    }
    let pivot_row = a[col].clone();
    for (r, row) in a.iter_mut().enumerate() {
        if r != col {
            let f = row[col];
            if f != 0.0 {
                for (v, pv) in row.iter_mut().zip(&pivot_row) {
                    *v -= f * pv;
                }
            }
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Poisson GLM with intercept only is the mean: log(mean(y)) after one step.
    #[test]
    fn intercept_only_glm_is_the_mean() {
        let y = [2.0, 4.0, 6.0, 8.0];
        let x = Design {
            rows: y.iter().map(|_| Row::from_dense(&[1.0])).collect(),
            p: 1,
        };
        let m = irls(&x, &y, &[1.0; 4]).unwrap();
        assert!(m.converged);
        assert!((m.beta[0] - 5.0_f64.ln()).abs() < 1e-10);
        // Pearson dispersion: sum((y - 5)^2 / 5) / 3 = (9 + 1 + 1 + 9) / 15 = 4/3 at the
        // optimum; R's summary reports 1.33335031092933 because its working weights are those
        // of the last IRLS step (glm(c(2,4,6,8) ~ 1, family = quasipoisson), 4 iterations).
        let d = m.dispersion();
        assert!((d - 1.33335031092933).abs() < 1e-12, "{d}");
    }
}

/// Parity with R surveillance 1.20 `farringtonFlexible` on testdata/surveillance/synthetic.csv
/// (written, with the reference, by testdata/surveillance/make_reference.R).
#[cfg(test)]
pub(crate) mod reference {
    use super::*;
    use std::collections::BTreeMap;

    /// series -> (dates as day numbers, counts)
    pub fn synthetic() -> BTreeMap<String, (Vec<i32>, Vec<f64>)> {
        let mut out: BTreeMap<String, (Vec<i32>, Vec<f64>)> = BTreeMap::new();
        for line in include_str!("../../testdata/surveillance/synthetic.csv")
            .lines()
            .skip(1)
        {
            let f: Vec<&str> = line.split(',').collect();
            let date = chrono::NaiveDate::parse_from_str(f[0], "%Y-%m-%d").unwrap();
            let e = out.entry(f[1].to_string()).or_default();
            e.0.push(crate::dates::day_number(date));
            e.1.push(f[2].parse().unwrap());
        }
        out
    }

    /// (series, settings) -> rows of (date, observed, expected, upper, alarm)
    #[allow(clippy::type_complexity)]
    pub fn expected()
    -> BTreeMap<(String, String), Vec<(String, f64, Option<f64>, Option<f64>, bool)>> {
        let mut out: BTreeMap<_, Vec<_>> = BTreeMap::new();
        let num = |s: &str| {
            let s = s.trim();
            // NA and NaN: no value.
            (s != "NA" && s != "NaN").then(|| s.parse::<f64>().unwrap())
        };
        for line in include_str!("../../testdata/surveillance/reference_synthetic.csv")
            .lines()
            .skip(1)
        {
            let f: Vec<&str> = line.split(',').collect();
            out.entry((f[0].to_string(), f[1].to_string()))
                .or_default()
                .push((
                    f[2].to_string(),
                    f[3].trim().parse().unwrap(),
                    num(f[4]),
                    num(f[5]),
                    f[6] == "1",
                ));
        }
        out
    }

    pub fn close(a: Option<f64>, b: Option<f64>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-6 * b.abs().max(1e-9),
            (None, None) => true,
            _ => false,
        }
    }

    #[test]
    fn farrington_flexible_equals_r() {
        let data = synthetic();
        let reference = expected();
        let mut checked = 0;
        for (name, (dates, counts)) in &data {
            for (set, control) in [
                ("original", Control::original()),
                (
                    "improved",
                    Control {
                        b: 3,
                        ..Control::improved()
                    },
                ),
            ] {
                let rows = &reference[&(name.clone(), set.to_string())];
                let got = run(counts, Some(dates), control.first()..counts.len(), &control);
                assert_eq!(got.len(), rows.len(), "{name} {set}");
                for (g, r) in got.iter().zip(rows) {
                    let g = g
                        .as_ref()
                        .unwrap_or_else(|| panic!("{name} {set} {}: no fit", r.0));
                    assert!(
                        close(g.expected, r.2) && close(g.upper, r.3) && g.alarm == r.4,
                        "{name} {set} {}: ours {:?} {:?} {}, R {:?} {:?} {}",
                        r.0,
                        g.expected,
                        g.upper,
                        g.alarm,
                        r.2,
                        r.3,
                        r.4
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 1500, "{checked}");
    }
}
