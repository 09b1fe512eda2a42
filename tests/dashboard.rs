//! Dashboards (docs/dashboard.md): both examples generate from the sample exports; every
//! figure of a view equals what the subcommand gives for the same filter; the file holds
//! aggregates only; the council is refused.

use crate::util::Workdir;
use serde_json::Value;
use std::path::PathBuf;

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

/// A work folder with the samples ingested (as the examples' `inlezen` does) and the example
/// dashboard generated on 1 July 2024; the dashboard's HTML.
fn generated(spec: &str, file: &str) -> (Workdir, String) {
    let wd = Workdir::new();
    wd.run_code(
        wd.cmd(&["ingest", "-q", "--plan"])
            .arg(example("inlezen.toml")),
        3,
    );
    wd.run(
        wd.cmd(&["dashboard", "-q", "--as-of", "2024-07-01"])
            .arg(example(spec))
            .args(["--out-dir", "out"]),
    );
    let html = std::fs::read_to_string(wd.path("out").join(file)).unwrap();
    let left: Vec<_> = std::fs::read_dir(wd.path("out")).unwrap().collect();
    assert_eq!(
        left.len(),
        1,
        "only the dashboard in out/, no temporary file"
    );
    (wd, html)
}

/// The figures inside a dashboard (the JSON the page's script reads).
fn data(html: &str) -> Value {
    let start = html
        .find("<script type=\"application/json\" id=\"data\">")
        .unwrap();
    let rest = &html[start..];
    let json = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
    assert!(!json.contains('<'), "every < in the data is escaped");
    serde_json::from_str(json).unwrap()
}

/// The view key of the filter values chosen, as the page's list boxes give it.
fn key(d: &Value, chosen: &[&str]) -> String {
    d["filters"]
        .as_array()
        .unwrap()
        .iter()
        .zip(chosen)
        .map(|(f, c)| {
            let values = f["values"].as_array().unwrap();
            let i = values.iter().position(|v| v == c);
            i.unwrap_or_else(|| panic!("no {c} in {values:?}"))
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The rows of panel `p` in a view.
fn rows(d: &Value, key: &str, p: usize) -> Vec<Vec<Value>> {
    let view = &d["views"][key];
    assert!(view.is_array(), "no view {key}");
    view[p]
        .as_array()
        .unwrap_or_else(|| panic!("panel {p} of {key} is empty"))
        .iter()
        .flat_map(|b| {
            d["blocks"][b.as_u64().unwrap() as usize]
                .as_array()
                .unwrap()
        })
        .map(|r| r.as_array().unwrap().clone())
        .collect()
}

/// A value as the dashboard stores it: numbers rounded to two decimals.
fn round(v: &Value) -> Value {
    match v.as_f64() {
        Some(x) if !v.is_boolean() => {
            let r = (x * 100.0).round() / 100.0;
            serde_json::json!(r)
        }
        _ => v.clone(),
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        _ => a == b,
    }
}

/// The subcommand's rows as JSON, the columns given, rounded as the dashboard stores them.
fn subcommand(wd: &Workdir, args: &[&str], cols: &[&str]) -> Vec<Vec<Value>> {
    let out = wd.run(
        wd.cmd(&["-q", "--as-of", "2024-07-01", "--format", "json"])
            .args(args),
    );
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    rows.iter()
        .map(|r| cols.iter().map(|c| round(&r[*c])).collect())
        .collect()
}

fn assert_rows(got: &[Vec<Value>], want: &[Vec<Value>], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: {got:?}\nwant {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert!(
            g.iter().zip(w).all(|(a, b)| same(a, b)),
            "{what}: {g:?} != {w:?}"
        );
    }
}

#[test]
fn waitlist_dashboard_equals_the_subcommand() {
    let (wd, html) = generated("dashboard-wachtlijsten.toml", "wachtlijsten.html");
    assert!(html.len() < 3_000_000, "{} bytes", html.len());
    let d = data(&html);
    let wet = |p: &str| match p {
        "jeugd" => "Jeugd: beschikking (8 weken)",
        "wmo-onderzoek" => "Wmo: onderzoek (6 weken)",
        _ => "Wmo: beschikking (2 weken)",
    };
    // (preset, gemeente, team): the views checked, each against the subcommand.
    let cases = [
        ("jeugd", "Duiven", "alle"),
        ("jeugd", "alle", "alle"),
        ("wmo-beschikking", "Duiven", "Team Zuid"),
        ("wmo-onderzoek", "alle", "Team Noord"),
    ];
    const POINT: &[&str] = &[
        "open",
        "open_past_term",
        "within_term_pct_3m",
        "median_days",
        "median_ci_lower",
        "median_ci_upper",
    ];
    for (preset, gemeente, team) in cases {
        let k = key(&d, &[wet(preset), gemeente, team, "alle"]);
        let mut args = vec!["waitlist", "--preset", preset];
        if gemeente != "alle" {
            args.extend(["--gemeente", gemeente]);
        }
        if team != "alle" {
            args.extend(["--team", team]);
        }
        let what = format!("{preset} {gemeente} {team}");
        // Tiles: open, past the term, % within term (3 months), the median and its interval.
        let now = &subcommand(&wd, &args, POINT)[0];
        let tiles = rows(&d, &k, 0);
        for (i, (row, col)) in [(0, 0), (1, 1), (2, 2), (3, 3)].into_iter().enumerate() {
            assert!(
                same(&tiles[row][1], &now[col]),
                "{what} tile {i}: {tiles:?} {now:?}"
            );
        }
        assert!(
            same(&tiles[3][3], &now[4]) && same(&tiles[3][4], &now[5]),
            "{what}"
        );
        // A quarter earlier: the subcommand on 1 April.
        let mut before_args = vec!["--as-of", "2024-04-01"];
        before_args.extend(&args);
        let out = wd.run(wd.cmd(&["-q", "--format", "json"]).args(&before_args));
        let before: Vec<Value> = serde_json::from_str(&out).unwrap();
        let before = before.first().map(|r| round(&r["open"]));
        assert!(
            same(&tiles[0][5], before.as_ref().unwrap_or(&Value::Null)),
            "{what}"
        );
        // The trend's last point is the tiles' figure; its first is 24 months back.
        let trend = rows(&d, &k, 1);
        let last = trend.last().unwrap();
        assert_eq!(last[0], "2024-07-01");
        assert!(
            same(&last[1], &now[3]) && same(&last[6], &now[0]),
            "{what}: {last:?}"
        );
        // Kaplan-Meier curves per team, the weekly flow, the table per team.
        let mut curves = args.clone();
        curves.extend(["--section", "survival", "--by", "team"]);
        let cols = [
            "group", "time", "survival", "lower", "upper", "at_risk", "events", "censored",
        ];
        assert_rows(&rows(&d, &k, 2), &subcommand(&wd, &curves, &cols), &what);
        let mut flow = args.clone();
        flow.extend(["--section", "flow", "--weeks", "104"]);
        let cols = ["week_start", "week", "inflow", "outflow", "backlog"];
        assert_rows(&rows(&d, &k, 3), &subcommand(&wd, &flow, &cols), &what);
        let mut by = args.clone();
        by.extend(["--section", "by", "--by", "team"]);
        let cols = [
            "group",
            "n",
            "open",
            "open_past_term",
            "within_term_pct",
            "within_term_pct_3m",
            "median_days",
            "p90_days",
        ];
        assert_rows(&rows(&d, &k, 4), &subcommand(&wd, &by, &cols), &what);
    }
    // By hand, from zaken_wachtlijst.csv: Jeugd in Duiven has 6 cases (J01, J02, J06 of Team
    // Noord; J03, J04, J05 of Team Zuid), of which J04 and J05 are open on 1 July 2024.
    let k = key(&d, &[wet("jeugd"), "Duiven", "alle", "alle"]);
    let table = rows(&d, &k, 4);
    assert_eq!(table.last().unwrap()[1], 6, "{table:?}");
    assert_eq!(rows(&d, &k, 0)[0][1], 2);
    // A combination without cases is no view: the page says "no data".
    let none = key(&d, &[wet("jeugd"), "Zevenaar", "alle", "Vervoer"]);
    assert!(d["views"][&none].is_null() || d["views"][&none][0].is_null());
    aggregates_only(
        &wd,
        &html,
        "zaken_sociaal",
        &["zaak_id", "client_id", "consulent"],
    );
}

#[test]
fn peaks_dashboard_equals_the_subcommand() {
    let (wd, html) = generated("dashboard-meldingen.toml", "meldingen.html");
    assert!(html.len() < 3_000_000, "{} bytes", html.len());
    let d = data(&html);
    // 104 weeks up to the last complete week (24-30 June 2024).
    let from = "2022-07-04";
    let cols = [
        "period_start",
        "group",
        "observed",
        "expected",
        "upper_bound",
        "alarm",
    ];
    let sorted = |mut r: Vec<Vec<Value>>| {
        r.sort_by(|a, b| (a[1].as_str(), a[0].as_str()).cmp(&(b[1].as_str(), b[0].as_str())));
        r
    };
    // (gemeente, categorie, wijk, kanaal) and the subcommand's --filter for each.
    let cases: [([&str; 4], Vec<&str>); 3] = [
        (
            ["Zevenaar", "Groen", "alle", "alle"],
            vec!["gemeente=Zevenaar", "categorie=Groen"],
        ),
        (
            ["alle", "alle", "Centrum", "App"],
            vec!["wijk=Centrum", "kanaal=App"],
        ),
        (
            ["alle", "Riolering", "alle", "Web"],
            vec!["categorie=Riolering", "kanaal=Web"],
        ),
    ];
    for (chosen, filter) in &cases {
        let k = key(&d, chosen);
        let mut args = vec!["peaks", "--all", "--from", from];
        for f in filter {
            args.extend(["--filter", f]);
        }
        let weekly: Vec<Vec<Value>> = rows(&d, &k, 1)
            .into_iter()
            .map(|r| r[..6].to_vec())
            .collect();
        let want = sorted(subcommand(&wd, &args, &cols));
        assert_rows(&weekly, &want, &format!("weekly {chosen:?}"));
        // The drivers of each alarm, as `peaks` explains it.
        let mut alarms_args = vec!["peaks", "--from", from];
        for f in filter {
            alarms_args.extend(["--filter", f]);
        }
        let want = subcommand(&wd, &alarms_args, &["period_start", "group", "drivers"]);
        let got = rows(&d, &k, 3);
        assert_eq!(got.len(), want.len(), "alarms {chosen:?}");
        for w in &want {
            assert!(
                got.iter()
                    .any(|g| g[0] == w[0] && g[1] == w[1] && g[5] == w[2]),
                "{w:?} not in {got:?}"
            );
        }
        // This week: the total (--by none) against its expected count and upper bound.
        let mut total = vec!["peaks", "--by", "none", "--all", "--from", "2024-06-24"];
        for f in filter {
            total.extend(["--filter", f]);
        }
        let want = &subcommand(&wd, &total, &["observed", "expected", "upper_bound"])[0];
        let tiles = rows(&d, &k, 0);
        assert_rows(
            &[tiles[0][1..4].to_vec()],
            std::slice::from_ref(want),
            "tiles",
        );
        // Weekday and hour: every report of the 104 weeks once.
        let mut sql = format!(
            "SELECT COUNT(*) AS n FROM meldingen WHERE CAST(datum_melding AS DATE) >= \
             DATE('{from}') AND CAST(datum_melding AS DATE) < DATE('2024-07-01')"
        );
        for f in filter {
            let (c, v) = f.split_once('=').unwrap();
            sql.push_str(&format!(" AND {c} = '{v}'"));
        }
        let n = &subcommand(&wd, &["sql", &sql], &["n"])[0][0];
        let heat: i64 = rows(&d, &k, 2).iter().map(|r| r[2].as_i64().unwrap()).sum();
        assert_eq!(heat as f64, n.as_f64().unwrap(), "{chosen:?}");
    }
    // Groen in Zevenaar, week 26 of 2024: the 22 fallen trees make_testdata.py adds that week
    // and 6 usual reports (`peaks` gives 28 too), an alarm.
    let k = key(&d, &["Zevenaar", "Groen", "alle", "alle"]);
    let tiles = rows(&d, &k, 0);
    assert_eq!(tiles[0][1], 28);
    assert_eq!(tiles[1][1], 1, "{tiles:?}");
    aggregates_only(&wd, &html, "meldingen", &["melding_id", "adres"]);
}

/// The dashboard holds no value of the columns that identify a record or a person.
fn aggregates_only(wd: &Workdir, html: &str, dataset: &str, columns: &[&str]) {
    for c in columns {
        let sql = format!("SELECT DISTINCT {c} AS v FROM {dataset} WHERE {c} IS NOT NULL");
        let values = subcommand(wd, &["sql", &sql], &["v"]);
        assert!(!values.is_empty(), "{c}");
        for v in values {
            // As a value of the page's JSON, or as text of its HTML.
            let v = v[0].as_str().unwrap();
            for form in [format!("\"{v}\""), format!(">{v}<")] {
                assert!(!html.contains(&form), "{c} value {v} in the dashboard");
            }
        }
    }
}

#[test]
fn council_and_people_are_refused() {
    let wd = Workdir::new();
    let spec = |body: &str| {
        wd.write(
            "d.toml",
            format!("name = \"d\"\ntitle = \"D\"\n{body}\n[[panel]]\ntype = \"waitlist\"\nshow = \"tiles\"\npreset = \"jeugd\"\n"),
        )
    };
    let run = |wd: &Workdir| wd.usage(wd.cmd(&["dashboard", "d.toml", "--out-dir", "out"]));
    spec("audience = \"raad\"");
    let e = run(&wd);
    assert!(
        e.contains("datastroom report") && e.contains("subtracted"),
        "{e}"
    );
    wd.write(
        "d.toml",
        "name = \"d\"\ntitle = \"D\"\n[[panel]]\ntype = \"waitlist\"\nshow = \"table\"\nby = \"consulent\"\nallow_employee_names = true\n",
    );
    let e = run(&wd);
    assert!(
        e.contains("panel 1 (waitlist)") && e.contains("never people"),
        "{e}"
    );
    wd.write(
        "d.toml",
        "name = \"d\"\ntitle = \"D\"\n[[panel]]\ntype = \"waitlist\"\nshow = \"grafiek\"\n",
    );
    let e = run(&wd);
    assert!(
        e.contains("unknown show `grafiek`") && e.contains("tiles, trend"),
        "{e}"
    );
    assert!(!wd.path("out").exists());
}

#[test]
fn no_filter_on_records_or_people() {
    let wd = Workdir::new();
    wd.run_code(
        wd.cmd(&["ingest", "-q", "--plan"])
            .arg(example("inlezen.toml")),
        3,
    );
    for column in ["melding_id", "adres", "lat"] {
        wd.write(
            "d.toml",
            format!("name = \"d\"\ntitle = \"D\"\n[[filter]]\ncolumn = \"{column}\"\n[[panel]]\ntype = \"peaks\"\nshow = \"tiles\"\n"),
        );
        let e = wd.usage(wd.cmd(&["dashboard", "d.toml", "--as-of", "2024-07-01"]));
        assert!(e.contains("aggregates only"), "{e}");
    }
    // Series and explanations by addresses, and columns the schema does not know, too.
    let panel = |keys: &str| {
        format!(
            "name = \"d\"\ntitle = \"D\"\n[[panel]]\ntype = \"peaks\"\nshow = \"weekly\"\n{keys}\n"
        )
    };
    for (keys, says) in [
        ("by = \"adres\"", "aggregates only"),
        ("explain = [\"wijk\", \"adres\"]", "aggregates only"),
        (
            "by = \"behandelaar\"",
            "not a column of the canonical dataset",
        ),
        ("period = \"month\"", "per week"),
        ("months = 12", "does not apply here"),
    ] {
        wd.write("d.toml", panel(keys));
        let e = wd.usage(wd.cmd(&["dashboard", "d.toml", "--as-of", "2024-07-01"]));
        assert!(e.contains(says), "{keys}: {e}");
    }
    assert!(!wd.path("dashboards").exists());
    // Not into the warehouse folder, where an ingest would take it for a leftover.
    wd.write("d.toml", panel(""));
    let e = wd.fail(wd.cmd(&["dashboard", "d.toml", "--out-dir", "warehouse/dash"]));
    assert!(e.contains("inside the warehouse folder"), "{e}");
    // In English: the page's words and number format follow `language`.
    wd.write(
        "d.toml",
        "name = \"d\"\ntitle = \"D\"\nlanguage = \"en\"\n[[filter]]\ncolumn = \"gemeente\"\n[[panel]]\ntype = \"peaks\"\nshow = \"tiles\"\n",
    );
    wd.run(wd.cmd(&[
        "dashboard",
        "-q",
        "d.toml",
        "--as-of",
        "2024-07-01",
        "--out-dir",
        "o",
    ]));
    let html = std::fs::read_to_string(wd.path("o/d.html")).unwrap();
    assert!(
        html.contains("<html lang=\"en\">") && html.contains("\"all\""),
        "{html}"
    );
    assert!(html.contains("Alarms this week") && html.contains("Municipality"));
}

#[test]
fn no_filters_and_absent_values() {
    let wd = Workdir::new();
    wd.run_code(
        wd.cmd(&["ingest", "-q", "--plan"])
            .arg(example("inlezen.toml")),
        3,
    );
    // Without filters: one view, the whole dataset.
    wd.write(
        "a.toml",
        "name = \"a\"\ntitle = \"A\"\n[[panel]]\ntype = \"waitlist\"\nshow = \"tiles\"\npreset = \"jeugd\"\n",
    );
    wd.run(wd.cmd(&[
        "dashboard",
        "-q",
        "a.toml",
        "--as-of",
        "2024-07-01",
        "--out-dir",
        "o",
    ]));
    let d = data(&std::fs::read_to_string(wd.path("o/a.html")).unwrap());
    let keys: Vec<&String> = d["views"].as_object().unwrap().keys().collect();
    assert_eq!(keys, [""]);
    // Jeugd in both municipalities: 6 cases in Duiven (J04 and J05 open) and 2 in Zevenaar (1
    // open): 3 open, as `waitlist --preset jeugd` says.
    let want = wd.run(wd.cmd(&[
        "waitlist",
        "--preset",
        "jeugd",
        "--as-of",
        "2024-07-01",
        "--format",
        "json",
    ]));
    let want: Vec<Value> = serde_json::from_str(&want).unwrap();
    assert_eq!(rows(&d, "", 0)[0][1], want[0]["open"]);
    assert_eq!(want[0]["open"], 3);
    // A listed value no row has: offered, said on stderr, no view.
    wd.write(
        "b.toml",
        "name = \"b\"\ntitle = \"B\"\n[[filter]]\ncolumn = \"team\"\nvalues = [\"Team Noord\", \"Team West\"]\n[[panel]]\ntype = \"waitlist\"\nshow = \"table\"\npreset = \"jeugd\"\n",
    );
    let out = wd.output(wd.cmd(&[
        "dashboard",
        "b.toml",
        "--as-of",
        "2024-07-01",
        "--out-dir",
        "o",
    ]));
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("geen rij heeft de waarde \"Team West\""),
        "{stderr}"
    );
    let d = data(&std::fs::read_to_string(wd.path("o/b.html")).unwrap());
    assert_eq!(d["filters"][0]["values"][2], "Team West");
    assert!(d["views"]["1"].is_array() && d["views"]["2"].is_null());
}
