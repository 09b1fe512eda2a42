//! The local warehouse: a folder of Delta Lake tables, one per dataset and one per dataset's
//! rejected rows (`delta.rs`), plus `_datastroom.json`, which marks the folder as a datastroom
//! warehouse. Writers hold a lock; every Parquet file is written to a temporary name, synced
//! and renamed, and becomes part of a dataset only by a Delta commit, so a crash leaves the
//! warehouse as it was before or after an ingest, never in between (`docs/warehouse.md`).

pub mod catalog;
pub mod delta;
pub mod export;
pub mod migrate;
pub mod pseudo;
pub mod remote;
pub mod stats;

pub use catalog::{
    Catalog, ColumnEntry, DatasetEntry, IngestEntry, RetentionApplied, RetentionEntry,
};

use crate::fsio::write_atomic;
pub use crate::fsio::{compression, sink_parquet_atomic, write_parquet_atomic};
use anyhow::{Context, Result, bail};
use polars::prelude::*;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const LOCK_FILE: &str = ".lock";
/// The file that marks a folder as a datastroom warehouse (of this format).
pub const MARKER_FILE: &str = "_datastroom.json";
/// The warehouse format: 1 was Parquet files with `catalog.json`, 2 is Delta Lake tables.
pub const FORMAT_VERSION: u32 = 2;
pub const STAGING_DIR: &str = "_staging";
pub const REJECTS_DIR: &str = "_rejects";

/// A rejected row: where it was, which column, which value, and why.
#[derive(Debug, Clone)]
pub struct Reject {
    pub ingest_id: u64,
    pub source: String,
    pub pos: u64,
    pub column: String,
    pub value: String,
    pub reason: String,
    /// The row's fields as JSON, without personal data.
    pub row: String,
}

/// Read access: the catalog as it was when opened.
pub struct Warehouse {
    pub dir: PathBuf,
    pub catalog: Catalog,
}

impl Warehouse {
    /// Opens a warehouse to read: a folder with `catalog.json`. A folder that does not exist,
    /// or has no catalog, is not a warehouse, and says so (a mistyped --warehouse would
    /// otherwise list nothing, as if the warehouse were empty).
    pub fn open(dir: &Path) -> Result<Warehouse> {
        Self::open_at(dir, None)
    }

    /// Opens a warehouse to read, as of a snapshot (`--snapshot`; `None`: as it is now).
    pub fn open_at(dir: &Path, snapshot: Option<&delta::Snapshot>) -> Result<Warehouse> {
        if !dir.is_dir() {
            bail!(
                "{} is not a warehouse: the folder does not exist. Give --warehouse (or \
                 DATASTROOM_WAREHOUSE) the folder your ingests wrote to, or load an export \
                 first with `datastroom ingest`",
                remote::display(dir)
            );
        }
        refuse_old_format(dir)?;
        if !dir.join(MARKER_FILE).exists() {
            bail!(
                "{} is not a datastroom warehouse: it has no {MARKER_FILE}. Give --warehouse \
                 the folder your ingests wrote to, or load an export first with `datastroom \
                 ingest`",
                remote::display(dir)
            );
        }
        Self::open_or_empty_at(dir, snapshot)
    }

    /// A warehouse to read, or an empty one when the folder is not there (`sql --input` on a
    /// file needs none).
    pub fn open_or_empty_at(dir: &Path, snapshot: Option<&delta::Snapshot>) -> Result<Warehouse> {
        refuse_old_format(dir)?;
        Ok(Warehouse {
            dir: dir.to_path_buf(),
            catalog: delta::load_at(dir, snapshot)?,
        })
    }

    pub fn dataset(&self, name: &str) -> Result<&DatasetEntry> {
        self.catalog.datasets.get(name).with_context(|| {
            let known: Vec<&str> = self.catalog.datasets.keys().map(String::as_str).collect();
            if known.is_empty() {
                format!(
                    "the warehouse {} has no datasets yet; load an export with `datastroom ingest`",
                    remote::display(&self.dir)
                )
            } else {
                format!(
                    "no dataset '{name}' in {}; there are: {}",
                    remote::display(&self.dir),
                    known.join(", ")
                )
            }
        })
    }

    /// A lazy scan over the dataset's current Parquet files (an empty frame with the dataset's
    /// columns when no row was ever accepted).
    pub fn scan(&self, name: &str) -> Result<LazyFrame> {
        let entry = self.dataset(name)?;
        if entry.files.is_empty() {
            let columns: Vec<Column> = entry
                .columns
                .iter()
                .map(|c| Column::new_empty(c.name.as_str().into(), &c.kind.dtype()))
                .chain(
                    [crate::schema::COL_INGEST, crate::schema::COL_POS]
                        .map(|n| Column::new_empty(n.into(), &DataType::Int64)),
                )
                .collect();
            return Ok(DataFrame::new_infer_height(columns)?.lazy());
        }
        let mut lf = scan_files(&self.dir, &entry.files)?;
        // A canonical dataset has all its columns, also when its files were written before
        // ingest added the missing ones (empty).
        if let Some(def) = crate::schema::dataset(name) {
            let schema = lf.collect_schema()?;
            let missing: Vec<Expr> = def
                .columns
                .iter()
                .filter(|c| !schema.contains(c.name))
                .map(|c| lit(NULL).cast(c.kind.dtype()).alias(c.name))
                .collect();
            if !missing.is_empty() {
                lf = lf.with_columns(missing);
            }
        }
        Ok(lf)
    }

    /// A lazy scan over the dataset's rejected rows.
    pub fn scan_rejects(&self, name: &str) -> Result<LazyFrame> {
        let entry = self.dataset(name)?;
        if entry.reject_files.is_empty() {
            return Ok(rejects_frame(Vec::new())?.lazy());
        }
        scan_renamed(&self.dir, &entry.reject_files, REJECTS_RENAMED)
    }
}

/// Stored column names of earlier versions and their names today (CHANGELOG.md, 0.2.0): the
/// technical column of every dataset, and the columns of the rejects.
const DATASET_RENAMED: &[(&str, &str)] = &[("_bron_positie", "_source_position")];
const REJECTS_RENAMED: &[(&str, &str)] = &[
    ("bron", "source"),
    ("positie", "position"),
    ("kolom", "column"),
    ("waarde", "value"),
    ("reden", "reason"),
    ("rij", "row"),
];

/// Scans a dataset's Parquet files (relative to `dir`) as one frame; columns missing in older
/// files are null.
pub fn scan_files(dir: &Path, files: &[String]) -> Result<LazyFrame> {
    scan_renamed(dir, files, DATASET_RENAMED)
}

fn scan_renamed(dir: &Path, files: &[String], renamed: &[(&str, &str)]) -> Result<LazyFrame> {
    let paths: Vec<PathBuf> = files.iter().map(|f| dir.join(f)).collect();
    remote::fetch(&paths)?;
    let mut frames = paths
        .into_iter()
        .map(|path| {
            if !path.exists() {
                bail!(
                    "{} is listed in the table but missing. With --snapshot: the files of that \
                     version were removed (datasets vacuum, or a retention period); choose a \
                     later one (datasets history). Otherwise the folder was changed by hand: \
                     restore it from a backup",
                    remote::display(&path)
                );
            }
            let lf = LazyFrame::scan_parquet(
                PlRefPath::new(path.to_string_lossy()),
                ScanArgsParquet::default(),
            );
            let lf = anyhow::Context::with_context(lf, || format!("reading {}", path.display()))?;
            Ok((path, lf))
        })
        .collect::<Result<Vec<_>>>()?;
    // Files written before the renames of CHANGELOG.md read with today's names.
    let (old, new): (Vec<&str>, Vec<&str>) = renamed.iter().copied().unzip();
    if frames.len() == 1 {
        let (_, lf) = frames.pop().expect("one frame");
        return Ok(lf.rename(old, new, false));
    }
    // The columns of all files, in the order they first appear.
    let mut union = polars::prelude::Schema::default();
    for (path, lf) in &mut frames {
        let schema = anyhow::Context::with_context(lf.collect_schema(), || {
            format!("reading {}", path.display())
        })?;
        for (name, dtype) in schema.iter() {
            if !union.contains(name.as_str()) {
                union.with_column(name.clone(), dtype.clone());
            }
        }
    }
    if old.iter().any(|o| union.contains(o)) {
        let frames = frames
            .into_iter()
            .map(|(_, lf)| lf.rename(&old, &new, false))
            .collect::<Vec<_>>();
        return match frames.len() {
            0 => bail!("no Parquet files to read"),
            _ => Ok(concat_lf_diagonal(frames, UnionArgs::default())?),
        };
    }
    // One scan of all files (a column a file lacks is empty there): polars counts and
    // filters it as one source, where a concatenation of scans fails on COUNT(*).
    let paths = frames
        .iter()
        .map(|(p, _)| PlRefPath::new(p.to_string_lossy()))
        .collect();
    let args = ScanArgsParquet {
        schema: Some(std::sync::Arc::new(union)),
        allow_missing_columns: true,
        ..ScanArgsParquet::default()
    };
    Ok(LazyFrame::scan_parquet_files(paths, args)?)
}

/// An empty or filled rejects frame with the fixed rejects schema.
pub fn rejects_frame(rows: Vec<Reject>) -> Result<DataFrame> {
    // Delta has no unsigned integers: the numbers are stored as Int64.
    let col_i64 = |f: fn(&Reject) -> u64| {
        rows.iter()
            .map(|r| i64::try_from(f(r)).unwrap_or(i64::MAX))
            .collect::<Vec<i64>>()
    };
    let col_str = |f: fn(&Reject) -> &str| rows.iter().map(f).collect::<Vec<&str>>();
    Ok(DataFrame::new_infer_height(vec![
        Column::new("ingest_id".into(), col_i64(|r| r.ingest_id)),
        Column::new("source".into(), col_str(|r| &r.source)),
        Column::new("position".into(), col_i64(|r| r.pos)),
        Column::new("column".into(), col_str(|r| &r.column)),
        Column::new("value".into(), col_str(|r| &r.value)),
        Column::new("reason".into(), col_str(|r| &r.reason)),
        Column::new("row".into(), col_str(|r| &r.row)),
    ])?)
}

/// Write access: holds the lock until dropped.
pub struct WriteGuard {
    pub dir: PathBuf,
    pub catalog: Catalog,
    _lock: File,
}

impl WriteGuard {
    /// Takes the warehouse lock (waiting up to `wait`), creates the folder if needed, and
    /// cleans up what an interrupted ingest left behind.
    pub fn acquire(dir: &Path, wait: Duration) -> Result<WriteGuard> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the warehouse folder {}", dir.display()))?;
        refuse_old_format(dir)?;
        let lock = take_lock(dir, wait)?;
        let catalog = delta::load(dir)?;
        let guard = WriteGuard {
            dir: dir.to_path_buf(),
            catalog,
            _lock: lock,
        };
        guard.recover()?;
        // A new warehouse gets its marker before anything else is written, so that a crash
        // in its first ingest leaves leftovers that the next one may remove.
        let marker = dir.join(MARKER_FILE);
        if !marker.exists() {
            write_atomic(&marker, marker_json().as_bytes())?;
            remote::upload_if_absent(&marker)?;
        }
        Ok(guard)
    }

    /// Removes temporary files, staging folders and datastroom's own Parquet files
    /// (`part-NNNNNN.parquet`, `rejects-NNNNNN.parquet`) of an ingest that never committed:
    /// leftovers of an ingest that was killed. Files of other names, and files of committed
    /// ingests (the tables' history), are never touched. A commit of the rejects that a crash
    /// kept from happening is made now.
    fn recover(&self) -> Result<()> {
        let staging = self.dir.join(STAGING_DIR);
        if staging.exists() {
            std::fs::remove_dir_all(&staging)
                .with_context(|| format!("cleaning up {}", staging.display()))?;
        }
        let ours = walk_own_files(&self.dir)?;
        self.refuse_without_tables(&ours)?;
        self.remove_leftovers(ours)?;
        let marker_tmp = crate::fsio::tmp_path(&self.dir.join(MARKER_FILE));
        if marker_tmp.exists() {
            std::fs::remove_file(&marker_tmp)?;
        }
        delta::sync_all_rejects(&self.dir, &self.catalog)
    }

    /// Refuses a folder with datastroom's Parquet files but neither tables nor marker: the
    /// transaction logs are lost, and starting over would make the files look like leftovers.
    fn refuse_without_tables(&self, ours: &[PathBuf]) -> Result<()> {
        let lost = !self.dir.join(MARKER_FILE).exists() && self.catalog.datasets.is_empty();
        if lost
            && let Some(f) = ours
                .iter()
                .find(|f| f.extension().is_some_and(|e| e == "parquet"))
        {
            bail!(
                "{} has datastroom Parquet files ({}) but no Delta tables (no {} folders); \
                 restore the warehouse from a backup rather than start over, or use another \
                 --warehouse",
                remote::display(&self.dir),
                f.display(),
                delta::LOG_DIR
            );
        }
        Ok(())
    }

    /// Removes those of our files that a killed ingest left: of an ingest never committed
    /// (numbered at or above the next ingest's number) and not live in a table.
    fn remove_leftovers(&self, ours: Vec<PathBuf>) -> Result<()> {
        let referenced: std::collections::HashSet<&String> =
            self.catalog.referenced_files().collect();
        for file in ours {
            let rel = relative(&self.dir, &file);
            let leftover = file_ingest_id(&file).is_some_and(|id| id >= self.catalog.next_ingest);
            if leftover && !referenced.contains(&rel) {
                std::fs::remove_file(&file)
                    .with_context(|| format!("removing leftover {}", file.display()))?;
            }
        }
        Ok(())
    }

    /// Commits the datasets whose entry changed, each as a Delta transaction. Files a dataset
    /// no longer lists stay on disk as its history (time travel) until `datasets vacuum`.
    /// `gathered`: the statistics of new files gathered while they were written (by file,
    /// `<dataset>/<file>`), which are not read back for them; the other files are.
    pub fn commit(
        &mut self,
        mut catalog: Catalog,
        gathered: &std::collections::HashMap<String, stats::Gathered>,
    ) -> Result<()> {
        let made = delta::commit(&self.dir, &self.catalog, &catalog, gathered)?;
        crash_point("catalog-written");
        catalog.versions.extend(made);
        self.catalog = catalog;
        Ok(())
    }
}

/// The content of `_datastroom.json`.
fn marker_json() -> String {
    serde_json::to_string_pretty(&serde_json::json!({
        "format": "delta",
        "format_version": FORMAT_VERSION,
        "about": "A datastroom warehouse: every folder with a _delta_log is a Delta Lake table \
                  (docs/warehouse.md, docs/platform.md).",
    }))
    .unwrap_or_default()
        + "\n"
}

/// The catalog of the warehouse in `dir`, read from its tables (empty when it has none).
pub fn load_catalog(dir: &Path) -> Result<Catalog> {
    refuse_old_format(dir)?;
    delta::load(dir)
}

/// A warehouse of format 1 (`catalog.json`, no Delta tables) is read only by
/// `warehouse migrate`, which converts it.
fn refuse_old_format(dir: &Path) -> Result<()> {
    if dir.join(catalog::FILE_NAME).exists() && !dir.join(MARKER_FILE).exists() {
        bail!(
            "{} is a warehouse of an earlier datastroom (Parquet files with {}). Convert it \
             once to Delta Lake tables with `datastroom warehouse migrate {} <new folder>`, \
             then give --warehouse the new folder (copy a warehouse in object storage to a \
             folder first)",
            remote::display(dir),
            catalog::FILE_NAME,
            remote::display(dir)
        );
    }
    Ok(())
}

/// Opens the lock file and locks it, waiting up to `wait` (and saying so once) while another
/// datastroom holds it; then writes our process id in it for whoever waits next.
fn take_lock(dir: &Path, wait: Duration) -> Result<File> {
    let lock_path = dir.join(LOCK_FILE);
    let mut lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("cannot open {}", lock_path.display()))?;
    let start = Instant::now();
    let mut told = false;
    loop {
        match lock.try_lock() {
            Ok(()) => break,
            Err(std::fs::TryLockError::WouldBlock) => {
                if start.elapsed() >= wait {
                    return Err(in_use(dir, &lock_path, wait));
                }
                if !told {
                    crate::messages::info(match crate::messages::lang() {
                        crate::lang::Lang::Nl => "wachten tot een andere inlading klaar is ...",
                        crate::lang::Lang::En => "waiting for another ingest to finish ...",
                    });
                    told = true;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", lock_path.display()));
            }
        }
    }
    lock.set_len(0)?;
    write!(lock, "pid {}", std::process::id())?;
    Ok(lock)
}

/// The warehouse is still locked after `wait`: by whom (the process id in the lock file).
fn in_use(dir: &Path, lock_path: &Path, wait: Duration) -> anyhow::Error {
    let holder = std::fs::read_to_string(lock_path).unwrap_or_default();
    anyhow::anyhow!(
        "the warehouse {} is in use by another datastroom ({}); waited {} s. \
         Try again when it has finished, or raise --wait",
        dir.display(),
        holder.trim(),
        wait.as_secs()
    )
}

/// The audit log of the warehouse: one JSON line per showing of personal data
/// (`--show-personal`), appended and synced before the data is shown. When it cannot be
/// written, nothing personal is shown.
pub const AUDIT_FILE: &str = "audit.jsonl";

/// Appends a line to the audit log: when, who (the login name), and what was shown.
pub fn audit(dir: &Path, what: &str, detail: serde_json::Value) -> Result<()> {
    // The login name: USERNAME on Windows (USER may be set by Git Bash to something else),
    // USER elsewhere.
    let names = if cfg!(windows) {
        ["USERNAME", "USER"]
    } else {
        ["USER", "USERNAME"]
    };
    let user = names
        .iter()
        .find_map(|n| std::env::var(n).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "onbekend".into());
    let line = serde_json::json!({
        "tijd": chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        "gebruiker": user,
        "wat": what,
        "details": detail,
    });
    let path = dir.join(AUDIT_FILE);
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| {
            format!(
                "cannot write the audit log {}; personal data is only shown when the showing \
                 is recorded",
                path.display()
            )
        })?;
    writeln!(f, "{line}")
        .and_then(|()| f.sync_all())
        .with_context(|| format!("cannot write the audit log {}", path.display()))?;
    remote::publish_audit(&path)
}

/// datastroom's own data files: `<dataset>/part-NNNNNN.parquet` and
/// `_rejects/<dataset>/rejects-NNNNNN.parquet`, and their `.tmp` versions.
fn walk_own_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)?.flatten() {
        let p = entry.path();
        if !p.is_dir() || p.file_name().is_some_and(|n| n == STAGING_DIR) {
            continue;
        }
        if p.file_name().is_some_and(|n| n == REJECTS_DIR) {
            let Ok(subs) = std::fs::read_dir(&p) else {
                continue;
            };
            for sub in subs.flatten() {
                if sub.path().is_dir() {
                    out.extend(own_files_in(&sub.path(), "rejects-"));
                }
            }
        } else {
            out.extend(own_files_in(&p, "part-"));
        }
    }
    Ok(out)
}

/// The files in folder `d` named `<prefix>NNNNNN.parquet(.tmp)`. Folders we cannot read
/// (lost+found at the root of a volume) hold nothing of ours.
fn own_files_in(d: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(d) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_file() && own_name(&p, prefix) {
            out.push(p);
        }
    }
    out
}

/// Whether a file is called `<prefix>NNNNNN.parquet` or `<prefix>NNNNNN-KKKK.parquet`, or
/// that with `.tmp` (six and four digits).
fn own_name(p: &Path, prefix: &str) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stem = name.strip_suffix(".tmp").unwrap_or(name);
    let digits = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_digit());
    stem.strip_prefix(prefix)
        .and_then(|r| r.strip_suffix(".parquet"))
        .is_some_and(|n| match n.split_once('-') {
            Some((id, k)) => digits(id, 6) && digits(k, 4),
            None => digits(n, 6),
        })
}

/// The ingest number in `part-000012-0003.parquet`, `part-000012.parquet` (format 1) and
/// `rejects-000012.parquet`, also with `.tmp`.
pub fn file_ingest_id(path: &Path) -> Option<u64> {
    let name = path.file_name()?.to_str()?;
    let stem = name
        .strip_suffix(".tmp")
        .unwrap_or(name)
        .strip_suffix(".parquet")?;
    stem.split('-').nth(1)?.parse().ok()
}

/// `path` relative to `base`, with '/' separators (as the catalog stores it).
pub fn relative(base: &Path, path: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Test hooks. `DATASTROOM_CRASH_AT=<point>` aborts the process there, to prove that a crash
/// at any point leaves a consistent warehouse. `DATASTROOM_PAUSE_AT=<point>:<file>` creates
/// `file` there and waits (at most two minutes) until it is removed, so that a test can let
/// another writer act at that moment. Points: staged, part-written, commit-ready (files
/// uploaded, version checked, just before delta-rs commits), data-committed, catalog-written.
pub fn crash_point(point: &str) {
    if std::env::var("DATASTROOM_CRASH_AT").is_ok_and(|p| p == point) {
        eprintln!("datastroom: crash test: aborting at '{point}'");
        std::process::abort();
    }
    if let Ok(spec) = std::env::var("DATASTROOM_PAUSE_AT")
        && let Some((at, file)) = spec.split_once(':')
        && at == point
        && std::fs::write(file, point).is_ok()
    {
        let start = Instant::now();
        while Path::new(file).exists() && start.elapsed() < Duration::from_secs(120) {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Files of a warehouse written before 0.2.0 read with today's names: the technical column
    /// of a dataset, the columns of the rejects; a dataset's own "waarde" stays.
    #[test]
    fn older_files_read_with_todays_names() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, mut df: DataFrame| {
            let f = File::create(dir.path().join(name)).unwrap();
            ParquetWriter::new(f).finish(&mut df).unwrap();
            name.to_string()
        };
        let data = write(
            "d.parquet",
            df!("waarde" => [1i64], "_bron_positie" => [7u64]).unwrap(),
        );
        let rejects = write(
            "r.parquet",
            df!("ingest_id" => [1u64], "positie" => [3u64], "reden" => ["leeg"]).unwrap(),
        );
        let names = |lf: LazyFrame| -> Vec<String> {
            lf.collect()
                .unwrap()
                .get_column_names()
                .iter()
                .map(|n| n.to_string())
                .collect()
        };
        let lf = scan_files(dir.path(), &[data]).unwrap();
        assert_eq!(names(lf), ["waarde", "_source_position"]);
        let lf = scan_renamed(dir.path(), &[rejects], REJECTS_RENAMED).unwrap();
        assert_eq!(names(lf), ["ingest_id", "position", "reason"]);
    }
}
