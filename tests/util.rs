//! A temporary work folder per test, and a way to run the binary in it that shows command,
//! status, stdout and stderr when something is off.

use std::borrow::BorrowMut;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const KEY: &str = "test-key-0123456789abcdef";

pub struct Workdir {
    pub dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn warehouse(&self) -> PathBuf {
        self.path("warehouse")
    }

    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write fixture");
        p
    }

    /// A command for the binary, with the warehouse in this folder and the test key set.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_datastroom"));
        c.current_dir(self.dir.path())
            .env("DATASTROOM_WAREHOUSE", self.warehouse())
            .env("DATASTROOM_KEY", KEY)
            .env_remove("DATASTROOM_CRASH_AT")
            .args(args);
        c
    }

    /// Runs and returns the output, whatever the status.
    pub fn output(&self, mut cmd: impl BorrowMut<Command>) -> Output {
        cmd.borrow_mut().output().expect("run datastroom")
    }

    /// Runs, asserts the exit code, returns stdout.
    pub fn run_code(&self, mut cmd: impl BorrowMut<Command>, code: i32) -> String {
        let cmd = cmd.borrow_mut();
        let out = self.output(&mut *cmd);
        assert_eq!(out.status.code(), Some(code), "{}", describe(cmd, &out));
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    pub fn run(&self, cmd: impl BorrowMut<Command>) -> String {
        self.run_code(cmd, 0)
    }

    /// Runs a command that must fail with exit code 1; returns stderr.
    pub fn fail(&self, mut cmd: impl BorrowMut<Command>) -> String {
        let cmd = cmd.borrow_mut();
        let out = self.output(&mut *cmd);
        assert_eq!(out.status.code(), Some(1), "{}", describe(cmd, &out));
        String::from_utf8(out.stderr).expect("utf-8 stderr")
    }

    /// Runs a command that must fail as a usage error (a wrong option or spec: exit code 2);
    /// returns its stderr.
    pub fn usage(&self, mut cmd: impl BorrowMut<Command>) -> String {
        let cmd = cmd.borrow_mut();
        let out = self.output(&mut *cmd);
        assert_eq!(out.status.code(), Some(2), "{}", describe(cmd, &out));
        String::from_utf8(out.stderr).expect("utf-8 stderr")
    }

    /// `datastroom ingest ARGS --format json`, expecting `code`: the one summary row, after
    /// checking the law every ingest keeps: rows read = rows accepted + rows rejected.
    pub fn ingest_json(&self, args: &[&str], code: i32) -> serde_json::Value {
        let mut cmd = self.cmd(&["ingest"]);
        cmd.args(args).args(["--format", "json"]);
        let out = self.run_code(cmd, code);
        let rows: Vec<serde_json::Value> = serde_json::from_str(&out).expect("json summary");
        assert_eq!(rows.len(), 1, "{out}");
        let n = |k: &str| {
            rows[0][k]
                .as_u64()
                .unwrap_or_else(|| panic!("no {k} in {out}"))
        };
        assert_eq!(n("read"), n("accepted") + n("rejected"), "{out}");
        // A text export's rows each take at least a line of it: no row hides in another.
        if let Some(lines) = rows[0]["lines"].as_u64() {
            assert!(lines >= n("read") + n("blank_rows"), "{out}");
        }
        rows[0].clone()
    }

    /// Ingests a sample export from testdata/; they all hold rows to reject (exit code 3).
    pub fn ingest_sample(&self, file: &str, dataset: &str) {
        self.run_code(self.cmd(&["ingest", &testdata(file), "-d", dataset]), 3);
    }

    /// The text of every transaction log file of the warehouse's Delta tables, in order.
    pub fn logs(&self) -> String {
        let mut files = Vec::new();
        let mut stack = vec![self.warehouse()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.parent().is_some_and(|d| d.ends_with("_delta_log")) {
                    files.push(p);
                }
            }
        }
        files.sort();
        files
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap())
            .collect()
    }

    /// The catalog as datastroom keeps it, read from the Delta logs themselves (not through
    /// datastroom or delta-rs): per dataset table, the entry in the `datastroom.dataset`
    /// property of its newest metaData action. Shaped as `{"datasets": {name: entry}}`.
    pub fn catalog(&self) -> serde_json::Value {
        let mut datasets = serde_json::Map::new();
        for e in std::fs::read_dir(self.warehouse()).unwrap().flatten() {
            let log = e.path().join("_delta_log");
            if !log.is_dir() {
                continue;
            }
            let mut commits: Vec<_> = std::fs::read_dir(&log)
                .unwrap()
                .flatten()
                .map(|c| c.path())
                .filter(|c| c.extension().is_some_and(|x| x == "json"))
                .collect();
            commits.sort();
            for c in commits {
                for line in std::fs::read_to_string(&c).unwrap().lines() {
                    let action: serde_json::Value = serde_json::from_str(line).unwrap();
                    if let Some(entry) =
                        action["metaData"]["configuration"]["datastroom.dataset"].as_str()
                    {
                        let name = e.file_name().to_string_lossy().to_string();
                        datasets.insert(name, serde_json::from_str(entry).unwrap());
                    }
                }
            }
        }
        serde_json::json!({ "datasets": datasets })
    }

    /// JSON output of `datastroom sql QUERY`.
    pub fn sql(&self, query: &str) -> Vec<serde_json::Value> {
        let out = self.run(self.cmd(&["sql", query, "--format", "json"]).arg("--quiet"));
        match serde_json::from_str(&out).expect("json output") {
            serde_json::Value::Array(rows) => rows,
            other => panic!("expected an array, got {other}"),
        }
    }

    /// `sql` at a `--snapshot`.
    pub fn sql_at(&self, query: &str, snapshot: &str) -> Vec<serde_json::Value> {
        let out = self.run(self.cmd(&["sql", query, "--snapshot", snapshot, "--format", "json"]));
        serde_json::from_str(&out).expect("json output")
    }

    /// `sql` at a `--snapshot` that must fail; its stderr.
    pub fn sql_at_fails(&self, query: &str, snapshot: &str) -> String {
        self.fail(self.cmd(&["sql", query, "--snapshot", snapshot]))
    }
}

pub fn describe(cmd: &Command, out: &Output) -> String {
    format!(
        "\ncommand: {:?}\nstatus: {:?}\nstdout:\n{}\nstderr:\n{}",
        cmd,
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The repository's testdata folder.
pub fn testdata(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(name)
        .display()
        .to_string()
}
