//! The warehouse on disk: every dataset is a Delta Lake table (`<dataset>/`), and so are its
//! rejected rows (`_rejects/<dataset>/`). polars writes the Parquet files; delta-rs commits them,
//! one Delta transaction per ingest, so whatever reads Delta (Fabric, Databricks, Spark,
//! DuckDB, Power BI) reads the warehouse, with its history (docs/warehouse.md).
//!
//! What datastroom knows of a dataset (its columns, key, lineage, retention, the rejects files)
//! is its [`DatasetEntry`], kept as the table property `datastroom.dataset`: it is committed in
//! the same transaction as the files, and an older version of the table has the entry of then.
//! The data table is the truth; its rejects table is brought in line with the entry after
//! each commit, and again by the next writer if a crash came in between.

use super::catalog::{Catalog, DatasetEntry};
use super::remote::display as shown;
use anyhow::{Context, Result, bail};
use deltalake_core::kernel::transaction::{CommitBuilder, CommitProperties};
use deltalake_core::kernel::{Action, MetadataExt, StructType};
use deltalake_core::operations::create::CreateBuilder;
use deltalake_core::protocol::{DeltaOperation, SaveMode};
use deltalake_core::{DeltaTable, DeltaTableError};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::OnceLock;

mod features;
mod files;
mod history;
use super::stats::Gathered;
use features::{Unreadable, refuse_new_datetime, refuse_unreadable, unreadable_features};
use files::{NewStats, add_action, entry_schema, file_schema};
use history::version_at;
pub use history::{VersionInfo, history, vacuum};

/// The folder with a table's transaction log.
pub const LOG_DIR: &str = "_delta_log";
/// The table property with the dataset's catalog entry (JSON, without the file list, which is
/// the table's own).
const ENTRY_PROPERTY: &str = "datastroom.dataset";
/// The table property with the fingerprint of the pseudonymisation key.
const KEY_PROPERTY: &str = "datastroom.key_fingerprint";

/// delta-rs is async: its calls run on one small runtime, started at the first call.
pub(super) fn block_on<F: std::future::Future>(future: F) -> Result<F::Output> {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    // Called from inside a call of delta-rs (object storage): on this thread, in place.
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        return Ok(tokio::task::block_in_place(|| handle.block_on(future)));
    }
    let runtime = match RUNTIME.get() {
        Some(r) => r,
        None => {
            let built = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("datastroom-delta")
                .enable_all()
                .build()
                .context("cannot start the threads that read and write Delta tables")?;
            // Another thread may have been first; either runtime serves.
            let _ = RUNTIME.set(built);
            RUNTIME.get().context("no runtime for Delta tables")?
        }
    };
    Ok(runtime.block_on(future))
}

/// The address delta-rs takes for a table folder: `file://`, or the table's address in
/// object storage.
fn table_url(dir: &Path) -> Result<url::Url> {
    if let Some(url) = super::remote::table_url(dir) {
        return url;
    }
    let abs = std::path::absolute(dir).with_context(|| format!("locating {}", shown(dir)))?;
    url::Url::from_directory_path(&abs)
        .map_err(|()| anyhow::anyhow!("{} cannot be a table folder", shown(&abs)))
}

/// Whether a folder holds a Delta table. A storage that cannot be listed is an error, not a
/// missing table: an ingest that failed after its commit would otherwise take its committed
/// files for leftovers and remove them.
pub fn is_table(dir: &Path) -> Result<bool> {
    match super::remote::has_files(dir, LOG_DIR) {
        Some(has) => has.with_context(|| format!("listing {}", shown(dir))),
        None => Ok(dir.join(LOG_DIR).is_dir()),
    }
}

/// The table folders directly under `dir` (sorted).
fn table_folders(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let folders: Vec<_> = match super::remote::folders(dir) {
        Some(listed) => listed?,
        None => match std::fs::read_dir(dir) {
            Ok(entries) => entries.flatten().map(|e| e.path()).collect(),
            Err(_) => Vec::new(),
        },
    };
    let mut tables = Vec::new();
    for folder in folders {
        if is_table(&folder)? {
            tables.push(folder);
        }
    }
    tables.sort();
    Ok(tables)
}

/// A table as one version of it: the live files (relative to its folder), its properties and
/// the version number.
struct TableRead {
    files: Vec<String>,
    properties: HashMap<String, String>,
    version: u64,
    /// The rows of the live files whose `add` action counts them (`numRecords`), and the files
    /// whose action does not (another writer's).
    counted: u64,
    uncounted: Vec<String>,
    /// What datastroom would read wrong in the table: Delta reader features, and files
    /// outside its folder.
    unreadable: Vec<Unreadable>,
}

impl TableRead {
    /// The table's rows: the log's counts, and for the files it has no count for, their
    /// footers' (downloaded first from object storage).
    fn rows(&self, dir: &Path) -> Result<u64> {
        let paths: Vec<_> = self.uncounted.iter().map(|f| dir.join(f)).collect();
        super::remote::fetch(&paths)?;
        paths.iter().try_fold(self.counted, |n, p| {
            Ok(n + u64::try_from(files::parquet_rows(p)?)?)
        })
    }
}

/// Which version of the tables to read (`--snapshot`).
#[derive(Debug, Clone, PartialEq)]
pub enum Snapshot {
    /// Every table as it was at this moment (local time): its newest version committed then.
    /// A table made later is not there.
    At(chrono::NaiveDateTime),
    /// The named tables at these versions; the others as they are now.
    Versions(std::collections::BTreeMap<String, u64>),
}

async fn open(dir: &Path) -> Result<DeltaTable> {
    let url = table_url(dir)?;
    deltalake_core::open_table(url)
        .await
        .with_context(|| format!("reading the Delta table {}", shown(dir)))
}

fn read_table(dir: &Path, version: Option<u64>) -> Result<TableRead> {
    block_on(async {
        let mut table = open(dir).await?;
        let newest = table.version().unwrap_or(0);
        if let Some(v) = version.filter(|v| *v != newest) {
            if v > newest {
                bail!(
                    "{} has no version {v}: its newest is {newest} (datastroom datasets history)",
                    shown(dir)
                );
            }
            table.load_version(v).await.with_context(|| {
                format!(
                    "reading version {v} of {}: its log or files are gone (vacuum?)",
                    shown(dir)
                )
            })?;
        }
        let snapshot = table.snapshot()?;
        let (mut files, mut counted, mut uncounted) = (Vec::new(), 0, Vec::new());
        let (mut with_deletion_vectors, mut outside) = (0, Vec::new());
        for f in snapshot.log_data().iter() {
            let path = f.path().into_owned();
            if features::outside_folder(&path) {
                outside.push(path.clone());
            }
            if f.deletion_vector_descriptor().is_some() {
                with_deletion_vectors += 1;
            }
            match f.num_records() {
                Some(n) => counted += u64::try_from(n)?,
                None => uncounted.push(path.clone()),
            }
            files.push(path);
        }
        let properties = snapshot.metadata().configuration().clone();
        let mut unreadable =
            unreadable_features(snapshot.protocol(), &properties, with_deletion_vectors);
        if let Some(first) = outside.first() {
            unreadable.push(Unreadable::Outside {
                files: outside.len(),
                first: first.clone(),
            });
        }
        Ok(TableRead {
            files,
            properties,
            version: snapshot.version(),
            counted,
            uncounted,
            unreadable,
        })
    })?
}

/// The catalog of a warehouse folder, read from its tables: a dataset per table that
/// datastroom wrote (Delta tables of others in the folder are left alone).
pub fn load(dir: &Path) -> Result<Catalog> {
    load_tables(dir, None, true)
}

/// The catalog as of a snapshot (`None`: now), to read: a table that cannot be read (another
/// tool's, or damaged) is left out with a warning, so that it does not keep the others from
/// being read. A writer takes no such risk: [`load`] fails on it.
pub fn load_at(dir: &Path, snapshot: Option<&Snapshot>) -> Result<Catalog> {
    load_tables(dir, snapshot, false)
}

/// The dataset of a table folder at `version` (`None`: the newest), with the table as read;
/// `None` for a table without datastroom's entry (another tool's, left alone unchecked). A
/// table that would be read wrong is refused; the rows are the log's count, not the one
/// datastroom stored (another writer may have added or removed files since).
fn read_dataset(
    folder: &Path,
    name: &str,
    version: Option<u64>,
) -> Result<Option<(DatasetEntry, TableRead)>> {
    let table = read_table(folder, version)?;
    let Some(json) = table.properties.get(ENTRY_PROPERTY) else {
        return Ok(None);
    };
    refuse_unreadable(folder, &table.unreadable)?;
    let mut entry: DatasetEntry = serde_json::from_str(json).with_context(|| {
        format!(
            "the Delta table {} has a damaged {ENTRY_PROPERTY} property",
            shown(folder)
        )
    })?;
    entry.files = table.files.iter().map(|f| format!("{name}/{f}")).collect();
    entry.rows = table.rows(folder)?;
    Ok(Some((entry, table)))
}

fn load_tables(dir: &Path, snapshot: Option<&Snapshot>, strict: bool) -> Result<Catalog> {
    let mut catalog = Catalog::default();
    let mut last_ingest = 0;
    for folder in table_folders(dir)? {
        let name = folder
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let version = match snapshot {
            None => None,
            Some(Snapshot::Versions(v)) => v.get(&name).copied(),
            Some(Snapshot::At(t)) => match version_at(&folder, *t)? {
                Some(v) => Some(v),
                // The table was made after that moment.
                None => continue,
            },
        };
        let (entry, table) = match read_dataset(&folder, &name, version) {
            Ok(Some(read)) => read,
            Ok(None) => continue,
            Err(e) if !strict && version.is_none() => {
                let f = shown(&folder);
                crate::messages::warn(
                    format!("{f} is overgeslagen: de Delta-tabel is niet te lezen ({e:#})"),
                    format!("{f} is skipped: its Delta table cannot be read ({e:#})"),
                );
                continue;
            }
            Err(e) => return Err(e),
        };
        last_ingest = entry
            .ingests
            .iter()
            .map(|i| i.id)
            .fold(last_ingest, u64::max);
        if let Some(fp) = table.properties.get(KEY_PROPERTY) {
            catalog.key_fingerprint = Some(fp.clone());
        }
        catalog.versions.insert(name.clone(), table.version);
        catalog.datasets.insert(name, entry);
    }
    if let Some(Snapshot::Versions(v)) = snapshot
        && let Some(unknown) = v.keys().find(|n| !catalog.datasets.contains_key(*n))
    {
        bail!(
            "--snapshot names '{unknown}', which is not a dataset in {}",
            shown(dir)
        );
    }
    catalog.next_ingest = last_ingest + 1;
    Ok(catalog)
}

/// Commits every dataset whose entry changed from `old` to `new`: first its table (the truth),
/// then its rejects table. Each commit builds on the version of the table that `old` was read
/// from: when another writer committed to the table since (a platform job, a datastroom that
/// does not share the lock), the commit fails and changes nothing. Returns the versions made.
pub fn commit(
    dir: &Path,
    old: &Catalog,
    new: &Catalog,
    gathered: &HashMap<String, Gathered>,
) -> Result<BTreeMap<String, u64>> {
    let mut made = BTreeMap::new();
    for (name, entry) in &new.datasets {
        // The key's fingerprint goes with the datasets an ingest commits; the catalog takes
        // it from any table.
        let same = old
            .datasets
            .get(name)
            .is_some_and(|o| serde_json::to_value(o).ok() == serde_json::to_value(entry).ok());
        if same {
            continue;
        }
        let read = old.versions.get(name).copied();
        // In object storage the rejects file this run wrote goes up with the data files: the
        // entry committed with them names it.
        let rejects_dir = dir.join(super::REJECTS_DIR).join(name);
        let prefix = format!("{}/{name}/", super::REJECTS_DIR);
        let written: Vec<_> = inside(&entry.reject_files, &prefix)?
            .iter()
            .map(|f| rejects_dir.join(f))
            .filter(|p| p.exists())
            .collect();
        super::remote::upload(&written)?;
        let version = commit_dataset(
            dir,
            name,
            entry,
            new.key_fingerprint.as_deref(),
            read,
            gathered,
        )?;
        made.insert(name.clone(), version);
        super::crash_point("data-committed");
        // The data commit stands; should the rejects table not follow now, the next writer
        // brings it in line (WriteGuard::recover), and until then the rejects are read
        // through the data table's entry.
        if let Err(e) = sync_rejects(dir, name, entry) {
            crate::messages::warn(
                format!(
                    "'{name}' is opgeslagen, maar de tabel met afgekeurde rijen is nog niet \
                     bijgewerkt ({e:#}); de volgende inlading doet dat"
                ),
                format!(
                    "'{name}' is saved, but its table of rejected rows is not brought up to \
                     date yet ({e:#}); the next ingest does that"
                ),
            );
        }
    }
    Ok(made)
}

/// Makes the rejects table of every dataset list the rejects files its entry lists: after a
/// crash between the two commits of an ingest, the next writer finishes the second.
pub fn sync_all_rejects(dir: &Path, catalog: &Catalog) -> Result<()> {
    for (name, entry) in &catalog.datasets {
        sync_rejects(dir, name, entry)?;
    }
    Ok(())
}

/// One commit of a dataset's table, on top of version `read` (`None`: the table is new): its
/// files become `entry.files`, its entry property the entry; the newest ingest's lineage is in
/// the commit information, for platform tools. Returns the new version.
fn commit_dataset(
    dir: &Path,
    name: &str,
    entry: &DatasetEntry,
    key: Option<&str>,
    read: Option<u64>,
    gathered: &HashMap<String, Gathered>,
) -> Result<u64> {
    let prefix = format!("{name}/");
    let files = inside(&entry.files, &prefix)?;
    let gathered = gathered
        .iter()
        .filter_map(|(f, g)| Some((f.strip_prefix(&prefix)?.to_string(), g)))
        .collect();
    let mut stored = entry.clone();
    stored.files.clear();
    let mut properties = vec![(ENTRY_PROPERTY.to_string(), serde_json::to_string(&stored)?)];
    if let Some(k) = key {
        properties.push((KEY_PROPERTY.to_string(), k.to_string()));
    }
    let lineage = serde_json::to_value(entry.ingests.last())?;
    let columns = stats_columns(entry);
    let put = Put {
        name,
        files: &files,
        columns: Some(entry_schema(entry)?),
        properties,
        info: lineage,
        base: Base::Version(read),
        stats: NewStats {
            columns: &columns,
            gathered,
        },
    };
    put_files(&dir.join(name), put).with_context(|| format!("committing the dataset '{name}'"))
}

fn sync_rejects(dir: &Path, name: &str, entry: &DatasetEntry) -> Result<()> {
    let table = dir.join(super::REJECTS_DIR).join(name);
    let prefix = format!("{}/{name}/", super::REJECTS_DIR);
    let files = inside(&entry.reject_files, &prefix)?;
    let exists = is_table(&table)?;
    if !exists && files.is_empty() {
        return Ok(());
    }
    if exists {
        let now: BTreeSet<String> = read_table(&table, None)?.files.into_iter().collect();
        if now == files.iter().cloned().collect() {
            return Ok(());
        }
    }
    let ingest = entry.ingests.last().map(|i| i.id);
    let info = serde_json::json!({ "dataset": name, "ingest": ingest });
    let table_name = format!("{name}_afgekeurd");
    let put = Put {
        name: &table_name,
        files: &files,
        columns: None,
        properties: Vec::new(),
        info,
        base: Base::Newest,
        stats: NewStats::default(),
    };
    put_files(&table, put)
        .map(|_| ())
        .with_context(|| format!("committing the rejected rows of '{name}'"))
}

/// The names of files under `prefix`, which every file of a table's entry must be.
fn inside(files: &[String], prefix: &str) -> Result<Vec<String>> {
    files
        .iter()
        .map(|f| {
            f.strip_prefix(prefix)
                .map(str::to_string)
                .with_context(|| format!("{f} is not inside the table folder {prefix}"))
        })
        .collect()
}

/// The columns whose statistics a dataset's files get: its key, and the municipality when it
/// has one (what an upsert matches on).
pub fn stats_columns(entry: &DatasetEntry) -> Vec<String> {
    let gemeente = entry.columns.iter().any(|c| c.name == "gemeente");
    super::stats::columns(entry.key.clone(), gemeente)
}

/// The statistics (`stats` JSON) of each live file of a dataset's table at `version` (`None`:
/// the newest), by file (`<dataset>/<file>`); a file without them is not in the map.
pub fn file_stats(dir: &Path, name: &str, version: Option<u64>) -> Result<HashMap<String, String>> {
    block_on(async {
        let table_dir = dir.join(name);
        let mut table = open(&table_dir).await?;
        if let Some(v) = version {
            table.load_version(v).await?;
        }
        let snapshot = table.snapshot()?;
        Ok(snapshot
            .log_data()
            .iter()
            .filter_map(|f| Some((format!("{name}/{}", f.path()), f.stats()?)))
            .collect())
    })?
}

/// The newest version of a table.
pub fn newest_version(table_dir: &Path) -> Result<u64> {
    Ok(read_table(table_dir, None)?.version)
}

/// Whether the newest version of a dataset's table records ingest `id` (its commit landed).
pub fn has_ingest(table_dir: &Path, id: u64) -> Result<bool> {
    if !is_table(table_dir)? {
        return Ok(false);
    }
    let table = read_table(table_dir, None)?;
    let Some(json) = table.properties.get(ENTRY_PROPERTY) else {
        return Ok(false);
    };
    let entry: DatasetEntry = serde_json::from_str(json)?;
    Ok(entry.ingests.iter().any(|i| i.id == id))
}

/// What a commit builds on.
#[derive(Clone, Copy)]
enum Base {
    /// The version the writer read (`None`: the table did not exist); any newer one is another
    /// writer's, and the commit fails rather than undo it.
    Version(Option<u64>),
    /// Whatever is newest (the rejects table, which follows its data table).
    Newest,
}

/// One commit: which files a table is to have, and what goes with them.
struct Put<'a> {
    /// The table's name (in its metadata).
    name: &'a str,
    /// The live files after the commit, relative to the table folder.
    files: &'a [String],
    /// The schema when there are no files (an export without accepted rows).
    columns: Option<StructType>,
    properties: Vec<(String, String)>,
    /// The commit information under `datastroom` (the lineage).
    info: serde_json::Value,
    base: Base,
    /// The statistics new files get.
    stats: NewStats<'a>,
}

/// Makes `put.files` the table's live files, in one transaction with the properties; creates
/// the table when the folder has none (with the schema of the files, or `put.columns` when
/// there are none). Returns the version committed.
fn put_files(table_dir: &Path, mut put: Put) -> Result<u64> {
    // In object storage two runs may commit the same lineage (one job started twice): the
    // run's tag tells whose commit landed.
    let tag = super::remote::file_tag().trim_start_matches('-');
    if let Some(info) = put.info.as_object_mut().filter(|_| !tag.is_empty()) {
        info.insert("run".into(), tag.into());
    }
    let commit = CommitProperties::default()
        .with_metadata([("datastroom".to_string(), put.info.clone())])
        .with_max_retries(0);
    let exists = is_table(table_dir)?;
    match put.base {
        Base::Version(None) if exists => return Err(changed_meanwhile(table_dir, None)),
        _ if !exists => {
            create_table(table_dir, put, commit)?;
            return Ok(0);
        }
        _ => {}
    }
    let Put {
        files,
        properties,
        base,
        stats,
        info,
        ..
    } = put;
    block_on(async {
        let mut table = open(table_dir).await?;
        if let Base::Version(Some(read)) = base {
            if table.version() != Some(read) {
                return Err(changed_meanwhile(table_dir, table.version()));
            }
            // Built on the version read: should another writer commit between this check and
            // ours, the log already has our number and the commit fails.
            table.load_version(read).await?;
        }
        let snapshot = table.snapshot()?;
        let (actions, new, removed) = file_actions(table_dir, snapshot, files, properties, &stats)?;
        // In object storage the files this run wrote go up before the commit that adds them.
        let paths: Vec<_> = new.iter().map(|f| table_dir.join(f)).collect();
        let uploaded = super::remote::upload(&paths)?;
        let operation = DeltaOperation::Write {
            mode: if removed {
                SaveMode::Overwrite
            } else {
                SaveMode::Append
            },
            partition_by: None,
            predicate: None,
        };
        let ours = snapshot.version() + 1;
        super::crash_point("commit-ready");
        match CommitBuilder::from(commit)
            .with_actions(actions)
            .build(Some(snapshot), table.log_store(), operation)
            .await
        {
            Ok(done) => Ok(done.version()),
            // The version is written, but what delta-rs does after it (a checkpoint every
            // 100 versions) failed: the commit stands, and the next commit makes a checkpoint.
            Err(e) if committed_by_us(table_dir, ours, &info) => {
                let t = shown(table_dir);
                crate::messages::warn(
                    format!(
                        "{t}: versie {ours} is opgeslagen, maar het checkpoint daarna schrijven \
                         mislukte ({e}); de volgende inlading probeert het opnieuw"
                    ),
                    format!(
                        "{t}: version {ours} is saved, but writing a checkpoint after it failed \
                         ({e}); the next ingest tries again"
                    ),
                );
                Ok(ours)
            }
            Err(e) => {
                remove_uploads(&e, table_dir, ours, &info, &uploaded);
                Err(conflict(e))
            }
        }
    })?
}

/// The actions that make `files` the table's live files: `remove` for the live files not
/// among them, `add` (with statistics) for the new ones, and the metadata with the schema and
/// `properties`. Also the new files, and whether any file was removed.
fn file_actions(
    table_dir: &Path,
    snapshot: &deltalake_core::table::state::DeltaTableState,
    files: &[String],
    properties: Vec<(String, String)>,
    stats: &NewStats,
) -> Result<(Vec<Action>, Vec<String>, bool)> {
    let live: Vec<_> = snapshot.log_data().iter().collect();
    let wanted: BTreeSet<&str> = files.iter().map(String::as_str).collect();
    let mut actions = Vec::new();
    for f in &live {
        if !wanted.contains(f.path().as_ref()) {
            actions.push(Action::Remove(f.remove_action(true)));
        }
    }
    let removed = !actions.is_empty();
    let have: BTreeSet<String> = live.iter().map(|f| f.path().into_owned()).collect();
    let new: Vec<String> = files
        .iter()
        .filter(|f| !have.contains(*f))
        .cloned()
        .collect();
    // Files another run uploaded (its rejects file, after a crash) are read here.
    super::remote::fetch(&new.iter().map(|f| table_dir.join(f)).collect::<Vec<_>>())?;
    let schema = file_schema(table_dir, &new, Some(&snapshot.schema()))?;
    refuse_new_datetime(table_dir, &schema, snapshot.protocol())?;
    for f in &new {
        actions.push(add_action(table_dir, f, stats)?);
    }
    let mut metadata = snapshot.metadata().clone().with_schema(&schema)?;
    for (k, v) in properties {
        metadata = metadata.add_config_key(k, v)?;
    }
    actions.push(Action::Metadata(metadata));
    Ok((actions, new, removed))
}

/// Whether version `v` of the table is in its log with `info` as datastroom's commit
/// information: our commit landed.
fn committed_by_us(table_dir: &Path, v: u64, info: &serde_json::Value) -> bool {
    landed(table_dir, v, info) == Some(true)
}

/// Whether our commit is version `v` (`None`: its log file cannot be read now).
fn landed(table_dir: &Path, v: u64, info: &serde_json::Value) -> Option<bool> {
    let log = table_dir.join(LOG_DIR).join(format!("{v:020}.json"));
    let text =
        super::remote::read_string(&log).unwrap_or_else(|| Ok(std::fs::read_to_string(&log)?));
    let text = text.ok()?;
    Some(text.lines().any(|line| {
        serde_json::from_str::<serde_json::Value>(line)
            .ok()
            .and_then(|a| a.get("commitInfo")?.get("datastroom").cloned())
            .is_some_and(|d| &d == info)
    }))
}

/// After a failed commit: removes the files uploaded for it, when another writer took the
/// version and the log says so. Otherwise (another error, or a log that cannot be read now)
/// the commit may have landed, and the files stay; vacuum removes them if not.
fn remove_uploads(
    e: &DeltaTableError,
    table_dir: &Path,
    v: u64,
    info: &serde_json::Value,
    uploaded: &[std::path::PathBuf],
) {
    if !uploaded.is_empty() && lost_race(e) && landed(table_dir, v, info) == Some(false) {
        let _ = super::remote::delete(uploaded);
    }
}

/// The table has a version this writer did not read: another writer committed since.
fn changed_meanwhile(table_dir: &Path, now: Option<u64>) -> anyhow::Error {
    let now = now.map_or_else(|| "a new table".to_string(), |v| format!("version {v}"));
    anyhow::anyhow!(
        "another writer changed the Delta table {} while this run was busy (it is at {now} \
         now); nothing of this run was saved. Run it again: it will build on that version",
        shown(table_dir)
    )
}

/// Version 0 of a table: its schema, properties and first files.
fn create_table(table_dir: &Path, put: Put, commit: CommitProperties) -> Result<()> {
    let Put {
        name,
        files,
        columns,
        properties,
        stats,
        info,
        ..
    } = put;
    std::fs::create_dir_all(table_dir)
        .with_context(|| format!("cannot create {}", shown(table_dir)))?;
    // Files another run uploaded (its rejects file, after a crash) are read here.
    super::remote::fetch(&files.iter().map(|f| table_dir.join(f)).collect::<Vec<_>>())?;
    let schema = match columns {
        Some(c) if files.is_empty() => c,
        _ => file_schema(table_dir, files, None)?,
    };
    let adds = files
        .iter()
        .map(|f| add_action(table_dir, f, &stats))
        .collect::<Result<Vec<_>>>()?;
    let url = table_url(table_dir)?;
    let mut props: HashMap<String, Option<String>> =
        properties.into_iter().map(|(k, v)| (k, Some(v))).collect();
    // The whole log is kept: it is the history that auditors and `datasets history` read (the
    // data files of old versions go with `datasets vacuum`).
    props.insert("delta.enableExpiredLogCleanup".into(), Some("false".into()));
    let paths: Vec<_> = files.iter().map(|f| table_dir.join(f)).collect();
    let uploaded = super::remote::upload(&paths)?;
    block_on(async {
        CreateBuilder::new()
            .with_location(url.as_str())
            .with_table_name(name)
            .with_columns(schema.fields().cloned())
            .with_configuration(props)
            // Our own properties (datastroom.*) are not Delta's: allowed, not checked.
            .with_raise_if_key_not_exists(false)
            .with_actions(adds)
            .with_commit_properties(commit)
            .await
    })?
    .map_err(|e| {
        remove_uploads(&e, table_dir, 0, &info, &uploaded);
        conflict(e)
    })?;
    Ok(())
}

/// Whether a commit failed because another writer took its version.
fn lost_race(e: &DeltaTableError) -> bool {
    use deltalake_core::kernel::transaction::TransactionError;
    matches!(
        e,
        DeltaTableError::VersionAlreadyExists(_)
            | DeltaTableError::Transaction {
                source: TransactionError::CommitConflict(_)
                    | TransactionError::MaxCommitAttempts(_)
                    | TransactionError::VersionAlreadyExists(_)
            }
    )
}

/// A commit that lost to another writer says so, and that nothing of it was saved.
fn conflict(e: DeltaTableError) -> anyhow::Error {
    if lost_race(&e) {
        anyhow::Error::new(e).context(
            "another writer changed this table at the same moment; nothing of this run was \
             saved. Run it again",
        )
    } else {
        anyhow::Error::new(e)
    }
}
