//! The history of a table: its versions (`datasets history`, `--snapshot DATE`) and the
//! removal of the files of old ones (`datasets vacuum`).

use super::{block_on, is_table, open, shown};
use anyhow::{Result, bail};
use deltalake_core::operations::vacuum::VacuumMode;
use std::path::Path;

/// The newest version of a table committed at or before `at` (local time); `None` when the
/// table did not exist yet. The commit times are those datastroom wrote in the log (not the
/// files' modification times, which a copy changes).
pub(super) fn version_at(dir: &Path, at: chrono::NaiveDateTime) -> Result<Option<u64>> {
    use chrono::TimeZone;
    let Some(limit) = chrono::Local
        .from_local_datetime(&at)
        .latest()
        .map(|t| t.timestamp_millis())
    else {
        bail!(
            "--snapshot {at}: that time does not exist here (the clock jumps forward an hour \
             that night); give a time before or after the jump"
        );
    };
    let versions = history_of(dir)?;
    let found = versions
        .iter()
        .filter(|v| !v.operation.starts_with("VACUUM"))
        .find(|v| v.timestamp.is_some_and(|t| t <= limit))
        .map(|v| v.version);
    // Another tool's log cleanup may have removed the first commits (after a checkpoint): the
    // table may have been there, but which version was newest then cannot be told.
    if let (None, Some(earliest)) = (found, versions.last().filter(|v| v.version > 0)) {
        bail!(
            "--snapshot {at}: the oldest version of {} with a commit time is {} (the commits \
             before it were cleaned up by another tool): which version it had then cannot be \
             told; give --snapshot as DATASET=VERSION",
            shown(dir),
            earliest.version
        );
    }
    Ok(found)
}

/// One version of a dataset's table, for `datasets history`.
pub struct VersionInfo {
    pub version: u64,
    /// When it was committed (milliseconds since 1970, UTC).
    pub timestamp: Option<i64>,
    pub operation: String,
    /// The ingest that made it, if one did: its number, source file and mode.
    pub ingest: Option<crate::warehouse::IngestEntry>,
}

/// The versions of a dataset's table, newest first.
pub fn history(dir: &Path, name: &str) -> Result<Vec<VersionInfo>> {
    history_of(&dir.join(name))
}

fn history_of(table_dir: &Path) -> Result<Vec<VersionInfo>> {
    use futures::TryStreamExt;
    block_on(async {
        let table = open(table_dir).await?;
        let latest = table.version().unwrap_or(0);
        let commits: Vec<_> = table.history(None).try_collect().await?;
        let versions = commit_versions(&table).await?;
        // The commit information (newest first) goes with the log's commits in order, which
        // holds only when every commit has it (all that datastroom, Spark and delta-rs write
        // do). Both hold every commit in the log, also one newer than the version read
        // (another writer's, just made), which is left out after. The log may start after
        // version 0: another tool's log cleanup removes the commits before a checkpoint
        // (datastroom's own tables keep them).
        if commits.len() != versions.len() {
            bail!(
                "{} has {} commits in its log but commit information for {}: a writer left it \
                 out. Its versions cannot be dated; give --snapshot as DATASET=VERSION",
                shown(table_dir),
                versions.len(),
                commits.len()
            );
        }
        let mut out = Vec::new();
        for (version, c) in versions.into_iter().zip(commits) {
            if version > latest {
                continue;
            }
            let ingest = c
                .info
                .get("datastroom")
                .and_then(|v| serde_json::from_value(v.clone()).ok());
            out.push(VersionInfo {
                version,
                timestamp: c.timestamp,
                operation: c.operation.unwrap_or_default(),
                ingest,
            });
        }
        Ok(out)
    })?
}

/// The versions whose commit is in the table's log, newest first.
async fn commit_versions(table: &deltalake_core::DeltaTable) -> Result<Vec<u64>> {
    let store = table.log_store().object_store(None);
    let log = object_store::path::Path::from("_delta_log");
    let listed = store.list_with_delimiter(Some(&log)).await?;
    let mut versions: Vec<u64> = listed
        .objects
        .iter()
        .filter_map(|o| o.location.filename()?.strip_suffix(".json")?.parse().ok())
        .collect();
    versions.sort_unstable_by(|a, b| b.cmp(a));
    Ok(versions)
}

/// Removes the files that a dataset (and its rejects) stopped using more than `keep` ago:
/// versions older than that can no longer be read. With `dry_run` nothing is removed. The
/// files removed (or that would be), relative to the warehouse.
pub fn vacuum(
    dir: &Path,
    name: &str,
    keep: chrono::Duration,
    dry_run: bool,
) -> Result<Vec<String>> {
    let mut removed = Vec::new();
    let tables = [
        (dir.join(name), name.to_string()),
        (
            dir.join(crate::warehouse::REJECTS_DIR).join(name),
            format!("{}/{name}", crate::warehouse::REJECTS_DIR),
        ),
    ];
    for (table_dir, rel) in tables {
        if !is_table(&table_dir)? {
            continue;
        }
        let mut files = Vec::new();
        for (mode, keep) in passes(&table_dir, keep) {
            files.extend(block_on(async {
                let table = open(&table_dir).await?;
                let (_, metrics) = table
                    .vacuum()
                    .with_mode(mode)
                    .with_retention_period(keep)
                    .with_enforce_retention_duration(false)
                    .with_dry_run(dry_run)
                    .await?;
                anyhow::Ok(metrics.files_deleted)
            })??);
        }
        removed.extend(files.into_iter().map(|f| {
            let f = f.rsplit('/').next().unwrap_or(&f).to_string();
            format!("{rel}/{f}")
        }));
    }
    removed.sort();
    removed.dedup();
    Ok(removed)
}

/// How vacuum goes over a table. Full: the files that a version stopped using more than `keep`
/// ago, also those whose `remove` a checkpoint has forgotten (after a week), and files no
/// commit ever added. In object storage, where writers share no lock, a file another run has
/// just uploaded for the commit it is about to make is in no version yet: there Full spares
/// files younger than an hour, and a first pass (Lite) takes the files that a commit removed
/// more than `keep` ago, so that `--keep 0d` and the purge after a bewaartermijn still take
/// every file of an older version at once.
fn passes(table_dir: &Path, keep: chrono::Duration) -> Vec<(VacuumMode, chrono::Duration)> {
    if crate::warehouse::remote::is_remote(table_dir) {
        vec![
            (VacuumMode::Lite, keep),
            (VacuumMode::Full, keep.max(chrono::Duration::hours(1))),
        ]
    } else {
        vec![(VacuumMode::Full, keep)]
    }
}
