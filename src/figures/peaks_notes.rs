//! The notes under a peaks table: what was judged and how, whose history is short, what was
//! not counted, and what the weather file lacks.

use super::peaks::Options;
use crate::analysis::peaks::{self, Period, Settings};
use crate::context::Context;
use crate::lang::Lang;
use chrono::NaiveDate;

pub fn judged(judged: &[peaks::Judged], short: &[String], s: &Settings, lang: Lang) -> String {
    let alarms = judged.iter().filter(|j| j.alarm).count();
    let no_model = judged
        .iter()
        .filter(|j| j.method == "farrington (geen model)")
        .count();
    let mut methods: Vec<&str> = judged.iter().map(|j| j.method).collect();
    methods.sort_unstable();
    methods.dedup();
    let f = &s.farrington;
    let mut text = match lang {
        Lang::Nl => format!(
            "{alarms} pieken in {} beoordeelde perioden (methode: {}). Farrington flexible: {} \
             jaar historie (of minder), venster {}, {} perioden, drempel herweging {}, laatste \
             {} perioden niet in het model, alpha {}; geen piek bij minder dan {} meldingen in {} \
             perioden.",
            judged.len(),
            methods.join(", "),
            f.b,
            f.w,
            f.no_periods,
            f.weights_threshold.to_string().replace('.', ","),
            f.past_weeks_not_included.unwrap_or(f.w),
            f.alpha.to_string().replace('.', ","),
            f.limit54.0,
            f.limit54.1
        ),
        Lang::En => format!(
            "{alarms} alarms in {} judged periods (method: {}). Farrington flexible: {} years of \
             history (or fewer), window {}, {} periods, reweighting threshold {}, last {} \
             periods left out of the fit, alpha {}; no alarm below {} reports in {} periods.",
            judged.len(),
            methods.join(", "),
            f.b,
            f.w,
            f.no_periods,
            f.weights_threshold,
            f.past_weeks_not_included.unwrap_or(f.w),
            f.alpha,
            f.limit54.0,
            f.limit54.1
        ),
    };
    if no_model > 0 {
        text.push_str(&match lang {
            Lang::Nl => format!(
                " {no_model} perioden zonder uitkomst: het model convergeerde niet (methode \
                 'farrington (geen model)')."
            ),
            Lang::En => format!(
                " {no_model} periods without a result: the model did not converge (method \
                 'farrington (geen model)')."
            ),
        });
    }
    if !short.is_empty() {
        text.push_str(&match lang {
            Lang::Nl => format!(
                " Te weinig historie om te beoordelen: {}.",
                short.join(", ")
            ),
            Lang::En => format!(" Too little history to judge: {}.", short.join(", ")),
        });
    }
    text
}

pub fn forecast(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => {
            "Verwachting per periode met bovengrens: Farrington flexible (zelfde model als bij \
             pieken) waar de reeks 2 jaar of meer historie heeft, anders het gemiddelde van de \
             laatste 7 perioden (vlak)."
        }
        Lang::En => {
            "Expected count per period with its upper bound: Farrington flexible (the model \
             of the peaks) where the series has 2 years of history or more, else the mean of \
             the last 7 periods (flat)."
        }
    }
}

pub fn correlate(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => {
            "Pearson-correlatie van het aantal meldingen per periode met de hoogste windstoot, \
             de neerslag en de laagste temperatuur in die periode (KNMI). Rond 0: geen verband; \
             boven 0,5 of onder -0,5: een duidelijk verband (geen bewijs van oorzaak)."
        }
        Lang::En => {
            "Pearson correlation of the number of reports per period with the highest gust, the \
             precipitation and the lowest temperature in that period (KNMI). Near 0: no relation; \
             above 0.5 or below -0.5: a clear relation (no proof of cause)."
        }
    }
}

/// "week van 01-07-2024" / "week of 2024-07-01" and the like.
fn period_name(p: Period, start: NaiveDate, lang: Lang) -> String {
    let day = |d: NaiveDate| match lang {
        Lang::Nl => d.format("%d-%m-%Y").to_string(),
        Lang::En => d.format("%Y-%m-%d").to_string(),
    };
    match (p, lang) {
        (Period::Day, Lang::Nl) => day(start),
        (Period::Week, Lang::Nl) => format!("de week van {}", day(start)),
        (Period::Month, Lang::Nl) => format!("de maand {}", start.format("%m-%Y")),
        (Period::Day, Lang::En) => day(start),
        (Period::Week, Lang::En) => format!("the week of {}", day(start)),
        (Period::Month, Lang::En) => format!("the month {}", start.format("%Y-%m")),
    }
}

/// What was not counted and why: events without a date, after the as-of date, rows without a
/// count, and the period that the as-of date falls inside (not yet complete).
pub fn left_out(counts: &peaks::Counts, args: &Options, to: NaiveDate, ctx: &Context) -> String {
    let (nl, as_of) = (ctx.nl(), ctx.as_of);
    let mut text = String::new();
    let current = args.period.start(as_of);
    if current > to && args.to.is_none_or(|t| args.period.start(t) >= current) {
        let day = if nl {
            as_of.format("%d-%m-%Y").to_string()
        } else {
            as_of.to_string()
        };
        let what = period_name(args.period, current, ctx.lang);
        text.push_str(&if nl {
            format!(" {what} is op de peildatum ({day}) nog niet compleet en is niet beoordeeld.")
        } else {
            format!(" {what} is not complete on the as-of date ({day}) and is not judged.")
        });
    }
    if counts.after > 0.0 {
        let n = ctx.count_text(counts.after as i64);
        text.push_str(&if nl {
            format!(" {n} van na de peildatum tellen niet mee.")
        } else {
            format!(" {n} dated after the as-of date are not counted.")
        });
    }
    if counts.undated > 0.0 {
        let n = ctx.count_text(counts.undated as i64);
        text.push_str(&if nl {
            format!(" {n} zonder {} tellen niet mee.", args.date_column)
        } else {
            format!(" {n} without {} are not counted.", args.date_column)
        });
    }
    if counts.no_count > 0.0 {
        let n = ctx.count_text(counts.no_count as i64);
        let c = args.count_column.as_deref().unwrap_or("");
        text.push_str(&if nl {
            format!(" {n} rijen zonder {c} tellen niet mee.")
        } else {
            format!(" {n} rows without {c} are not counted.")
        });
    }
    text
}

/// Where a series' history is shorter than the method's: the data starts recently (a system
/// taken into use: its first months often look like peaks), or a series (a category) started
/// later than the data.
pub fn history(series: &[peaks::Series], to: NaiveDate, s: &Settings, ctx: &Context) -> String {
    let nl = ctx.nl();
    let day = |d: NaiveDate| {
        if nl {
            d.format("%d-%m-%Y").to_string()
        } else {
            d.to_string()
        }
    };
    let Some(first) = series
        .iter()
        .filter_map(|x| x.starts.first())
        .min()
        .copied()
    else {
        return String::new();
    };
    let mut text = String::new();
    let years = (to - first).num_days() as f64 / 365.25;
    if years < 2.0 && s.period != Period::Day {
        text.push_str(&if nl {
            format!(
                " De gegevens beginnen op {} ({} jaar voor de laatste periode): minder dan 2 \
                 jaar historie, dus EARS (korte termijn) in plaats van Farrington; pieken in de \
                 eerste maanden kunnen de opstart van het systeem zijn.",
                day(first),
                format!("{years:.1}").replace('.', ",")
            )
        } else {
            format!(
                " The data starts on {} ({years:.1} years before the last period): less than 2 \
                 years of history, so EARS (short term) instead of Farrington; peaks in the \
                 first months may be the system's start-up.",
                day(first)
            )
        });
    }
    // Series that began more than a few periods after the data: their history starts there.
    let mut late: Vec<String> = series
        .iter()
        .filter_map(|x| {
            let start = *x.starts.first()?;
            let gap = (start - first).num_days();
            let slack = match s.period {
                Period::Day => 14,
                Period::Week => 56,
                Period::Month => 92,
            };
            (gap > slack).then(|| format!("{} ({})", x.group, day(start)))
        })
        .collect();
    late.sort();
    if !late.is_empty() {
        let shown: Vec<&String> = late.iter().take(10).collect();
        let more = late.len().saturating_sub(10);
        let list = shown
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        text.push_str(&match (nl, more) {
            (true, 0) => format!(" Historie vanaf de eerste melding: {list}."),
            (true, m) => format!(" Historie vanaf de eerste melding: {list} en {m} andere."),
            (false, 0) => format!(" History from the first report: {list}."),
            (false, m) => format!(" History from the first report: {list} and {m} others."),
        });
    }
    text
}

/// Which judged periods a KNMI file lacks: `None` when it covers them all.
pub fn weather_coverage(
    days: &[NaiveDate],
    (from, to): (NaiveDate, NaiveDate),
    period: Period,
    lang: Lang,
) -> Option<String> {
    let nl = lang == Lang::Nl;
    let end = period.next(to) - chrono::Duration::days(1);
    let first = days.iter().min().copied();
    let last = days.iter().max().copied();
    let (Some(first), Some(last)) = (first, last) else {
        return Some(if nl {
            " Het weerbestand bevat geen dagen: geen weer bij de pieken.".into()
        } else {
            " The weather file holds no days: no weather with the alarms.".into()
        });
    };
    if first <= from && last >= end {
        return None;
    }
    let f = |d: NaiveDate| {
        if nl {
            d.format("%d-%m-%Y").to_string()
        } else {
            d.to_string()
        }
    };
    let one_day = chrono::Duration::days(1);
    let (to_word, and) = if nl { ("t/m", "en") } else { ("to", "and") };
    let span = |a: NaiveDate, b: NaiveDate| format!("{} {to_word} {}", f(a), f(b));
    let mut gaps = Vec::new();
    if first > from {
        gaps.push(span(from, first - one_day));
    }
    if last < end {
        gaps.push(span((last + one_day).max(from), end));
    }
    let gaps = gaps.join(&format!(" {and} "));
    Some(if nl {
        format!(
            " Het weerbestand loopt van {}; voor {gaps} is er geen weer (haal een recenter \
             bestand bij het KNMI).",
            span(first, last)
        )
    } else {
        format!(
            " The weather file covers {}; it has no weather for {gaps} (get a more recent file \
             from the KNMI).",
            span(first, last)
        )
    })
}
