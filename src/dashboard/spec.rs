//! A dashboard spec (docs/dashboard.md): title, language, filters and typed panels, each panel
//! holding the same `Options` as its subcommand (the keys of a report section). Errors are
//! usage errors (exit code 2) in the spec's own words: "panel 2 (waitlist): ...".

use crate::context::UsageError;
use crate::figures::{peaks, waitlist};
use crate::report::spec::{Audience, Language, options, unknown_key};
use anyhow::Result;
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The file name: `<name>.html`.
    pub name: String,
    pub title: String,
    /// A line under the title: what the dashboard shows and for whom.
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub audience: Audience,
    #[serde(default)]
    pub language: Language,
    /// An ingest plan (relative to the spec) loaded into a temporary warehouse first.
    #[serde(default)]
    pub inlezen: Option<PathBuf>,
    /// The most filter combinations computed (each is a view the browser can show).
    #[serde(default = "default_max_views")]
    pub max_views: usize,
    #[serde(rename = "filter", default)]
    pub filters: Vec<FilterSpec>,
    /// The panels as written; `panels()` types them.
    #[serde(rename = "panel", default)]
    pub raw_panels: Vec<toml::Table>,
}

fn default_max_views() -> usize {
    2000
}

/// A filter: a column whose values the reader chooses from (all values in the data, or the
/// ones listed); `wet` in a waiting-list dashboard chooses the legal clock (a preset).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterSpec {
    pub column: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub values: Option<Vec<String>>,
}

/// What a dashboard analyses: every panel is of the same kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Analysis {
    Waitlist,
    Peaks,
}

/// What a waiting-list panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitlistShow {
    /// Open, past the term, % within term (3 months), median wait; against the previous quarter.
    Tiles,
    /// The median wait and % within term at the end of each month.
    Trend,
    /// Kaplan-Meier curves per group (team by default).
    Curves,
    /// Weekly inflow, outflow and backlog.
    Flow,
    /// The summary per group (team by default).
    Table,
}

/// What a peaks panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeaksShow {
    /// This week against expected, alarms this week and in the last 4 weeks.
    Tiles,
    /// Weekly counts per series with expected value, upper bound and alarms.
    Weekly,
    /// Events by weekday and hour.
    WeekdayHour,
    /// The alarms with their drivers and weather, newest first.
    Alarms,
}

#[derive(Debug, Clone)]
pub enum PanelKind {
    Waitlist(WaitlistShow, Box<waitlist::Options>),
    Peaks(PeaksShow, Box<peaks::Options>),
}

#[derive(Debug, Clone)]
pub struct Panel {
    /// 1 for the first panel of the spec.
    pub number: usize,
    pub title: Option<String>,
    /// A caption under the panel.
    pub text: Option<String>,
    /// Trend: months back from the as-of date (24: two years). Weekly: weeks shown (104).
    pub span: Option<u32>,
    pub kind: PanelKind,
}

impl PanelKind {
    pub fn analysis(&self) -> Analysis {
        match self {
            PanelKind::Waitlist(..) => Analysis::Waitlist,
            PanelKind::Peaks(..) => Analysis::Peaks,
        }
    }
}

/// Keys of every panel besides its analysis' options.
const PANEL_KEYS: &[&str] = &["type", "show", "title", "text", "months", "weeks_shown"];

const WAITLIST_SHOWS: &[&str] = &["tiles", "trend", "curves", "flow", "table"];
const PEAKS_SHOWS: &[&str] = &["tiles", "weekly", "weekday-hour", "alarms"];

impl Spec {
    /// The panels, typed; all of one analysis, none showing people.
    pub fn panels(&self) -> Result<Vec<Panel>> {
        let panels: Vec<Panel> = self
            .raw_panels
            .iter()
            .enumerate()
            .map(|(i, t)| panel(i + 1, t).map_err(|e| usage(i + 1, t, e)))
            .collect::<Result<_>>()?;
        let Some(first) = panels.first() else {
            crate::usage!(
                "the dashboard has no panels; add one, e.g. [[panel]] type = \"waitlist\" show = \
                 \"tiles\" (see docs/dashboard.md)"
            );
        };
        if let Some(other) = panels
            .iter()
            .find(|p| p.kind.analysis() != first.kind.analysis())
        {
            crate::usage!(
                "panel {} is of another type than panel 1: a dashboard is about one thing (a \
                 waiting list or peaks), so that its filters mean the same in every panel; make \
                 two dashboards",
                other.number
            );
        }
        Ok(panels)
    }
}

/// "panel 3 (waitlist): ..." as a usage error.
fn usage(number: usize, t: &toml::Table, e: String) -> anyhow::Error {
    let kind = t.get("type").and_then(|v| v.as_str()).unwrap_or("?");
    anyhow::Error::new(UsageError(format!("panel {number} ({kind}): {e}")))
}

fn panel(number: usize, t: &toml::Table) -> Result<Panel, String> {
    let text = |k: &str| -> Result<Option<String>, String> {
        match t.get(k) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!("key `{k}` = {other}: expected a text")),
        }
    };
    let rest: toml::Table = t
        .iter()
        .filter(|(k, _)| !PANEL_KEYS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let show = text("show")?;
    let kind = match text("type")?.as_deref() {
        Some("waitlist") => {
            let show = match show.as_deref() {
                Some("tiles") => WaitlistShow::Tiles,
                Some("trend") => WaitlistShow::Trend,
                Some("curves") => WaitlistShow::Curves,
                Some("flow") => WaitlistShow::Flow,
                Some("table") => WaitlistShow::Table,
                other => return Err(bad_show(other, WAITLIST_SHOWS)),
            };
            let o = options::<waitlist::Options>(&rest, PANEL_KEYS)?;
            aggregates_only(&o)?;
            PanelKind::Waitlist(show, Box::new(o))
        }
        Some("peaks") => {
            let show = match show.as_deref() {
                Some("tiles") => PeaksShow::Tiles,
                Some("weekly") => PeaksShow::Weekly,
                Some("weekday-hour") => PeaksShow::WeekdayHour,
                Some("alarms") => PeaksShow::Alarms,
                other => return Err(bad_show(other, PEAKS_SHOWS)),
            };
            let o = options::<peaks::Options>(&rest, PANEL_KEYS)?;
            if o.forecast.is_some() || o.correlate {
                return Err(
                    "forecast and correlate are for `datastroom peaks` and reports; a \
                     dashboard shows the alarms"
                        .into(),
                );
            }
            PanelKind::Peaks(show, Box::new(o))
        }
        Some(other) => {
            return Err(format!(
                "unknown panel type `{other}`; known types: waitlist, peaks"
            ));
        }
        None => return Err("no type; give type = \"waitlist\" or type = \"peaks\"".into()),
    };
    let wrong = match kind {
        PanelKind::Waitlist(WaitlistShow::Trend, _) => "weeks_shown",
        PanelKind::Waitlist(..) => "months",
        PanelKind::Peaks(..) => "months",
    };
    let also_wrong = matches!(kind, PanelKind::Waitlist(..)).then_some("weeks_shown");
    for k in [Some(wrong), also_wrong].into_iter().flatten() {
        if t.contains_key(k) {
            return Err(format!(
                "key `{k}` does not apply here: months is for show = \"trend\" of a waiting \
                 list, weeks_shown for the panels of peaks"
            ));
        }
    }
    let span = match (t.get("months"), t.get("weeks_shown")) {
        (None, None) => None,
        (Some(toml::Value::Integer(n)), None) | (None, Some(toml::Value::Integer(n)))
            if (1..=520).contains(n) =>
        {
            Some(*n as u32)
        }
        (Some(v), _) | (_, Some(v)) => {
            return Err(format!(
                "months / weeks_shown = {v}: expected a whole number from 1 to 520"
            ));
        }
    };
    Ok(Panel {
        number,
        title: text("title")?,
        text: text("text")?,
        span,
        kind,
    })
}

fn bad_show(show: Option<&str>, known: &[&str]) -> String {
    match show {
        None => format!("no show; give one of {}", known.join(", ")),
        Some(s) => unknown_key(s, known).replacen("unknown key", "unknown show", 1),
    }
}

/// A dashboard holds aggregates only: no open-cases list, no pseudonyms, no consulenten.
fn aggregates_only(o: &waitlist::Options) -> Result<(), String> {
    if o.show_personal || o.allow_employee_names || o.by.contains(&waitlist::By::Consulent) {
        return Err(
            "a dashboard holds figures only, never people: show_personal, \
             allow_employee_names and by = \"consulent\" are for `datastroom waitlist`"
                .into(),
        );
    }
    if o.section != waitlist::View::Summary || o.input.is_some() {
        return Err(
            "section and input are set by the panel's `show` and the warehouse; leave them out"
                .into(),
        );
    }
    Ok(())
}

/// The name is the file name (`<name>.html`): letters, digits, '-', '_' and '.'.
pub fn check(spec: &Spec) -> Result<()> {
    crate::report::spec::check_name(&spec.name)?;
    if spec.audience == Audience::Raad {
        crate::usage!(
            "audience = \"raad\": a dashboard cannot be published to the council. Its filter \
             views can be subtracted from one another (all teams minus the others), which \
             gives back the small counts a council report hides. Make a report with \
             `datastroom report` (audience = \"raad\" hides small counts there; docs/report.md)"
        );
    }
    if spec.max_views == 0 {
        crate::usage!("max_views = 0: give the most filter combinations to compute, e.g. 2000");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(body: &str) -> Spec {
        toml::from_str(&format!("name = \"d\"\ntitle = \"D\"\n{body}")).unwrap()
    }

    #[test]
    fn panels_are_typed() {
        let s = spec(
            "[[panel]]\ntype = \"waitlist\"\nshow = \"tiles\"\npreset = \"jeugd\"\n\
             [[panel]]\ntype = \"waitlist\"\nshow = \"flow\"\nweeks = 104\ntitle = \"Stroom\"",
        );
        let p = s.panels().unwrap();
        assert!(
            matches!(&p[0].kind, PanelKind::Waitlist(WaitlistShow::Tiles, o) if o.preset == Some(waitlist::Preset::Jeugd))
        );
        assert!(matches!(&p[1].kind, PanelKind::Waitlist(WaitlistShow::Flow, o) if o.weeks == 104));
        assert_eq!(p[1].title.as_deref(), Some("Stroom"));
    }

    fn error(body: &str) -> String {
        let e = spec(body).panels().unwrap_err();
        assert!(e.downcast_ref::<UsageError>().is_some(), "{e:#}");
        e.to_string()
    }

    #[test]
    fn errors_name_the_panel() {
        let e = error("[[panel]]\ntype = \"waitlist\"\nshow = \"tegels\"");
        assert!(
            e.starts_with("panel 1 (waitlist): unknown show `tegels`"),
            "{e}"
        );
        let e = error("[[panel]]\ntype = \"peaks\"\nshow = \"weekly\"\nbyy = \"wijk\"");
        assert!(
            e.contains("unknown key `byy`") && e.contains("did you mean `by`?"),
            "{e}"
        );
        let e = error("[[panel]]\ntype = \"waitlist\"\nshow = \"table\"\nby = \"consulent\"");
        assert!(e.contains("never people"), "{e}");
        let e = error(
            "[[panel]]\ntype = \"waitlist\"\nshow = \"tiles\"\n[[panel]]\ntype = \"peaks\"\nshow = \"tiles\"",
        );
        assert!(e.contains("panel 2 is of another type"), "{e}");
        assert!(error("").contains("no panels"));
    }

    #[test]
    fn council_is_refused() {
        let s = spec("audience = \"raad\"");
        let e = check(&s).unwrap_err().to_string();
        assert!(e.contains("datastroom report"), "{e}");
        assert!(e.contains("subtracted"), "{e}");
    }
}
