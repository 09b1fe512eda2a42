//! What a waiting-list table says in words: the note under it (rule, as-of date, which cases,
//! how the times are estimated, what was left out), the warning about impossible dates, and
//! the table when no case matches.

use super::LABELS;
use crate::analysis::caseflow::{self, Cases, Filter, Scope};
use crate::context::Context as Ctx;
use crate::lang::Lang;
use crate::render::Table;
use anyhow::Result;
use polars::prelude::*;

/// A filter in words: `wet bevat "wmo" of "jeugd"`.
fn filter_text(f: &Filter, nl: bool) -> String {
    let words = f.any_of.join(if nl { "\" of \"" } else { "\" or \"" });
    match (f.matching, nl) {
        (true, true) => format!("{} bevat \"{words}\"", f.column),
        (false, true) => format!("{} bevat niet \"{words}\"", f.column),
        (true, false) => format!("{} contains \"{words}\"", f.column),
        (false, false) => format!("{} does not contain \"{words}\"", f.column),
    }
}

/// No case matched the preset and filters: an empty table, and a note (also on stderr) that
/// says what was asked and which values of `wet` the data has, instead of a row of zeros.
pub fn nothing_matched(lf: LazyFrame, s: &Scope, ctx: &Ctx) -> Result<Table> {
    let nl = ctx.nl();
    let asked: Vec<String> = s.filters.iter().map(|f| filter_text(f, nl)).collect();
    let present = wet_values(lf, ctx)?;
    let asked = if asked.is_empty() {
        String::from(ctx.lang.pick("alle zaken", "all cases"))
    } else {
        asked.join(ctx.lang.pick(" en ", " and "))
    };
    let note = match (nl, present.is_empty()) {
        (true, false) => format!(
            "Geen zaak voldoet aan de selectie ({asked}); de gegevens hebben wet: {present}."
        ),
        (true, true) => format!("Geen zaak voldoet aan de selectie ({asked})."),
        (false, false) => {
            format!("No case matches the selection ({asked}); the data has wet: {present}.")
        }
        (false, true) => format!("No case matches the selection ({asked})."),
    };
    crate::messages::warn(&note, &note);
    let df = DataFrame::new_infer_height(vec![
        Column::new_empty("group".into(), &DataType::String),
        Column::new_empty("n".into(), &DataType::UInt32),
    ])?;
    Ok(Table::plain(df, note, LABELS))
}

/// The values of `wet` in the data with their counts ("Wmo (12), Jeugdwet (<5)"); empty
/// without a wet column.
fn wet_values(mut lf: LazyFrame, ctx: &Ctx) -> Result<String> {
    let has_wet = lf
        .collect_schema()
        .is_ok_and(|schema| schema.contains("wet"));
    if !has_wet {
        return Ok(String::new());
    }
    let df = lf
        .group_by([col("wet")])
        .agg([len().alias("n")])
        .sort(["wet"], Default::default())
        .collect()?;
    let (w, n) = (df.column("wet")?.str()?, df.column("n")?.u32()?);
    Ok((0..df.height())
        .map(|i| {
            format!(
                "{} ({})",
                w.get(i).unwrap_or("-"),
                ctx.count_text(n.get(i).unwrap_or(0))
            )
        })
        .collect::<Vec<_>>()
        .join(", "))
}

/// Cases that end before they start are said on stderr, with up to 5 of their numbers.
pub fn warn_excluded(cases: &Cases) {
    let e = &cases.excluded;
    if e.end_before_start.is_empty() {
        return;
    }
    let ids: Vec<&str> = e
        .end_before_start
        .iter()
        .take(5)
        .map(String::as_str)
        .collect();
    let more = if e.end_before_start.len() > 5 {
        ", ..."
    } else {
        ""
    };
    let (n, ids) = (e.end_before_start.len(), ids.join(", "));
    crate::messages::warn(
        format!(
            "{n} zaken hebben een einddatum voor de startdatum en tellen niet mee \
             ({ids}{more}); corrigeer ze in de bron"
        ),
        format!(
            "{n} cases end before they start and are not counted ({ids}{more}); correct \
             them at the source"
        ),
    );
}

/// Under the table: the rule, the as-of date, which cases (filters, cohort), how suspension
/// and withdrawn cases count, what was left out.
pub fn note(s: &Scope, rule: &str, cases: &Cases, unreadable: u64, ctx: &Ctx) -> String {
    let nl = ctx.nl();
    let mut parts = vec![if nl {
        format!("Peildatum {}.", s.as_of.format("%d-%m-%Y"))
    } else {
        format!("As of {}.", s.as_of.format("%Y-%m-%d"))
    }];
    parts.push(term_text(s, rule, ctx.lang));
    parts.extend(scope_text(s, nl));
    parts.push(method_text(s, nl));
    let excluded = excluded_text(&cases.excluded, &s.clock.start, ctx);
    if !excluded.is_empty() {
        parts.push(excluded);
    }
    if unreadable > 0 {
        let n = ctx.count_text(unreadable as i64);
        parts.push(if nl {
            format!("{n} rij(en) van het bestand onleesbaar: telt niet mee.")
        } else {
            format!("{n} row(s) of the file could not be read and are not counted.")
        });
    }
    parts.join(" ")
}

/// "Termijn: ... (56 dagen). Wachttijd van datum_aanvraag tot datum_beschikking, min de
/// opschortingsdagen."
fn term_text(s: &Scope, rule: &str, lang: Lang) -> String {
    let c = &s.clock;
    let ext = match (c.extension_days, lang) {
        (0, _) => String::new(),
        (d, Lang::Nl) => format!(", +{d} bij verdaging"),
        (d, Lang::En) => format!(", +{d} when extended"),
    };
    let minus = match (c.subtract_suspension, lang) {
        (false, _) => "",
        (true, Lang::Nl) => ", min de opschortingsdagen",
        (true, Lang::En) => ", minus suspension days",
    };
    let (days, start, end) = (c.term_days, &c.start, &c.end);
    match lang {
        Lang::Nl => {
            format!("Termijn: {rule} ({days} dagen{ext}). Wachttijd van {start} tot {end}{minus}.")
        }
        Lang::En => format!("Term: {rule} ({days} days{ext}). Wait from {start} to {end}{minus}."),
    }
}

/// "Zaken: wet bevat "wmo"; gestart vanaf 01-01-2024." when the cases are a selection.
fn scope_text(s: &Scope, nl: bool) -> Option<String> {
    let mut scope: Vec<String> = s.filters.iter().map(|f| filter_text(f, nl)).collect();
    if let Some(since) = s.since {
        scope.push(if nl {
            format!("gestart vanaf {}", since.format("%d-%m-%Y"))
        } else {
            format!("started from {}", since.format("%Y-%m-%d"))
        });
    }
    if scope.is_empty() {
        return None;
    }
    let word = if nl { "Zaken" } else { "Cases" };
    Some(format!("{word}: {}.", scope.join("; ")))
}

/// How the waiting times and the share within the term are estimated.
fn method_text(s: &Scope, nl: bool) -> String {
    let conf = format!("{:.0}%", (1.0 - s.alpha) * 100.0);
    let ci = s.ci.name();
    if nl {
        format!(
            "Mediaan, 75% en 90% over alle zaken hierboven (Kaplan-Meier; open en ingetrokken \
             zaken tellen als gecensureerd), betrouwbaarheidsinterval {conf} {ci}; % binnen \
             termijn over de zaken met een besluit in de laatste 12 en 3 maanden. \"niet \
             bereikt\": minder dan de helft (75%, 90%) heeft een besluit; bij een grens: geen \
             grens te geven."
        )
    } else {
        format!(
            "Median, 75% and 90% over all cases above (Kaplan-Meier; open and withdrawn cases \
             are censored), {conf} interval {ci}; % within term over the cases decided in the \
             last 12 and 3 months. \"not reached\": fewer than half (75%, 90%) were decided; \
             for a limit: no limit can be given."
        )
    }
}

/// "Niet meegeteld: 2 zonder datum_aanvraag, <5 gestart na de peildatum."
fn excluded_text(e: &caseflow::Excluded, start: &str, ctx: &Ctx) -> String {
    let (no_start_nl, no_start_en) = (format!("zonder {start}"), format!("without {start}"));
    let reasons = [
        (e.no_start, no_start_nl.as_str(), no_start_en.as_str()),
        (
            e.after_as_of,
            "gestart na de peildatum",
            "started after the as-of date",
        ),
        (
            e.end_before_start.len(),
            "einde voor start",
            "end before start",
        ),
        (
            e.withdrawn_undated,
            "ingetrokken zonder datum",
            "withdrawn without a date",
        ),
        (
            e.suspension_capped,
            "opschorting langer dan de wachttijd (afgekapt)",
            "suspension longer than the wait (capped)",
        ),
    ];
    let parts: Vec<String> = reasons
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, nl, en)| format!("{} {}", ctx.count_text(*n as i64), ctx.lang.pick(nl, en)))
        .collect();
    if parts.is_empty() {
        return String::new();
    }
    let word = ctx.lang.pick("Niet meegeteld", "Not counted");
    format!("{word}: {}.", parts.join(", "))
}
