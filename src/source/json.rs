//! JSON exports: an array of objects, an object holding one such array (`{"results": [...]}`),
//! or an object of objects keyed by id. Keys become columns in order of first appearance;
//! nested values are kept as JSON text.

use super::{Detected, Record, Source};
use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

/// The leaves of an object, nested keys joined with '.'.
fn flatten<'a>(obj: &'a Map<String, Value>, prefix: &str) -> Vec<(String, &'a Value)> {
    let mut out = Vec::new();
    for (k, v) in obj {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Object(inner) if !inner.is_empty() => out.extend(flatten(inner, &key)),
            _ => out.push((key, v)),
        }
    }
    out
}

/// A value as the text of a field: null empty, nested values as JSON without personal keys.
fn value_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => scrub(other).to_string(),
    }
}

/// A nested value (an array of contacts, say) kept as JSON text, without the keys that are
/// personal data wherever they stand (`email`, `telefoon`, `naam`, ...). What is left is
/// masked like any text at ingest (BSNs, phone numbers and e-mail addresses in the values).
fn scrub(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !crate::schema::is_personal_header(None, k))
                .map(|(k, v)| (k.clone(), scrub(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(scrub).collect()),
        other => other.clone(),
    }
}

/// The list of row objects inside a parsed JSON document.
fn rows_of(doc: Value) -> Option<Vec<Map<String, Value>>> {
    let objects = |items: Vec<Value>| -> Option<Vec<Map<String, Value>>> {
        items
            .into_iter()
            .map(|v| match v {
                Value::Object(m) => Some(m),
                _ => None,
            })
            .collect()
    };
    match doc {
        Value::Array(items) => objects(items),
        Value::Object(map) => {
            let arrays: Vec<&Value> = map.values().filter(|v| v.is_array()).collect();
            if arrays.len() == 1 {
                let Value::Array(items) = arrays[0].clone() else {
                    unreachable!()
                };
                return objects(items);
            }
            if !map.is_empty() && map.values().all(Value::is_object) {
                return objects(map.into_iter().map(|(_, v)| v).collect());
            }
            None
        }
        _ => None,
    }
}

/// Opens a JSON export: every object a row, every key (nested ones joined with '.') a column.
pub fn open(path: &Path) -> Result<Source> {
    let objects = read_objects(path)?;
    // Nested objects become columns of their own ("reporter.email"), so that the privacy rules
    // see every key: a nested e-mail address is dropped like any other.
    let flat: Vec<Vec<(String, &Value)>> = objects.iter().map(|o| flatten(o, "")).collect();
    let (headers, index) = columns(&flat);
    let records = records(&flat, &index, headers.len());
    Ok(Source {
        path: path.to_path_buf(),
        headers,
        settings: Detected {
            format: "json".to_string(),
            encoding: Some("UTF-8".to_string()),
            header_row: 0,
            ..Detected::default()
        },
        rows: Box::new(records.into_iter().map(Ok)),
        blank_rows: Arc::new(AtomicU64::new(0)),
        recycle: None,
        scanned: None,
    })
}

/// The row objects of a JSON file, refused when it is no JSON or holds no rows we know.
fn read_objects(path: &Path) -> Result<Vec<Map<String, Value>>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read {} as UTF-8 text", path.display()))?;
    let doc: Value =
        serde_json::from_str(text.trim_start_matches('\u{feff}')).with_context(|| {
            format!(
                "{} is not valid JSON; check that the export finished",
                path.display()
            )
        })?;
    let Some(objects) = rows_of(doc) else {
        bail!(
            "{}: expected an array of objects (one object per row), or an object holding one",
            path.display()
        );
    };
    Ok(objects)
}

/// The columns of the flattened rows, in order of first appearance, and each one's index.
fn columns(flat: &[Vec<(String, &Value)>]) -> (Vec<String>, HashMap<String, usize>) {
    let mut headers: Vec<String> = Vec::new();
    let mut index = HashMap::new();
    for obj in flat {
        for (key, _) in obj {
            if !index.contains_key(key) {
                index.insert(key.clone(), headers.len());
                headers.push(key.clone());
            }
        }
    }
    (headers, index)
}

/// The flattened rows as records of `width` fields, numbered from 1; a key a row lacks is empty.
fn records(
    flat: &[Vec<(String, &Value)>],
    index: &HashMap<String, usize>,
    width: usize,
) -> Vec<Record> {
    flat.iter()
        .enumerate()
        .map(|(i, obj)| {
            let mut fields = vec![String::new(); width];
            for (k, v) in obj {
                fields[index[k]] = value_text(v);
            }
            Record {
                pos: i as u64 + 1,
                fields: super::Fields::from(fields),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_json_shapes() {
        let a: Value =
            serde_json::from_str(r#"[{"id": "a", "n": 1}, {"id": "b", "x": true}]"#).unwrap();
        assert_eq!(rows_of(a).unwrap().len(), 2);
        let b: Value = serde_json::from_str(r#"{"count": 1, "results": [{"id": "a"}]}"#).unwrap();
        assert_eq!(rows_of(b).unwrap().len(), 1);
        let c: Value = serde_json::from_str(r#"{"a": {"id": "a"}, "b": {"id": "b"}}"#).unwrap();
        assert_eq!(rows_of(c).unwrap().len(), 2);
        let d: Value = serde_json::from_str(r#"[1, 2]"#).unwrap();
        assert!(rows_of(d).is_none());
    }

    #[test]
    fn nested_objects_become_columns() {
        let v: Value =
            serde_json::from_str(r#"{"id": "a", "reporter": {"email": "x@y.nl", "n": 1}}"#)
                .unwrap();
        let Value::Object(m) = v else { unreachable!() };
        let keys: Vec<String> = flatten(&m, "").into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["id", "reporter.email", "reporter.n"]);
    }

    /// Issue 10, item 5: personal data inside nested arrays. Personal keys go at any depth;
    /// values elsewhere are masked at ingest.
    #[test]
    fn nested_arrays_lose_their_personal_keys() {
        let v: Value = serde_json::from_str(
            r#"[{"type": "melder", "email": "k@x.nl", "telefoon": "0612345678",
                 "extra": [{"bsn": "123456782", "rol": "ouder"}]}]"#,
        )
        .unwrap();
        assert_eq!(
            value_text(&v),
            r#"[{"type":"melder","extra":[{"rol":"ouder"}]}]"#
        );
    }

    #[test]
    fn values_render_as_text() {
        assert_eq!(value_text(&serde_json::json!(6.49826436)), "6.49826436");
        assert_eq!(value_text(&serde_json::json!(null)), "");
        assert_eq!(value_text(&serde_json::json!({"a": 1})), r#"{"a":1}"#);
    }
}
