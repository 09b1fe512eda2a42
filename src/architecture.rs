//! The module map of docs/architecture.md as a test: every `crate::` path in `src/` is an edge
//! between two top-level modules; an edge the map does not allow, or a cycle, fails.

use std::collections::{BTreeMap, BTreeSet};

/// Each top-level module and the modules it may use (docs/architecture.md), lowest first.
const ALLOWED: &[(&str, &[&str])] = &[
    ("schema", &[]),
    ("lang", &[]),
    ("fsio", &[]),
    ("source", &["schema"]),
    ("dates", &["source"]),
    ("render", &["dates", "fsio", "lang", "schema"]),
    ("messages", &["lang", "render"]),
    (
        "warehouse",
        &["fsio", "lang", "messages", "schema", "source"],
    ),
    (
        "ingest",
        &["fsio", "lang", "messages", "schema", "source", "warehouse"],
    ),
    ("analysis", &["dates", "lang"]),
    ("sqlguard", &["schema"]),
    ("context", &["dates", "lang", "warehouse"]),
    (
        "figures",
        &[
            "analysis",
            "context",
            "dates",
            "ingest",
            "lang",
            "messages",
            "render",
            "schema",
            "source",
            "sqlguard",
            "warehouse",
        ],
    ),
    (
        "report",
        &[
            "analysis",
            "context",
            "dates",
            "figures",
            "fsio",
            "ingest",
            "lang",
            "messages",
            "render",
            "schema",
            "source",
            "warehouse",
        ],
    ),
    (
        "dashboard",
        &[
            "context",
            "dates",
            "figures",
            "fsio",
            "lang",
            "messages",
            "render",
            "report",
            "schema",
            "source",
            "warehouse",
        ],
    ),
    (
        "cmd",
        &[
            "context",
            "dashboard",
            "figures",
            "ingest",
            "lang",
            "messages",
            "render",
            "report",
            "schema",
            "warehouse",
        ],
    ),
    ("cli", &["cmd", "context", "dates", "lang", "render"]),
    (
        "fuzz",
        &["ingest", "report", "schema", "source", "sqlguard"],
    ),
];

/// Macros exported at the crate root, and the module that defines each.
const MACROS: &[(&str, &str)] = &[("usage", "context")];

/// The `crate::` edges of every file of `src/`, by top-level module.
fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .to_string();
            let top = rel
                .split('/')
                .next()
                .unwrap()
                .trim_end_matches(".rs")
                .to_string();
            if ["main", "lib", "architecture"].contains(&top.as_str()) {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (k, _) in text.match_indices("crate::") {
                let name: String = text[k + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let name = MACROS
                    .iter()
                    .find(|(m, _)| *m == name)
                    .map_or(name.clone(), |(_, module)| module.to_string());
                if name != top {
                    out.entry(top.clone()).or_default().insert(name);
                }
            }
        }
    }
    out
}

#[test]
fn every_edge_is_allowed() {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut wrong = Vec::new();
    for (from, to) in edges() {
        let Some(ok) = allowed.get(from.as_str()) else {
            wrong.push(format!(
                "{from}: not in the module map (docs/architecture.md)"
            ));
            continue;
        };
        wrong.extend(
            to.iter()
                .filter(|t| !ok.contains(&t.as_str()))
                .map(|t| format!("{from} -> {t}")),
        );
    }
    assert!(
        wrong.is_empty(),
        "edges the module map does not allow: {wrong:?}"
    );
}

#[test]
fn no_cycles() {
    let edges = edges();
    // Depth-first search; a module met again on the current path closes a cycle.
    fn visit(
        m: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(k) = path.iter().position(|p| p == m) {
            let mut cycle = path[k..].to_vec();
            cycle.push(m.to_string());
            return Some(cycle);
        }
        if !done.insert(m.to_string()) {
            return None;
        }
        path.push(m.to_string());
        for next in edges.get(m).into_iter().flatten() {
            if let Some(c) = visit(next, edges, path, done) {
                return Some(c);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for m in edges.keys() {
        let cycle = visit(m, &edges, &mut Vec::new(), &mut done);
        assert!(
            cycle.is_none(),
            "import cycle: {}",
            cycle.unwrap().join(" -> ")
        );
    }
}

/// The map itself has no cycle and lists every module once: a test of the test.
#[test]
fn the_map_is_layered() {
    let mut seen: Vec<&str> = Vec::new();
    for (module, uses) in ALLOWED {
        for u in *uses {
            assert!(
                seen.contains(u),
                "{module} uses {u}, which comes later in the map"
            );
        }
        assert!(!seen.contains(module), "{module} twice");
        seen.push(module);
    }
}
