//! The dashboard as one self-contained HTML file: the page's frame (title, filters as labelled
//! list boxes, one section per panel) written here, the figures as JSON in the page, and a
//! small script (`dashboard.js`) that selects the view of the filters chosen and draws it as
//! SVG charts and tables. Nothing is loaded from outside the file.

use super::spec::Spec;
use super::{Built, Filter, FilterOut, PanelMeta};
use crate::context::Context;
use crate::report::html::esc;
use anyhow::Result;
use serde::Serialize;

const SCRIPT: &str = include_str!("dashboard.js");
const STYLE: &str = include_str!("dashboard.css");

/// What the script reads: the words of the page's language, the filters, the panels, and the
/// rows of every view.
#[derive(Serialize)]
struct Data<'a> {
    lang: &'static str,
    name: &'a str,
    words: serde_json::Value,
    filters: Vec<FilterOut>,
    panels: &'a [PanelMeta],
    views: &'a std::collections::BTreeMap<String, Vec<Option<Vec<usize>>>>,
    blocks: &'a [super::Rows],
}

fn words(nl: bool) -> serde_json::Value {
    let w = |a: &str, b: &str| if nl { a.to_string() } else { b.to_string() };
    serde_json::json!({
        "all": w("alle", "all"),
        "table": w("Tabel met de cijfers", "Table of the figures"),
        "download": w("Download de tabel (CSV voor Excel)", "Download the table (CSV for Excel)"),
        "nodata": w("Geen gegevens voor deze selectie.", "No data for this selection."),
        "empty": w("Geen rijen voor deze selectie.", "No rows for this selection."),
        "notReached": w("niet bereikt", "not reached"),
        "previous": w("vorig kwartaal", "previous quarter"),
        "interval": w("95%-interval", "95% interval"),
        "expected": w("verwacht", "expected"),
        "upper": w("bovengrens", "upper bound"),
        "yes": w("ja", "yes"),
        "no": w("nee", "no"),
        "shown": w("Getoond", "Showing"),
        "series": w("Reeksen (klik om te tonen of te verbergen)", "Series (click to show or hide)"),
        "chart": w("Grafiek. Met de pijltjestoetsen loopt u langs de punten; de cijfers staan ook in de tabel eronder.",
                   "Chart. Use the arrow keys to step through the points; the figures are also in the table below."),
        "alarm": w("alarm", "alarm"),
        "weekdays": if nl { ["ma", "di", "wo", "do", "vr", "za", "zo"] } else { ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] },
        "hour": w("uur", "hour"),
        "day": w("dag", "day"),
    })
}

/// The whole page.
pub fn html(
    spec: &Spec,
    ctx: &Context,
    dataset: &str,
    filters: &[Filter],
    panels: &[PanelMeta],
    built: &Built,
) -> Result<String> {
    let nl = ctx.nl();
    let all = if nl { "alle" } else { "all" };
    let filters_out: Vec<FilterOut> = filters
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut values: Vec<String> = Vec::new();
            if f.all {
                values.push(all.to_string());
            }
            values.extend(f.shown.iter().cloned());
            FilterOut {
                id: format!("f{i}"),
                label: f.label.clone(),
                values,
            }
        })
        .collect();
    let data = Data {
        lang: if nl { "nl" } else { "en" },
        name: &spec.name,
        words: words(nl),
        filters: filters_out.clone(),
        panels,
        views: &built.views,
        blocks: &built.blocks,
    };
    // Inside <script>, "</script" or "<!--" would end or change the element: every "<" is
    // written as the JSON escape \u003c (the same JSON, parsed as before).
    let json = serde_json::to_string(&data)?.replace('<', "\\u003c");
    let mut body = heading(spec, ctx, dataset)?;
    body.push_str("<form id=\"filters\" aria-label=\"Filters\">\n");
    for f in &filters_out {
        body.push_str(&format!(
            "<div class=\"filter\"><label for=\"{id}\">{}</label><select id=\"{id}\">",
            esc(&f.label),
            id = f.id
        ));
        for (i, v) in f.values.iter().enumerate() {
            body.push_str(&format!("<option value=\"{i}\">{}</option>", esc(v)));
        }
        body.push_str("</select></div>\n");
    }
    body.push_str(
        "</form>\n<p id=\"status\" role=\"status\" aria-live=\"polite\"></p>\n</header>\n<main>\n",
    );
    for (i, p) in panels.iter().enumerate() {
        body.push_str(&format!(
            "<section class=\"panel panel-{kind}\" id=\"p{i}\" aria-labelledby=\"p{i}-h\"><h2 id=\"p{i}-h\">{}</h2>",
            esc(&p.title),
            kind = p.kind
        ));
        if let Some(t) = &p.text {
            body.push_str(&format!("<p class=\"caption\">{}</p>", esc(t)));
        }
        body.push_str("<div class=\"content\"></div></section>\n");
    }
    body.push_str(&format!(
        "</main>\n<div id=\"tip\" role=\"tooltip\" aria-live=\"polite\" hidden></div>\n<noscript><p>{}</p></noscript>\n",
        if nl {
            "Dit dashboard heeft JavaScript nodig om de cijfers te tonen. Open het in een browser \
             met JavaScript aan (Edge, Chrome, Firefox)."
        } else {
            "This dashboard needs JavaScript to show its figures. Open it in a browser with \
             JavaScript on (Edge, Chrome, Firefox)."
        }
    ));
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"datastroom {version}\">\n<title>{title}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n{body}\
         <script type=\"application/json\" id=\"data\">{json}</script>\n<script>{SCRIPT}</script>\n\
         </body>\n</html>\n",
        lang = if nl { "nl" } else { "en" },
        version = env!("CARGO_PKG_VERSION"),
        title = esc(&spec.title),
    ))
}

/// The head of the page: title, introduction, and the state of the data (as-of date, dataset,
/// last ingest, latest date in the data).
fn heading(spec: &Spec, ctx: &Context, dataset: &str) -> Result<String> {
    let nl = ctx.nl();
    let mut body = String::new();
    body.push_str(&format!("<header><h1>{}</h1>\n", esc(&spec.title)));
    if let Some(t) = &spec.text {
        body.push_str(&format!("<p class=\"intro\">{}</p>\n", esc(t)));
    }
    // The state of the data, as a report's "Stand van de gegevens" gives it.
    let state =
        crate::report::sources::data_dates(&ctx.open()?, &[dataset.to_string()].into(), false, nl)?;
    // Dates as the page writes them (dd-mm-yyyy in Dutch).
    let day =
        |t: &str| match chrono::NaiveDate::parse_from_str(t.get(..10).unwrap_or(t), "%Y-%m-%d") {
            Ok(d) => crate::lang::date_text(d, ctx.lang),
            Err(_) => t.to_string(),
        };
    let (ingested, latest) = state
        .first()
        .map(|d| (day(&d.ingest), day(&d.latest)))
        .unwrap_or_default();
    body.push_str(&format!(
        "<p class=\"asof\">{} {} &middot; {} {} &middot; {} {} &middot; {} {}</p>\n",
        if nl { "Peildatum" } else { "As of" },
        esc(&crate::lang::date_text(ctx.as_of, ctx.lang)),
        if nl { "gegevens:" } else { "data:" },
        esc(dataset),
        if nl {
            "laatst ingelezen"
        } else {
            "last ingest"
        },
        esc(&ingested),
        if nl {
            "laatste datum in de gegevens"
        } else {
            "latest date in the data"
        },
        esc(&latest),
    ));
    Ok(body)
}
