//! What the fuzz targets run (`fuzz/fuzz_targets/`, `.ci/fuzz`): each function takes arbitrary
//! bytes and must never panic, whatever they are; it also checks what must hold of any answer.
//! The regression test below replays every input that once crashed (`tests/data/fuzz/`).

use crate::source::values::{self, DateOrder, NumberStyle};
use crate::source::{self, ReadOptions};
use std::io::Write;

/// A temporary file holding `data` with the extension `ext` (readers dispatch on it).
fn file(data: &[u8], ext: &str) -> Option<(tempfile::TempPath, std::path::PathBuf)> {
    let mut f = tempfile::Builder::new().suffix(ext).tempfile().ok()?;
    f.write_all(data).ok()?;
    let path = f.path().to_path_buf();
    Some((f.into_temp_path(), path))
}

/// Reads every row of an export, as ingest does (sniffing, encoding, header, rows).
fn read_export(data: &[u8], ext: &str) {
    let Some((_guard, path)) = file(data, ext) else {
        return;
    };
    let opts = ReadOptions {
        sha256: true,
        ..ReadOptions::default()
    };
    if let Ok(mut src) = source::open(&path, &opts) {
        let _ = source::check_header(&src.headers, &path);
        for row in src.rows.by_ref().take(100_000) {
            let Ok(row) = row else {
                break;
            };
            // Every field can be read, and together they are the row's text.
            let joined: usize = row.fields.iter().map(str::len).sum();
            assert_eq!(joined, row.fields.as_slice().len(), "line {}", row.pos);
        }
        let _ = src.finish();
    }
}

/// The CSV sniffer and reader.
pub fn csv(data: &[u8]) {
    read_export(data, ".csv");
}

/// The JSON reader.
pub fn json(data: &[u8]) {
    read_export(data, ".json");
}

/// The Excel reader (by content: zip, OLE, or text with a workbook's name).
pub fn excel(data: &[u8]) {
    read_export(data, ".xlsx");
    read_export(data, ".xls");
}

/// The KNMI daily weather reader.
pub fn knmi(data: &[u8]) {
    let _ = source::knmi::parse(&String::from_utf8_lossy(data));
}

/// The date and number parsers, and the column decisions, on lines of the input.
pub fn values(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text.lines().collect();
    let _ = DateOrder::detect(lines.iter().copied());
    let _ = NumberStyle::detect(lines.iter().copied(), NumberStyle::DecimalComma);
    for v in &lines {
        for order in [DateOrder::DayFirst, DateOrder::MonthFirst] {
            let _ = values::parse_datetime(v, order);
        }
        for style in [NumberStyle::DecimalComma, NumberStyle::DecimalPoint] {
            if let Some(m) = values::parse_money(v, style) {
                // A whole number of cents, as near as a double gets: m * 100 itself need not
                // be whole (2222222.22 * 100 is 222222222.00000003).
                assert!(
                    m.is_finite() && (m * 100.0).round() / 100.0 == m,
                    "{v:?} -> {m}"
                );
            }
            let _ = values::parse_number(v, style);
            let _ = values::parse_integer(v, style);
        }
        let _ = values::parse_bool(v);
        let _ = crate::schema::personal::mask(v, true);
    }
}

/// The TOML readers: ingest plan, mapping file, report spec.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = toml::from_str::<crate::ingest::request::Plan>(text);
    let _ = toml::from_str::<crate::ingest::plan::Mapping>(text);
    if let Ok(spec) = toml::from_str::<crate::report::spec::Spec>(text) {
        let _ = spec.sections();
    }
}

/// The SQL guard: any text is checked without a panic, for everyone and for the council.
pub fn sql(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut tables = crate::sqlguard::Tables::default();
    tables.add(
        "zaken_sociaal",
        &[
            "zaak_id".into(),
            "team".into(),
            "client_id".into(),
            "consulent".into(),
        ],
        &["client_id", "consulent"],
    );
    for council in [false, true] {
        let _ = crate::sqlguard::check(&text, &tables, council);
    }
}

/// A fuzz target: arbitrary bytes in, no panic.
pub type Target = fn(&[u8]);

/// The targets by name, as the fuzz script and the regression test know them.
pub const TARGETS: &[(&str, Target)] = &[
    ("csv", csv),
    ("json", json),
    ("excel", excel),
    ("knmi", knmi),
    ("values", values),
    ("config", config),
    ("sql", sql),
];

/// Seed inputs per target from the repository's own samples: the fuzz script starts its
/// corpus from them, and the regression test runs each target on them.
pub fn seeds(root: &std::path::Path) -> Vec<(&'static str, std::path::PathBuf)> {
    let mut out = Vec::new();
    let mut add = |target: &'static str, rel: &str| out.push((target, root.join(rel)));
    for f in [
        "meldingen_fixi.csv",
        "zaken_wachtlijst.csv",
        "inhuur_facturen.csv",
    ] {
        add("csv", &format!("testdata/{f}"));
        add("values", &format!("testdata/{f}"));
    }
    add("json", "testdata/meldingen_signalen.json");
    add("excel", "testdata/zaken_sociaal.xlsx");
    add("excel", "testdata/projecten.xls");
    add("knmi", "testdata/knmi/etmgeg_348_2019.txt");
    for f in [
        "inlezen.toml",
        "weekly.toml",
        "kwartaal-sociaal-domein.toml",
    ] {
        add("config", &format!("examples/{f}"));
    }
    out
}

#[cfg(test)]
mod tests {
    /// Every input a fuzz target once crashed on (tests/data/fuzz/<target>/) runs clean now,
    /// and every target runs on its seeds (the samples).
    #[test]
    fn fuzz_regressions_and_seeds() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut inputs: Vec<(String, std::path::PathBuf)> = super::seeds(root)
            .into_iter()
            .map(|(t, p)| (t.to_string(), p))
            .collect();
        for (name, _) in super::TARGETS {
            if let Ok(entries) = std::fs::read_dir(root.join("tests/data/fuzz").join(name)) {
                inputs.extend(entries.flatten().map(|e| (name.to_string(), e.path())));
            }
        }
        for (name, path) in &inputs {
            let target = super::TARGETS.iter().find(|t| t.0 == name).unwrap().1;
            target(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
        }
        super::sql(b"SELECT team, COUNT(DISTINCT client_id) FROM zaken_sociaal GROUP BY 1");
    }
}
