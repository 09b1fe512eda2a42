//! Case flow for waiting lists and legal terms: which cases are open on the as-of date, how
//! long each waited (net of recorded suspension), which are past their term, weekly inflow,
//! outflow and backlog, and the Kaplan-Meier waiting time in which open and withdrawn cases are
//! censored. Pure functions over frames; `cmd/waitlist.rs` decides the settings.

use super::survival::{CiMethod, KaplanMeier, Tally};
use anyhow::{Context, Result, bail};
use chrono::{Datelike, Months, NaiveDate};
use polars::prelude::*;

/// The clock a legal term runs on: from the start column to the end column, `term_days`
/// long, `extension_days` longer when the case records an extension (verdaagd).
#[derive(Debug, Clone)]
pub struct Clock {
    pub start: String,
    pub end: String,
    pub term_days: i64,
    pub extension_days: i64,
    /// Subtract `opschorting_dagen` (Awb 4:15) from the waiting time.
    pub subtract_suspension: bool,
}

/// Which cases, measured how.
#[derive(Debug, Clone)]
pub struct Scope {
    pub clock: Clock,
    pub as_of: NaiveDate,
    /// Which cases count: every filter must hold.
    pub filters: Vec<Filter>,
    /// Only cases that started on or after this date (the cohort).
    pub since: Option<NaiveDate>,
    /// Group by these columns; none gives one group called `total_label`. With two or more,
    /// every outer group gets a total of its own ("Zevenaar / totaal") before the overall one.
    pub by: Vec<String>,
    pub total_label: String,
    pub ci: CiMethod,
    pub alpha: f64,
}

/// Keeps the rows whose `column` contains any of `any_of` (case-insensitive), or with
/// `matching` false the rows that contain none of them. An empty value contains nothing.
#[derive(Debug, Clone)]
pub struct Filter {
    pub column: String,
    pub any_of: Vec<String>,
    pub matching: bool,
}

impl Filter {
    pub fn contains(column: &str, text: &str) -> Filter {
        Filter {
            column: column.into(),
            any_of: vec![text.into()],
            matching: true,
        }
    }

    fn expr(&self, schema: &Schema) -> Result<Expr> {
        if schema.get(&self.column).is_none() {
            bail!(
                "cannot filter on '{}': the data has no such column",
                self.column
            );
        }
        let hit = contains_any(col(self.column.as_str()), &self.any_of);
        Ok(if self.matching { hit } else { hit.not() })
    }
}

/// Case-insensitive "contains any of", as one regex (no lower-cased copy of the column); an
/// empty value does not match.
fn contains_any(e: Expr, texts: &[String]) -> Expr {
    let alternatives: Vec<String> = texts.iter().map(|t| regex_escape(t)).collect();
    e.cast(DataType::String)
        .str()
        .contains(lit(format!("(?i){}", alternatives.join("|"))), true)
        .fill_null(lit(false))
}

/// The text with the regex meta characters escaped.
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        // The meta characters that regex::escape escapes.
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Cases that could not be measured, reported instead of dropped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Excluded {
    pub no_start: usize,
    pub after_as_of: usize,
    /// zaak_id of cases whose end date lies before their start date (row numbers when the data
    /// has no zaak_id).
    pub end_before_start: Vec<String>,
    /// Withdrawn cases without an end date: when the wait ended is unknown.
    pub withdrawn_undated: usize,
    /// Cases whose recorded suspension was longer than the wait itself (capped at the wait).
    pub suspension_capped: usize,
}

/// The cases in scope, measured on the as-of date, and those left out (counted by reason).
pub struct Cases {
    /// The columns as read: group, start, end, suspension, verdaagd, withdrawn and the `keep`
    /// columns; `Case::row` points into it.
    raw: DataFrame,
    /// Group names; `Case::group` indexes this.
    pub groups: Vec<String>,
    pub cases: Vec<Case>,
    pub excluded: Excluded,
    pub as_of: i32,
}

/// One measured case. Days are counted since 1970-01-01; waits in days.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Case {
    row: u32,
    group: u32,
    pub start: i32,
    /// The end on or before the as-of date; `None`: open on the as-of date.
    pub end: Option<i32>,
    /// From start to end (or to the as-of date).
    pub gross: i32,
    /// Suspension days subtracted (at most `gross`).
    pub suspension: i32,
    /// `gross - suspension`: the wait on the legal clock.
    pub net: i32,
    /// The term, with the extension when verdaagd.
    pub term: i32,
    /// Closed with a decision (not withdrawn).
    pub event: bool,
    /// Closed by withdrawal: censored at its end.
    pub withdrawn: bool,
}

/// The date of a day number (of a case: always a date).
fn date_of(days: i32) -> NaiveDate {
    crate::dates::from_day_number(days).expect("a day number of a date")
}

/// Checks that `name` is a date column; when it is missing, names the date columns there are.
fn check_date_column(schema: &Schema, name: &str) -> Result<()> {
    match schema.get(name) {
        Some(DataType::Date | DataType::Datetime(_, _)) => Ok(()),
        Some(other) => {
            bail!("column '{name}' holds {other}, not dates; pick a date column with --start/--end")
        }
        None => {
            let dates: Vec<String> = schema
                .iter()
                .filter(|(_, t)| matches!(t, DataType::Date | DataType::Datetime(_, _)))
                .map(|(n, _)| n.to_string())
                .collect();
            bail!(
                "the data has no column '{name}'; date columns present: {}",
                if dates.is_empty() {
                    "none".to_string()
                } else {
                    dates.join(", ")
                }
            )
        }
    }
}

/// Selects and filters the cases in polars (one read of the needed columns), then measures
/// each in one pass. `keep` are extra columns to pass through when present (zaak_id, wet,
/// team, ... for the open-case list).
pub fn prepare(lf: LazyFrame, s: &Scope, keep: &[&str]) -> Result<Cases> {
    let mut lf = lf;
    let schema = lf.collect_schema().map_err(anyhow::Error::from)?;
    for c in [&s.clock.start, &s.clock.end] {
        check_date_column(&schema, c)?;
    }
    for f in &s.filters {
        lf = lf.filter(f.expr(&schema)?);
    }
    if let Some(c) = s.by.iter().find(|c| schema.get(c).is_none()) {
        bail!("cannot group by '{c}': the data has no such column");
    }
    let mut raw = lf
        .clone()
        .select(case_columns(&schema, s, keep))
        .collect()
        .map_err(anyhow::Error::from)
        .context("reading the cases")?;
    raw.rechunk_mut();
    let mut cases = measure(raw, s)?;
    if !cases.excluded.end_before_start.is_empty() && schema.get("zaak_id").is_some() {
        // The ids of exactly the rows `measure` left out: same frame, same row order.
        let ids = lf
            .select([col("zaak_id").cast(DataType::String)])
            .collect()?;
        let ids = ids.column("zaak_id")?.str()?;
        for id in cases.excluded.end_before_start.iter_mut() {
            if let Ok(row) = id.parse::<usize>() {
                *id = ids.get(row).unwrap_or("").to_string();
            }
        }
    }
    Ok(cases)
}

/// The columns `measure` reads (group, start, end, suspension, verdaagd, withdrawn; those the
/// data lacks as nulls or false), then the `keep` columns that are present.
fn case_columns(schema: &Schema, s: &Scope, keep: &[&str]) -> Vec<Expr> {
    let has = |c: &str| schema.get(c).is_some();
    let day = |c: &str| col(c).cast(DataType::Date).cast(DataType::Int32);
    let suspension = if s.clock.subtract_suspension && has("opschorting_dagen") {
        col("opschorting_dagen").cast(DataType::Int32)
    } else {
        lit(NULL).cast(DataType::Int32)
    };
    let flag = |c: &str, e: Expr| if has(c) { e } else { lit(false) };
    let withdrawn = flag(
        "uitkomst",
        contains_any(col("uitkomst"), &WITHDRAWN_WORDS.map(String::from)),
    );
    let verdaagd = col("verdaagd")
        .cast(DataType::Boolean)
        .fill_null(lit(false));
    let mut exprs = vec![
        group_column(s).alias("group"),
        day(&s.clock.start).alias("start"),
        day(&s.clock.end).alias("end"),
        suspension.alias("suspension"),
        flag("verdaagd", verdaagd).alias("verdaagd"),
        withdrawn.alias("withdrawn"),
    ];
    let reserved = [
        "group",
        "start",
        "end",
        "suspension",
        "verdaagd",
        "withdrawn",
    ];
    for k in keep.iter().filter(|k| has(k) && !reserved.contains(k)) {
        exprs.push(col(*k));
    }
    exprs
}

/// The group of a case: the total label, the one `by` column, or the levels of several
/// joined by `LEVELS`, so that outer groups can be totalled (see `Cases::stats`).
fn group_column(s: &Scope) -> Expr {
    let text = |c: &String| {
        col(c.as_str())
            .cast(DataType::String)
            .fill_null(lit("(leeg)"))
    };
    match s.by.as_slice() {
        [] => lit(s.total_label.clone()),
        [one] => text(one),
        many => concat_str(many.iter().map(text).collect::<Vec<_>>(), LEVELS, false),
    }
}

/// Words in `uitkomst` that mark a withdrawn application: the wait ended without a decision.
pub const WITHDRAWN_WORDS: [&str; 3] = ["ingetrokken", "intrekking", "withdrawn"];

/// Applies the as-of date and the term to every row, in one pass: an end after as-of is still
/// open; the wait runs to the end or to as-of, minus suspension (at most the wait itself).
/// Rows that cannot be measured are counted in `Excluded` (their ids are filled in later).
fn measure(raw: DataFrame, s: &Scope) -> Result<Cases> {
    let rules = Rules::new(s);
    let group = raw.column("group")?.str()?.downcast_as_array();
    let start = raw.column("start")?.i32()?.downcast_as_array();
    let end = raw.column("end")?.i32()?.downcast_as_array();
    let suspension = raw.column("suspension")?.i32()?.downcast_as_array();
    let verdaagd = raw.column("verdaagd")?.bool()?.downcast_as_array();
    let withdrawn = raw.column("withdrawn")?.bool()?.downcast_as_array();
    let mut names = GroupNames::default();
    let mut cases = Vec::with_capacity(raw.height());
    let mut excluded = Excluded::default();
    for i in 0..raw.height() {
        let Some(start) = start.get(i) else {
            excluded.no_start += 1;
            continue;
        };
        let record = Record {
            row: i,
            start,
            end: end.get(i),
            suspension: suspension.get(i),
            verdaagd: verdaagd.value(i),
            withdrawn: withdrawn.value(i),
        };
        if rules.admit(&record, &mut excluded) {
            let g = names.index(group.value(i));
            cases.push(rules.case(&record, g, &mut excluded));
        }
    }
    let groups = names.names;
    Ok(Cases {
        raw,
        groups,
        cases,
        excluded,
        as_of: rules.as_of,
    })
}

/// One row as recorded, with a start date.
struct Record {
    row: usize,
    start: i32,
    end: Option<i32>,
    suspension: Option<i32>,
    verdaagd: bool,
    withdrawn: bool,
}

/// What `measure` applies to every row, in day numbers: the as-of date, the cohort's first
/// day and the term.
struct Rules {
    as_of: i32,
    since: i32,
    term: i32,
    extension: i32,
}

impl Rules {
    /// The rules of the settings.
    fn new(s: &Scope) -> Rules {
        Rules {
            as_of: crate::dates::day_number(s.as_of),
            since: s.since.map(crate::dates::day_number).unwrap_or(i32::MIN),
            term: s.clock.term_days as i32,
            extension: s.clock.extension_days as i32,
        }
    }

    /// Whether a row is measured: not when it started after as-of, ended before it started, or
    /// was withdrawn without an end date (each counted in `excluded`), nor when it started
    /// before the cohort.
    fn admit(&self, r: &Record, excluded: &mut Excluded) -> bool {
        match r.end {
            _ if r.start > self.as_of => excluded.after_as_of += 1,
            // The row number for now; `prepare` puts the zaak_id in its place.
            Some(e) if e < r.start => excluded.end_before_start.push(r.row.to_string()),
            None if r.withdrawn => excluded.withdrawn_undated += 1,
            _ if r.start < self.since => {}
            _ => return true,
        }
        false
    }

    /// The case measured on the as-of date; a suspension longer than the wait is capped at it
    /// (and counted in `excluded`).
    fn case(&self, r: &Record, group: u32, excluded: &mut Excluded) -> Case {
        let end = r.end.filter(|e| *e <= self.as_of);
        let gross = end.unwrap_or(self.as_of) - r.start;
        let recorded = r.suspension.unwrap_or(0).max(0);
        excluded.suspension_capped += usize::from(recorded > gross);
        let suspension = recorded.min(gross);
        Case {
            row: r.row as u32,
            group,
            start: r.start,
            end,
            gross,
            suspension,
            net: gross - suspension,
            term: self.term + if r.verdaagd { self.extension } else { 0 },
            event: end.is_some() && !r.withdrawn,
            withdrawn: end.is_some() && r.withdrawn,
        }
    }
}

/// The group names in order of first appearance, and the index of each.
#[derive(Default)]
struct GroupNames<'a> {
    index: HashMap<&'a str, u32>,
    names: Vec<String>,
}

impl<'a> GroupNames<'a> {
    /// The index of a group's name; a new name gets the next one.
    fn index(&mut self, name: &'a str) -> u32 {
        *self.index.entry(name).or_insert_with(|| {
            self.names.push(name.to_string());
            self.names.len() as u32 - 1
        })
    }
}

/// The counts of one group (or of all), in one pass over the cases: see `summary`.
#[derive(Debug, Clone, Default)]
pub struct GroupStats {
    pub name: String,
    /// A total of an outer group (with several `by` columns): not added to the overall total.
    pub subtotal: bool,
    pub n: i64,
    pub started_12m: i64,
    pub closed_12m: i64,
    pub open: i64,
    pub open_past_term: i64,
    pub withdrawn: i64,
    pub decided_12m: i64,
    pub within_12m: i64,
    pub decided_3m: i64,
    pub within_3m: i64,
    /// (decided, censored) by net days: dense up to `DENSE_DAYS`, beyond that in `far`.
    dense: Vec<(u64, u64)>,
    far: BTreeMap<i64, (u64, u64)>,
}

/// Waits up to this many days are tallied in a plain vector; longer ones (data errors such as
/// a start date in 1900) in a map, so one odd date cannot make the vector huge.
const DENSE_DAYS: usize = 36_600;

impl GroupStats {
    /// A group without cases yet.
    fn named(name: &str) -> GroupStats {
        GroupStats {
            name: name.to_string(),
            ..GroupStats::default()
        }
    }

    /// Counts one case of the group: `year` and `quarter` are the first days of the last 12
    /// and 3 months (see `window_start`).
    fn count(&mut self, c: &Case, year: i32, quarter: i32) {
        let within = c.net <= c.term;
        self.n += 1;
        self.started_12m += i64::from(c.start >= year);
        match c.end {
            None => {
                self.open += 1;
                self.open_past_term += i64::from(!within);
            }
            Some(e) => {
                let (in_year, in_quarter) = (e >= year, e >= quarter);
                self.closed_12m += i64::from(in_year);
                self.withdrawn += i64::from(c.withdrawn);
                self.decided_12m += i64::from(c.event && in_year);
                self.within_12m += i64::from(c.event && in_year && within);
                self.decided_3m += i64::from(c.event && in_quarter);
                self.within_3m += i64::from(c.event && in_quarter && within);
            }
        }
        self.tally(i64::from(c.net), c.event);
    }

    /// Adds the counts and tallies of another group (into a total).
    fn add(&mut self, other: &GroupStats) {
        self.n += other.n;
        self.started_12m += other.started_12m;
        self.closed_12m += other.closed_12m;
        self.open += other.open;
        self.open_past_term += other.open_past_term;
        self.withdrawn += other.withdrawn;
        self.decided_12m += other.decided_12m;
        self.within_12m += other.within_12m;
        self.decided_3m += other.decided_3m;
        self.within_3m += other.within_3m;
        if self.dense.len() < other.dense.len() {
            self.dense.resize(other.dense.len(), (0, 0));
        }
        for (slot, (e, c)) in self.dense.iter_mut().zip(&other.dense) {
            slot.0 += e;
            slot.1 += c;
        }
        for (t, (e, c)) in &other.far {
            let slot = self.far.entry(*t).or_default();
            slot.0 += e;
            slot.1 += c;
        }
    }

    /// Tallies one wait: decided (`event`) or censored after `net` days.
    fn tally(&mut self, net: i64, event: bool) {
        let slot = match usize::try_from(net) {
            Ok(t) if t < DENSE_DAYS => {
                if t >= self.dense.len() {
                    self.dense.resize(t + 1, (0, 0));
                }
                &mut self.dense[t]
            }
            _ => self.far.entry(net).or_default(),
        };
        if event {
            slot.0 += 1;
        } else {
            slot.1 += 1;
        }
    }

    /// The Kaplan-Meier curve of this group's waits.
    pub fn fit(&self, s: &Scope) -> KaplanMeier {
        let dense = self.dense.iter().enumerate().map(|(t, ec)| (t as i64, ec));
        let tallies: Vec<Tally> = self
            .far
            .range(..0)
            .map(|(t, ec)| (*t, ec))
            .chain(dense)
            .chain(self.far.range(0..).map(|(t, ec)| (*t, ec)))
            .filter(|(_, (e, c))| e + c > 0)
            .map(|(t, (e, c))| (t as f64, *e, *c))
            .collect();
        KaplanMeier::fit(&tallies, s.ci, s.alpha)
    }
}

type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
use std::collections::BTreeMap;

/// The first day of the `months` months up to and including `as_of`: for 30-6-2024 and 3
/// months, 1-4-2024 (the day after, minus 3 months), so 31 March is not in "the last 3 months".
fn window_start(as_of: NaiveDate, months: u32) -> i32 {
    as_of
        .succ_opt()
        .and_then(|d| d.checked_sub_months(Months::new(months)))
        .map(crate::dates::day_number)
        .unwrap_or(i32::MIN)
}

/// Between the levels of a group of several `by` columns, until the names are shown with " / ".
const LEVELS: &str = "\u{1f}";

/// Groups of several levels ("Zevenaar\u{1f}Noord"), sorted by name, with after the groups of
/// each outer level a total of them ("Zevenaar / totaal"), deepest first; names shown with
/// " / " between the levels.
fn with_subtotals(groups: Vec<GroupStats>, total: &str) -> Vec<GroupStats> {
    let levels = |g: &GroupStats| g.name.split(LEVELS).map(String::from).collect::<Vec<_>>();
    let depth = groups.iter().map(|g| levels(g).len()).max().unwrap_or(0);
    let mut out: Vec<GroupStats> = Vec::new();
    // Open subtotals per depth 1..depth: (outer levels, running total).
    let mut open: Vec<Option<(Vec<String>, GroupStats)>> = vec![None; depth];
    let close = |out: &mut Vec<GroupStats>, slot: &mut Option<(Vec<String>, GroupStats)>| {
        if let Some((outer, mut sum)) = slot.take() {
            sum.name = format!("{} / {total}", outer.join(" / "));
            sum.subtotal = true;
            out.push(sum);
        }
    };
    for mut g in groups {
        let parts = levels(&g);
        // Close the subtotals (deepest first) whose outer levels this group leaves.
        for d in (1..depth).rev() {
            let leaves = open[d]
                .as_ref()
                .is_some_and(|(outer, _)| parts.get(..d) != Some(outer.as_slice()));
            if leaves {
                close(&mut out, &mut open[d]);
            }
        }
        for d in 1..depth.min(parts.len()) {
            let slot = open[d].get_or_insert_with(|| (parts[..d].to_vec(), GroupStats::default()));
            slot.1.add(&g);
        }
        g.name = parts.join(" / ");
        out.push(g);
    }
    for d in (1..depth).rev() {
        close(&mut out, &mut open[d]);
    }
    out
}

impl Cases {
    /// The counts and waiting-time tallies per group, sorted by name; with `total`, one more
    /// over all groups, named by the settings' total label.
    pub fn stats(&self, s: &Scope, total: bool) -> Result<Vec<GroupStats>> {
        let (year, quarter) = (window_start(s.as_of, 12), window_start(s.as_of, 3));
        let mut groups: Vec<GroupStats> = self
            .groups
            .iter()
            .map(|name| GroupStats::named(name))
            .collect();
        for c in &self.cases {
            groups[c.group as usize].count(c, year, quarter);
        }
        groups.sort_by(|a, b| a.name.cmp(&b.name));
        if s.by.len() > 1 {
            groups = with_subtotals(groups, &s.total_label);
        }
        if groups.is_empty() && s.by.is_empty() {
            // No cases: the total is a row of zeros, not an empty table.
            groups.push(GroupStats::named(&s.total_label));
        }
        if total {
            let mut all = GroupStats::named(&s.total_label);
            for g in groups.iter().filter(|g| !g.subtotal) {
                all.add(g);
            }
            groups.push(all);
        }
        Ok(groups)
    }
}

/// The summary figures per group (and a total row last when grouped): see docs/waitlist.md.
pub fn summary(cases: &Cases, s: &Scope) -> Result<DataFrame> {
    let stats = cases.stats(s, !s.by.is_empty())?;
    let fits: Vec<KaplanMeier> = stats.iter().map(|g| g.fit(s)).collect();
    let int = |name: &str, f: fn(&GroupStats) -> i64| {
        Column::new(name.into(), stats.iter().map(f).collect::<Vec<i64>>())
    };
    let pct = |name: &str, f: fn(&GroupStats) -> (i64, i64)| {
        let v: Vec<Option<f64>> = stats
            .iter()
            .map(|g| {
                let (within, decided) = f(g);
                (decided > 0).then(|| (within as f64 * 1000.0 / decided as f64).round() / 10.0)
            })
            .collect();
        Column::new(name.into(), v)
    };
    let days = |name: &str, f: &dyn Fn(&KaplanMeier) -> Option<f64>| {
        let v: Vec<Option<i64>> = fits.iter().map(|km| f(km).map(|t| t as i64)).collect();
        Column::new(name.into(), v)
    };
    let names: Vec<&str> = stats.iter().map(|g| g.name.as_str()).collect();
    Ok(DataFrame::new_infer_height(vec![
        Column::new("group".into(), names),
        int("n", |g| g.n),
        int("started_12m", |g| g.started_12m),
        int("closed_12m", |g| g.closed_12m),
        int("open", |g| g.open),
        int("open_past_term", |g| g.open_past_term),
        int("decided_12m", |g| g.decided_12m),
        pct("within_term_pct", |g| (g.within_12m, g.decided_12m)),
        int("decided_3m", |g| g.decided_3m),
        pct("within_term_pct_3m", |g| (g.within_3m, g.decided_3m)),
        int("withdrawn", |g| g.withdrawn),
        days("median_days", &|km| km.quantile(0.5)),
        days("median_ci_lower", &|km| km.quantile_ci(0.5).0),
        days("median_ci_upper", &|km| km.quantile_ci(0.5).1),
        days("p75_days", &|km| km.quantile(0.75)),
        days("p90_days", &|km| km.quantile(0.9)),
    ])?)
}

/// The Kaplan-Meier table per group: time, at risk, events, censored, S and its band.
pub fn survival_table(cases: &Cases, s: &Scope) -> Result<DataFrame> {
    let stats = cases.stats(s, false)?;
    let fits: Vec<(&String, KaplanMeier)> = stats.iter().map(|g| (&g.name, g.fit(s))).collect();
    let mut group = Vec::new();
    let (mut time, mut at_risk, mut events, mut censored) = (vec![], vec![], vec![], vec![]);
    let (mut surv, mut lower, mut upper) = (vec![], vec![], vec![]);
    for (name, km) in &fits {
        for st in &km.steps {
            group.push(name.as_str());
            time.push(st.time as i64);
            at_risk.push(st.at_risk);
            events.push(st.events);
            censored.push(st.censored);
            surv.push(st.survival);
            lower.push(st.lower);
            upper.push(st.upper);
        }
    }
    Ok(DataFrame::new_infer_height(vec![
        Column::new("group".into(), group),
        Column::new("time".into(), time),
        Column::new("at_risk".into(), at_risk),
        Column::new("events".into(), events),
        Column::new("censored".into(), censored),
        Column::new("survival".into(), surv),
        Column::new("lower".into(), lower),
        Column::new("upper".into(), upper),
    ])?)
}

/// Open cases on the as-of date, oldest first (then by zaak_id), with their age and days past
/// term (negative: days left). `extra` columns (zaak_id, wet, team, ...) come first when
/// present.
pub fn open_cases(cases: &Cases, extra: &[&str]) -> Result<DataFrame> {
    let open: Vec<&Case> = cases.cases.iter().filter(|c| c.end.is_none()).collect();
    let rows: Vec<IdxSize> = open.iter().map(|c| c.row as IdxSize).collect();
    let present: Vec<&str> = extra
        .iter()
        .copied()
        .filter(|c| cases.raw.column(c).is_ok())
        .collect();
    let taken = cases
        .raw
        .select(present.iter().copied())?
        .take(&IdxCa::from_vec("row".into(), rows))?;
    let num = |name: &str, f: fn(&Case) -> i32| {
        Column::new(name.into(), open.iter().map(|c| f(c)).collect::<Vec<i32>>())
    };
    let mut df = taken.hstack(&[
        num("start", |c| c.start).cast(&DataType::Date)?,
        num("age_days", |c| c.gross),
        num("suspension_days", |c| c.suspension),
        num("net_days", |c| c.net),
        num("term_days", |c| c.term),
        num("days_past_term", |c| c.net - c.term),
    ])?;
    let mut order = vec!["start"];
    order.extend(present.iter().filter(|c| **c == "zaak_id"));
    df.sort_in_place(
        order,
        SortMultipleOptions::default().with_maintain_order(true),
    )?;
    Ok(df)
}

/// Per ISO week (Monday to Sunday; the last week ends on the as-of date): inflow, outflow
/// (decided and withdrawn), backlog at the end of the week, the outflow per week over the last
/// 8 weeks, and the weeks that outflow needs to clear the backlog (Little's law).
pub fn flow(cases: &Cases, weeks: u32) -> Result<DataFrame> {
    let mut starts: Vec<i32> = cases.cases.iter().map(|c| c.start).collect();
    let mut ends: Vec<i32> = cases.cases.iter().filter_map(|c| c.end).collect();
    starts.sort_unstable();
    ends.sort_unstable();
    let upto = |v: &[i32], d: i32| v.partition_point(|&x| x <= d) as i64;
    let as_of = cases.as_of;
    let last_monday = as_of - date_of(as_of).weekday().num_days_from_monday() as i32;
    let (mut week, mut monday) = (Vec::new(), Vec::new());
    let (mut inflow, mut outflow, mut backlog) = (Vec::new(), Vec::new(), Vec::new());
    let (mut rate, mut clear) = (Vec::new(), Vec::new());
    for k in (0..weeks.max(1) as i32).rev() {
        let mon = last_monday - 7 * k;
        let end = (mon + 6).min(as_of);
        let iso = date_of(mon).iso_week();
        week.push(format!("{}-W{:02}", iso.year(), iso.week()));
        monday.push(mon);
        inflow.push(upto(&starts, end) - upto(&starts, mon - 1));
        outflow.push(upto(&ends, end) - upto(&ends, mon - 1));
        let waiting = upto(&starts, end) - upto(&ends, end);
        backlog.push(waiting);
        let per_week = (upto(&ends, end) - upto(&ends, end - 56)) as f64 / 8.0;
        rate.push(per_week);
        clear.push((per_week > 0.0).then(|| (waiting as f64 / per_week * 10.0).round() / 10.0));
    }
    Ok(DataFrame::new_infer_height(vec![
        Column::new("week".into(), week),
        Column::new("week_start".into(), monday).cast(&DataType::Date)?,
        Column::new("inflow".into(), inflow),
        Column::new("outflow".into(), outflow),
        Column::new("backlog".into(), backlog),
        Column::new("outflow_per_week_8w".into(), rate),
        Column::new("weeks_to_clear".into(), clear),
    ])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(by: &[&str]) -> Scope {
        Scope {
            clock: Clock {
                start: "a".into(),
                end: "b".into(),
                term_days: 10,
                extension_days: 0,
                subtract_suspension: true,
            },
            as_of: NaiveDate::from_ymd_opt(2024, 6, 30).unwrap(),
            filters: vec![],
            since: None,
            by: by.iter().map(|b| b.to_string()).collect(),
            total_label: "totaal".into(),
            ci: CiMethod::LogLog,
            alpha: 0.05,
        }
    }

    /// Two teams; one wait of 40,000 days (a start date in 1914) goes to the sparse tally and
    /// still sorts last in the total curve. X: 5 E, 40000 E; Y: 5 C, 20 E (as-of 30-6-2024).
    #[test]
    fn groups_total_and_a_far_outlier() {
        let d = |y, m, d| crate::dates::day_number(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        let df = df!(
            "team" => ["X", "X", "Y", "Y"],
            "a" => [d(2024, 6, 1), d(2024, 6, 30) - 40_000, d(2024, 6, 25), d(2024, 5, 1)],
            "b" => [Some(d(2024, 6, 6)), Some(d(2024, 6, 30)), None, Some(d(2024, 5, 21))],
        )
        .unwrap()
        .lazy()
        .with_columns([col("a").cast(DataType::Date), col("b").cast(DataType::Date)]);
        let s = settings(&["team"]);
        let cases = prepare(df, &s, &[]).unwrap();
        let stats = cases.stats(&s, true).unwrap();
        let names: Vec<&str> = stats.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["X", "Y", "totaal"]);
        let total = stats[2].fit(&s);
        let times: Vec<(f64, u64, u64, u64)> = total
            .steps
            .iter()
            .map(|st| (st.time, st.at_risk, st.events, st.censored))
            .collect();
        assert_eq!(times, [(5.0, 4, 1, 1), (20.0, 2, 1, 0), (40000.0, 1, 1, 0)]);
        // Y: open 1 (5 days, within 10); decided 1 (20 days, late): 0% within term.
        assert_eq!((stats[1].open, stats[1].open_past_term), (1, 0));
        assert_eq!((stats[1].decided_12m, stats[1].within_12m), (1, 0));
        assert_eq!(
            (stats[2].n, stats[2].decided_12m, stats[2].within_12m),
            (4, 3, 1)
        );
    }
}
