//! The weather beside the peaks: per period (from KNMI days, read by the caller), against the
//! normal of that calendar period in an alarm's text, and correlated with each series.

use super::{Period, Series};
use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use std::collections::BTreeMap;

/// Weather over one period: max gust, total precipitation, min temperature.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Weather {
    pub gust: Option<f64>,
    pub rain: Option<f64>,
    pub min_temp: Option<f64>,
}

/// One day's weather as the peaks analysis uses it (read from a KNMI file by the caller).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeatherDay {
    pub date: NaiveDate,
    /// Highest wind gust, m/s.
    pub max_gust: Option<f64>,
    /// Precipitation, mm.
    pub precipitation: Option<f64>,
    /// Minimum temperature, degrees C.
    pub min_temp: Option<f64>,
}

/// The weather per period start.
pub type WeatherPerPeriod = BTreeMap<NaiveDate, Weather>;

/// The days' weather gathered per period: the highest gust, the sum of the precipitation and
/// the lowest temperature of the days that have them.
pub fn weather_per_period(days: &[WeatherDay], period: Period) -> WeatherPerPeriod {
    let mut out: BTreeMap<NaiveDate, Weather> = BTreeMap::new();
    for d in days {
        let w = out.entry(period.start(d.date)).or_default();
        if let Some(g) = d.max_gust {
            w.gust = Some(w.gust.map_or(g, |x| x.max(g)));
        }
        if let Some(r) = d.precipitation {
            w.rain = Some(w.rain.unwrap_or(0.0) + r);
        }
        if let Some(t) = d.min_temp {
            w.min_temp = Some(w.min_temp.map_or(t, |x| x.min(t)));
        }
    }
    out
}

/// The same calendar period in other years: ISO week number, month, or day of the year.
fn same_period(a: NaiveDate, b: NaiveDate, period: Period) -> bool {
    match period {
        Period::Week => a.iso_week().week() == b.iso_week().week(),
        Period::Month => a.month() == b.month(),
        Period::Day => a.ordinal() == b.ordinal(),
    }
}

/// The weather of an alarm's period against that calendar period's normal (the mean over the
/// other years in the file), as text.
pub fn weather_text(
    start: NaiveDate,
    per: &BTreeMap<NaiveDate, Weather>,
    period: Period,
    nl: bool,
) -> Option<String> {
    let now = per.get(&start)?;
    let normal = normal(start, per, period);
    let (gust, rain, temp) = if nl {
        ("windstoot max", "neerslag", "min. temperatuur")
    } else {
        ("max gust", "precipitation", "min temperature")
    };
    let parts: Vec<String> = [
        weather_part(gust, "m/s", now.gust, normal.gust, nl),
        weather_part(rain, "mm", now.rain, normal.rain, nl),
        weather_part(temp, "°C", now.min_temp, normal.min_temp, nl),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The normal weather of the calendar period of `start`: per measure, the mean over the other
/// years that have it.
fn normal(start: NaiveDate, per: &BTreeMap<NaiveDate, Weather>, period: Period) -> Weather {
    let year = |d: NaiveDate| match period {
        Period::Week => d.iso_week().year(),
        _ => d.year(),
    };
    let others: Vec<&Weather> = per
        .iter()
        .filter(|(d, _)| year(**d) != year(start) && same_period(**d, start, period))
        .map(|(_, w)| w)
        .collect();
    let mean = |f: fn(&Weather) -> Option<f64>| -> Option<f64> {
        let v: Vec<f64> = others.iter().filter_map(|w| f(w)).collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    Weather {
        gust: mean(|w| w.gust),
        rain: mean(|w| w.rain),
        min_temp: mean(|w| w.min_temp),
    }
}

/// One measure as text: "neerslag 31,2 mm (normaal 12,0)"; `None` when it was not measured.
fn weather_part(
    name: &str,
    unit: &str,
    v: Option<f64>,
    normal: Option<f64>,
    nl: bool,
) -> Option<String> {
    let num = |x: f64| {
        let t = format!("{x:.1}");
        if nl { t.replace('.', ",") } else { t }
    };
    let v = v?;
    Some(match normal {
        Some(n) if nl => format!("{name} {} {unit} (normaal {})", num(v), num(n)),
        Some(n) => format!("{name} {} {unit} (normal {})", num(v), num(n)),
        None => format!("{name} {} {unit}", num(v)),
    })
}

/// Pearson correlation of two equally long series; `None` with fewer than 3 pairs or no spread.
pub fn correlation(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len().min(y.len());
    if n < 3 {
        return None;
    }
    let (mx, my) = (
        x[..n].iter().sum::<f64>() / n as f64,
        y[..n].iter().sum::<f64>() / n as f64,
    );
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (a, b) = (x[i] - mx, y[i] - my);
        sxy += a * b;
        sxx += a * a;
        syy += b * b;
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Per series: the correlation of its counts with max gust, precipitation and min temperature
/// over the periods that have both.
pub fn correlate(all: &[Series], per: &BTreeMap<NaiveDate, Weather>) -> Result<DataFrame> {
    let (mut groups, mut periods) = (Vec::new(), Vec::new());
    let (mut gust, mut rain, mut temp) = (Vec::new(), Vec::new(), Vec::new());
    let round = |x: Option<f64>| x.map(|v| (v * 1000.0).round() / 1000.0);
    for s in all {
        let pick = |f: fn(&Weather) -> Option<f64>| -> (Vec<f64>, Vec<f64>) {
            s.starts
                .iter()
                .zip(&s.counts)
                .filter_map(|(d, c)| per.get(d).and_then(f).map(|w| (*c, w)))
                .unzip()
        };
        let (cg, g) = pick(|w| w.gust);
        let (cr, r) = pick(|w| w.rain);
        let (ct, t) = pick(|w| w.min_temp);
        groups.push(s.group.as_str());
        periods.push(cg.len() as i64);
        gust.push(round(correlation(&cg, &g)));
        rain.push(round(correlation(&cr, &r)));
        temp.push(round(correlation(&ct, &t)));
    }
    Ok(DataFrame::new_infer_height(vec![
        Column::new("group".into(), groups),
        Column::new("periods".into(), periods),
        Column::new("corr_max_gust".into(), gust),
        Column::new("corr_precipitation".into(), rain),
        Column::new("corr_min_temp".into(), temp),
    ])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correlation_by_hand() {
        assert_eq!(correlation(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]), Some(1.0));
        let r = correlation(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0]).unwrap();
        assert!((r - 0.8).abs() < 1e-12, "{r}");
    }
}
