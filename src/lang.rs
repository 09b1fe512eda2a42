//! The language of everything a person reads (Dutch by default, English as an option) and how
//! numbers, amounts and dates are written in it: 1.234,56 and 31-12-2024 in Dutch, 1,234.56
//! and 2024-12-31 in English.

use chrono::NaiveDate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Nl,
    En,
}

impl Lang {
    /// The text in this language.
    pub fn pick<'a>(self, nl: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Nl => nl,
            Lang::En => en,
        }
    }

    pub fn is_nl(self) -> bool {
        self == Lang::Nl
    }
}

/// A date for people: 31-12-2024 in Dutch, 2024-12-31 in English.
pub fn date_text(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Nl => d.format("%d-%m-%Y").to_string(),
        Lang::En => d.format("%Y-%m-%d").to_string(),
    }
}

/// An amount with two decimals; with `dutch`, a decimal comma and thousands dots (1.234,56),
/// else a decimal point and no separators (1234.56).
pub fn money_text(x: f64, dutch: bool) -> String {
    let plain = format!("{:.2}", x.abs());
    if !dutch {
        return format!(
            "{}{plain}",
            if x < 0.0 && plain != "0.00" { "-" } else { "" }
        );
    }
    let (int, dec) = plain.split_once('.').unwrap_or((&plain, "00"));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(ch);
    }
    let sign = if x < 0.0 && plain != "0.00" { "-" } else { "" };
    format!("{sign}{grouped},{dec}")
}

/// Floats rounded to at most 2 decimals for reading; the CSV/JSON keep full precision.
pub fn human_float(x: f64, nl: bool) -> String {
    let s = if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    };
    if nl { s.replace('.', ",") } else { s }
}

/// An axis or bar value: thousands grouped (20.000 in Dutch, 20,000 in English), one decimal
/// when it has any.
pub fn grouped(x: f64, nl: bool) -> String {
    let (sep, point) = if nl { ('.', ',') } else { (',', '.') };
    let s = if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    };
    let (sign, s) = s.strip_prefix('-').map_or(("", s.as_str()), |r| ("-", r));
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(sep);
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}{point}{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_amounts_and_dates() {
        assert_eq!(grouped(20000.0, true), "20.000");
        assert_eq!(grouped(20000.0, false), "20,000");
        assert_eq!(money_text(-1234.5, true), "-1.234,50");
        assert_eq!(human_float(6.785714, true), "6,79");
        let d = NaiveDate::from_ymd_opt(2024, 12, 31).unwrap();
        assert_eq!(
            (date_text(d, Lang::Nl), date_text(d, Lang::En)),
            ("31-12-2024".into(), "2024-12-31".into())
        );
        assert_eq!(Lang::En.pick("ja", "yes"), "yes");
    }
}
