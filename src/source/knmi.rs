//! KNMI daily weather ("etmaalgegevens"), any station: the header is found by its
//! `STN,YYYYMMDD` line (after a legend of varying length), values in 0.1 units are converted,
//! blanks are missing, and RH = -1 (under 0.05 mm) counts as 0.

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use std::path::Path;

/// One day at one station. `None`: not measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Day {
    pub station: String,
    pub date: NaiveDate,
    /// Highest wind gust (FXX), m/s.
    pub max_gust: Option<f64>,
    /// Precipitation (RH), mm.
    pub precipitation: Option<f64>,
    /// Minimum temperature (TN), degrees C.
    pub min_temp: Option<f64>,
    /// Maximum temperature (TX), degrees C.
    pub max_temp: Option<f64>,
    /// Mean temperature (TG), degrees C.
    pub mean_temp: Option<f64>,
}

/// Reads a KNMI daily data file (bytes that are not UTF-8 are replaced: it is ASCII).
pub fn read(path: &Path) -> Result<Vec<Day>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    parse(&text).with_context(|| format!("reading the KNMI file {}", path.display()))
}

/// The days of a KNMI daily data file's text.
pub fn parse(text: &str) -> Result<Vec<Day>> {
    let mut lines = text.lines().enumerate();
    let columns = Columns::of(&header(&mut lines)?);
    let mut out = Vec::new();
    for (no, line) in lines {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        out.push(columns.day(line, no + 1)?);
    }
    Ok(out)
}

/// Skips the legend up to the header line (`STN,YYYYMMDD,...`, maybe after a '#') and
/// returns its names.
fn header<'a>(lines: &mut impl Iterator<Item = (usize, &'a str)>) -> Result<Vec<String>> {
    loop {
        let Some((_, line)) = lines.next() else {
            bail!(
                "no header line 'STN,YYYYMMDD,...' found: is this a KNMI daily data file \
                 (etmgeg_NNN.txt from knmi.nl)?"
            );
        };
        let stripped = line.trim_start_matches(['#', ' ']);
        if stripped.starts_with("STN,YYYYMMDD") {
            return Ok(stripped.split(',').map(|h| h.trim().to_string()).collect());
        }
    }
}

/// Where the values we use stand in a data line, by the header (`None`: not in the file).
struct Columns {
    fxx: Option<usize>,
    rh: Option<usize>,
    tn: Option<usize>,
    tx: Option<usize>,
    tg: Option<usize>,
}

impl Columns {
    /// The positions of FXX, RH, TN, TX and TG in the header.
    fn of(header: &[String]) -> Columns {
        let col = |name: &str| header.iter().position(|h| h == name);
        Columns {
            fxx: col("FXX"),
            rh: col("RH"),
            tn: col("TN"),
            tx: col("TX"),
            tg: col("TG"),
        }
    }

    /// One data line (line number `no`, 1-based) as a day.
    fn day(&self, line: &str, no: usize) -> Result<Day> {
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        let date = f
            .get(1)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y%m%d").ok())
            .with_context(|| {
                format!(
                    "line {no}: '{}' is no date YYYYMMDD",
                    f.get(1).unwrap_or(&"")
                )
            })?;
        let tenth = |i: Option<usize>| tenth(&f, i, no);
        Ok(Day {
            station: f[0].to_string(),
            date,
            max_gust: tenth(self.fxx)?,
            // -1 means less than 0.05 mm: dry for our purposes.
            precipitation: tenth(self.rh)?.map(|v| if v < 0.0 { 0.0 } else { v }),
            min_temp: tenth(self.tn)?,
            max_temp: tenth(self.tx)?,
            mean_temp: tenth(self.tg)?,
        })
    }
}

/// Field `i` of a line (number `no`), given in 0.1 units, in whole units; `None` when it is
/// blank or not in the file.
fn tenth(f: &[&str], i: Option<usize>, no: usize) -> Result<Option<f64>> {
    let Some(v) = i.and_then(|i| f.get(i)).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let x: f64 = v
        .parse()
        .with_context(|| format!("line {no}: '{v}' is not a number"))?;
    Ok(Some(x / 10.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The legend, the header after it, CRLF line ends, 0.1 units: 25 July 2019 at Cabauw
    /// (348) had TX 369, 36.9 degrees; RH -1 on the 26th is dry (0 mm).
    #[test]
    fn cabauw_heat_record() {
        let days = parse(include_str!("../../testdata/knmi/etmgeg_348_2019.txt")).unwrap();
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let hot = days.iter().find(|x| x.date == d(2019, 7, 25)).unwrap();
        assert_eq!(hot.station, "348");
        assert_eq!(hot.max_temp, Some(36.9));
        assert_eq!(hot.min_temp, Some(17.0));
        assert_eq!(hot.max_gust, Some(6.0));
        let next = days.iter().find(|x| x.date == d(2019, 7, 26)).unwrap();
        assert_eq!(next.precipitation, Some(0.0));
        assert_eq!(next.max_gust, Some(18.0));
    }

    #[test]
    fn not_a_knmi_file() {
        let err = parse("datum;aantal\n1-1-2024;3\n").unwrap_err().to_string();
        assert!(err.contains("STN,YYYYMMDD"), "{err}");
    }
}
