//! Every example a user reads runs: each `datastroom` command in the README's shell blocks, in
//! order, from a folder that has the repository's testdata/ and examples/ (as the README
//! says), and each SQL recipe of docs/sql.md on the samples.

use crate::util::Workdir;
use std::path::Path;

/// The lines of the ```sh blocks of a Markdown file, with continuation lines joined.
fn shell_lines(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    let mut pending = String::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            inside = line.trim() == "```sh" && !inside;
            continue;
        }
        if !inside {
            continue;
        }
        let line = line.trim();
        if let Some(head) = line.strip_suffix('\\') {
            pending.push_str(head);
            continue;
        }
        pending.push_str(line);
        if !pending.is_empty() && !pending.starts_with('#') {
            out.push(std::mem::take(&mut pending));
        }
        pending.clear();
    }
    out
}

/// Splits a command line as a POSIX shell would for these examples: words, "double" and
/// 'single' quotes; a `#` after a space starts a comment.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    let mut previous = ' ';
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                started = true;
            }
            (None, '#') if previous == ' ' => break,
            (None, ' ') => {
                if started || !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                started = false;
            }
            (None, c) => word.push(c),
        }
        previous = c;
    }
    if started || !word.is_empty() {
        out.push(word);
    }
    out
}

/// A work folder that looks like the repository to the examples: testdata/ and examples/.
fn repository_like() -> Workdir {
    let wd = Workdir::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["testdata", "examples"] {
        std::os::unix::fs::symlink(root.join(dir), wd.path(dir)).unwrap();
    }
    wd
}

#[test]
fn every_readme_command_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let wd = repository_like();
    let mut key = String::new();
    let mut ran = 0;
    for line in shell_lines(&readme) {
        let w = words(&line);
        match w.first().map(String::as_str) {
            Some("export") => {
                // export DATASTROOM_KEY="$(cat examples/demo-sleutel.txt)"
                let value = w[1].split_once('=').unwrap().1;
                let file = value
                    .strip_prefix("$(cat ")
                    .and_then(|v| v.strip_suffix(')'))
                    .unwrap_or_else(|| panic!("unknown export: {line}"));
                key = std::fs::read_to_string(wd.path(file))
                    .unwrap()
                    .trim()
                    .to_string();
            }
            Some("datastroom") => {
                let mut cmd = wd.cmd(&[]);
                cmd.args(&w[1..]).env("DATASTROOM_KEY", &key);
                let out = wd.output(&mut cmd);
                let code = out.status.code();
                let ingest = w.get(1).is_some_and(|s| s == "ingest");
                assert!(
                    code == Some(0) || (ingest && code == Some(3)),
                    "README: {line}\n{}",
                    crate::util::describe(&cmd, &out)
                );
                ran += 1;
            }
            // The two commands of "Two commands": the report as above, and the tests.
            Some("cargo") if w.get(1).is_some_and(|s| s == "run") => {
                let dash = w.iter().position(|x| x == "--").unwrap();
                let mut cmd = wd.cmd(&[]);
                cmd.args(&w[dash + 1..]);
                wd.run(cmd);
                ran += 1;
            }
            Some("cargo") => {}
            other => panic!("README: a shell line the test does not know ({other:?}): {line}"),
        }
    }
    assert!(ran >= 25, "{ran} commands");
    assert!(wd.path("rapporten/week-2024-W26.md").exists());
    assert!(wd.path("verwerkingen.md").exists() && wd.path("afgekeurd.csv").exists());
}

#[test]
fn every_sql_recipe_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/sql.md")).unwrap();
    let wd = repository_like();
    let key = std::fs::read_to_string(root.join("examples/demo-sleutel.txt")).unwrap();
    wd.run_code(
        wd.cmd(&["ingest", "--plan", "examples/inlezen.toml", "-q"])
            .env("DATASTROOM_KEY", key.trim()),
        3,
    );
    let mut queries = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match (&mut current, line.trim()) {
            (None, "```sql") => current = Some(String::new()),
            (Some(q), "```") => {
                // A block may hold several queries, each ending in a blank line.
                queries.extend(q.split("\n\n").map(str::to_string));
                current = None;
            }
            (Some(q), _) => {
                q.push_str(line);
                q.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(queries.len() >= 7, "{queries:?}");
    for q in &queries {
        let out = wd.run(wd.cmd(&["sql", q.trim(), "-q", "--format", "csv"]));
        assert!(out.lines().count() >= 2, "no rows from\n{q}\n{out}");
    }
    for line in shell_lines(&doc) {
        let w = words(&line);
        assert_eq!(w[0], "datastroom", "{line}");
        let out = wd.run(wd.cmd(&[]).args(&w[1..]).arg("-q"));
        assert!(out.contains("Interim BV"), "{line}\n{out}");
    }
}

#[test]
fn shell_words() {
    assert_eq!(
        words("datastroom sql \"SELECT a, 'b' FROM t\" --input x.csv   # comment"),
        [
            "datastroom",
            "sql",
            "SELECT a, 'b' FROM t",
            "--input",
            "x.csv"
        ]
    );
    assert_eq!(words("export K=\"$(cat f)\""), ["export", "K=$(cat f)"]);
}

/// Tab completion for every shell the README names, the manual page, and `--help` with the
/// exit codes and environment variables.
#[test]
fn completions_manual_page_and_help() {
    let wd = Workdir::new();
    let complete = |shell: &str| wd.run(wd.cmd(&["completions", shell]));
    let bash = complete("bash");
    assert!(
        bash.contains("_datastroom()") && bash.contains("waitlist"),
        "{bash}"
    );
    assert!(bash.contains("--as-of"), "{bash}");
    assert!(complete("zsh").starts_with("#compdef datastroom"));
    assert!(complete("fish").contains("complete -c datastroom"));
    assert!(complete("powershell").contains("Register-ArgumentCompleter"));
    let usage = wd.usage(wd.cmd(&["completions", "cmd"]));
    assert!(usage.contains("powershell"), "{usage}");
    let man = wd.run(wd.cmd(&["man"]));
    assert!(man.contains("\n.TH datastroom 1 "), "{man}");
    assert!(
        man.contains("DATASTROOM_KEY") && man.contains("Exit codes"),
        "{man}"
    );
    let help = wd.run(wd.cmd(&["--help"]));
    for word in [
        "Exit codes:",
        "3  done, but rows were rejected",
        "DATASTROOM_WAREHOUSE",
        "DATASTROOM_KEY",
    ] {
        assert!(help.contains(word), "{word} not in\n{help}");
    }
    // A subcommand's help has its explanation and examples, one per line.
    let help = wd.run(wd.cmd(&["inhuur", "--help"]));
    assert!(
        help.contains("(Europese aanbestedingsdrempel)")
            && help.contains("\n  datastroom inhuur --section findings --as-of 2026-03-31\n"),
        "{help}"
    );
}
