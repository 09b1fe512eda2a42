//! The notes under a peaks table: what was judged and how, whose history is short, what was
//! not counted, and what the weather file lacks.

use super::peaks::Options;
use crate::analysis::peaks::{self, Detection, Period};
use crate::context::Context;
use crate::lang::{Lang, date_text};
use chrono::NaiveDate;

/// How many alarms in how many periods, by which method and settings; periods without a
/// result and series too short to judge.
pub fn judged(judged: &[peaks::Judged], short: &[String], s: &Detection, lang: Lang) -> String {
    let mut text = settings_text(judged, s, lang);
    let no_model = judged
        .iter()
        .filter(|j| j.method == "farrington (geen model)")
        .count();
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
        let list = short.join(", ");
        text.push_str(&match lang {
            Lang::Nl => format!(" Te weinig historie om te beoordelen: {list}."),
            Lang::En => format!(" Too little history to judge: {list}."),
        });
    }
    text
}

/// "3 pieken in 12 beoordeelde perioden (methode: ...). Farrington flexible: 5 jaar ..."
fn settings_text(judged: &[peaks::Judged], s: &Detection, lang: Lang) -> String {
    let alarms = judged.iter().filter(|j| j.alarm).count();
    let mut methods: Vec<&str> = judged.iter().map(|j| j.method).collect();
    methods.sort_unstable();
    methods.dedup();
    let (n, methods, f) = (judged.len(), methods.join(", "), &s.farrington);
    let (b, w, periods, (cases, last)) = (f.b, f.w, f.no_periods, f.limit54);
    let left_out = f.past_weeks_not_included.unwrap_or(f.w);
    match lang {
        Lang::Nl => {
            let threshold = f.weights_threshold.to_string().replace('.', ",");
            let alpha = f.alpha.to_string().replace('.', ",");
            format!(
                "{alarms} pieken in {n} beoordeelde perioden (methode: {methods}). Farrington \
                 flexible: {b} jaar historie (of minder), venster {w}, {periods} perioden, \
                 drempel herweging {threshold}, laatste {left_out} perioden niet in het model, \
                 alpha {alpha}; geen piek bij minder dan {cases} meldingen in {last} perioden."
            )
        }
        Lang::En => {
            let (threshold, alpha) = (f.weights_threshold, f.alpha);
            format!(
                "{alarms} alarms in {n} judged periods (method: {methods}). Farrington flexible: \
                 {b} years of history (or fewer), window {w}, {periods} periods, reweighting \
                 threshold {threshold}, last {left_out} periods left out of the fit, alpha \
                 {alpha}; no alarm below {cases} reports in {last} periods."
            )
        }
    }
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
    let day = date_text(start, lang);
    match (p, lang) {
        (Period::Day, _) => day,
        (Period::Week, Lang::Nl) => format!("de week van {day}"),
        (Period::Month, Lang::Nl) => format!("de maand {}", start.format("%m-%Y")),
        (Period::Week, Lang::En) => format!("the week of {day}"),
        (Period::Month, Lang::En) => format!("the month {}", start.format("%Y-%m")),
    }
}

/// What was not counted and why: events without a date, after the as-of date, rows without a
/// count, and the period that the as-of date falls inside (not yet complete).
pub fn left_out(counts: &peaks::Counts, args: &Options, to: NaiveDate, ctx: &Context) -> String {
    let nl = ctx.nl();
    let mut text = incomplete(args, to, ctx);
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

/// The period the as-of date falls inside, when it would have been judged: not complete, so
/// not judged.
fn incomplete(args: &Options, to: NaiveDate, ctx: &Context) -> String {
    let current = args.period.start(ctx.as_of);
    if current <= to || args.to.is_some_and(|t| args.period.start(t) < current) {
        return String::new();
    }
    let day = date_text(ctx.as_of, ctx.lang);
    let what = period_name(args.period, current, ctx.lang);
    match ctx.lang {
        Lang::Nl => {
            format!(" {what} is op de peildatum ({day}) nog niet compleet en is niet beoordeeld.")
        }
        Lang::En => format!(" {what} is not complete on the as-of date ({day}) and is not judged."),
    }
}

/// Where a series' history is shorter than the method's: the data starts recently (a system
/// taken into use: its first months often look like peaks), or a series (a category) started
/// later than the data.
pub fn history(series: &[peaks::Series], to: NaiveDate, s: &Detection, ctx: &Context) -> String {
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
        text.push_str(&short_data(first, years, ctx.lang));
    }
    text.push_str(&late_series(series, first, s.period, ctx.lang));
    text
}

/// The data starts less than 2 years before the last period: EARS, and a warning about the
/// start-up of a system.
fn short_data(first: NaiveDate, years: f64, lang: Lang) -> String {
    let day = date_text(first, lang);
    match lang {
        Lang::Nl => {
            let years = format!("{years:.1}").replace('.', ",");
            format!(
                " De gegevens beginnen op {day} ({years} jaar voor de laatste periode): minder \
                 dan 2 jaar historie, dus EARS (korte termijn) in plaats van Farrington; pieken \
                 in de eerste maanden kunnen de opstart van het systeem zijn."
            )
        }
        Lang::En => format!(
            " The data starts on {day} ({years:.1} years before the last period): less than 2 \
             years of history, so EARS (short term) instead of Farrington; peaks in the first \
             months may be the system's start-up."
        ),
    }
}

/// Series that began more than a few periods after the data: their history starts there
/// (at most 10 named).
fn late_series(series: &[peaks::Series], first: NaiveDate, period: Period, lang: Lang) -> String {
    let slack = match period {
        Period::Day => 14,
        Period::Week => 56,
        Period::Month => 92,
    };
    let mut late: Vec<String> = series
        .iter()
        .filter_map(|x| {
            let start = *x.starts.first()?;
            let gap = (start - first).num_days();
            (gap > slack).then(|| format!("{} ({})", x.group, date_text(start, lang)))
        })
        .collect();
    late.sort();
    if late.is_empty() {
        return String::new();
    }
    let more = late.len().saturating_sub(10);
    let list = late.iter().take(10).cloned().collect::<Vec<_>>().join(", ");
    match (lang, more) {
        (Lang::Nl, 0) => format!(" Historie vanaf de eerste melding: {list}."),
        (Lang::Nl, m) => format!(" Historie vanaf de eerste melding: {list} en {m} andere."),
        (Lang::En, 0) => format!(" History from the first report: {list}."),
        (Lang::En, m) => format!(" History from the first report: {list} and {m} others."),
    }
}

/// Which judged periods a KNMI file lacks: `None` when it covers them all.
pub fn weather_coverage(
    days: &[NaiveDate],
    (from, to): (NaiveDate, NaiveDate),
    period: Period,
    lang: Lang,
) -> Option<String> {
    let end = period.next(to) - chrono::Duration::days(1);
    let (Some(&first), Some(&last)) = (days.iter().min(), days.iter().max()) else {
        return Some(
            lang.pick(
                " Het weerbestand bevat geen dagen: geen weer bij de pieken.",
                " The weather file holds no days: no weather with the alarms.",
            )
            .into(),
        );
    };
    if first <= from && last >= end {
        return None;
    }
    let one_day = chrono::Duration::days(1);
    let span = |a: NaiveDate, b: NaiveDate| {
        let to_word = lang.pick("t/m", "to");
        format!("{} {to_word} {}", date_text(a, lang), date_text(b, lang))
    };
    let mut gaps = Vec::new();
    if first > from {
        gaps.push(span(from, first - one_day));
    }
    if last < end {
        gaps.push(span((last + one_day).max(from), end));
    }
    let (gaps, covers) = (gaps.join(lang.pick(" en ", " and ")), span(first, last));
    Some(match lang {
        Lang::Nl => format!(
            " Het weerbestand loopt van {covers}; voor {gaps} is er geen weer (haal een recenter \
             bestand bij het KNMI)."
        ),
        Lang::En => format!(
            " The weather file covers {covers}; it has no weather for {gaps} (get a more recent \
             file from the KNMI)."
        ),
    })
}
