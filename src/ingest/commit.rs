//! Turning a staged file into a committed ingest: the new dataset part (append, replace, or
//! an upsert merged with the dataset), the rejects file, and last the catalog.

use super::loader::Staged;
use super::upsert::{
    Dataset, NextPart, UpsertCounts, count_rows, replace_matching, with_key_columns,
};
use super::*;
use crate::warehouse::stats::Gathered;

/// Removes the rejects of ingests from before `cutoff` (their rows are as old as the records
/// the retention removes); how many rejected rows went.
fn expire_rejects(entry: &mut DatasetEntry, cutoff: chrono::NaiveDate) -> u64 {
    let old_ingests: Vec<&IngestEntry> = entry
        .ingests
        .iter()
        .filter(|i| {
            chrono::DateTime::parse_from_rfc3339(&i.time).is_ok_and(|t| t.date_naive() < cutoff)
        })
        .collect();
    let mut removed = 0;
    entry.reject_files.retain(|f| {
        let id = warehouse::file_ingest_id(Path::new(f));
        let old = old_ingests.iter().find(|i| id == Some(i.id));
        if let Some(i) = old {
            removed += i.rows_rejected;
        }
        old.is_none()
    });
    entry.rejected_rows = entry.rejected_rows.saturating_sub(removed);
    removed
}

/// Everything needed to turn a staged file into a committed ingest.
pub(super) struct Commit<'a> {
    pub(super) dir: &'a Path,
    pub(super) id: u64,
    pub(super) name: &'a str,
    pub(super) def: Option<&'static schema::Dataset>,
    pub(super) file: &'a Path,
    pub(super) fp: &'a source::Fingerprint,
    pub(super) sha256: String,
    pub(super) src: &'a Source,
    pub(super) plan: &'a Plan,
    pub(super) staged: Staged,
    pub(super) blank: u64,
    pub(super) opts: &'a Options,
}

impl Commit<'_> {
    fn mode(&self) -> Mode {
        self.opts.mode.unwrap_or(if self.plan.key.is_some() {
            Mode::Upsert
        } else {
            Mode::Append
        })
    }

    fn key_name(&self) -> Option<String> {
        self.plan.key.map(|k| self.plan.columns[k].name.clone())
    }

    /// The accepted rows of this file, with the technical columns.
    fn new_rows(&self) -> Result<LazyFrame> {
        Ok(self.without_evicted(self.staged.scan()?))
    }

    /// Leaves out the rows taken out again for a conflicting key.
    fn without_evicted(&self, lf: LazyFrame) -> LazyFrame {
        let evict: Vec<i64> = self
            .staged
            .evict
            .keys()
            .map(|&p| i64::try_from(p).unwrap_or(i64::MAX))
            .collect();
        if evict.is_empty() {
            lf
        } else {
            let list = Series::new("evict".into(), evict);
            lf.filter(col(COL_POS).is_in(lit(list).implode(false), false).not())
        }
    }

    /// The rejects of this file, including rows taken out again for a conflicting key.
    fn all_rejects(&self) -> Vec<Reject> {
        let mut rejects = self.staged.rejects.clone();
        let key_header = self
            .plan
            .key
            .map(|k| self.plan.columns[k].header.clone())
            .unwrap_or_default();
        for (pos, reason) in &self.staged.evict {
            rejects.push(Reject {
                ingest_id: self.id,
                source: self.file.display().to_string(),
                pos: *pos,
                column: key_header.clone(),
                value: String::new(),
                reason: reason.clone(),
                row: String::new(),
            });
        }
        rejects.sort_by_key(|r| r.pos);
        rejects
    }

    /// The columns an upsert matches rows on: the key, and the municipality when both the
    /// dataset and this export have one (two municipalities may number their cases alike).
    fn join_keys(&self, existing: &DatasetEntry) -> Option<Vec<String>> {
        let key = self.key_name()?;
        let mut keys = vec![key];
        if existing.columns.iter().any(|c| c.name == "gemeente")
            || self.plan.columns.iter().any(|c| c.name == "gemeente")
        {
            keys.insert(0, "gemeente".to_string());
        }
        Some(keys)
    }

    /// The dataset as an upsert meets it (`None` without a key).
    fn dataset<'e>(
        &'e self,
        entry: &'e DatasetEntry,
        version: Option<u64>,
        keys: &'e [String],
    ) -> Dataset<'e> {
        Dataset {
            dir: self.dir,
            name: self.name,
            entry,
            version,
            keys,
        }
    }

    /// How an upsert meets the dataset: old rows it replaces, and new rows whose key existed.
    fn upsert_counts(
        &self,
        existing: &DatasetEntry,
        version: Option<u64>,
        new: LazyFrame,
    ) -> Result<UpsertCounts> {
        let Some(keys) = self.join_keys(existing) else {
            return Ok(UpsertCounts::default());
        };
        if existing.files.is_empty() {
            return Ok(UpsertCounts::default());
        }
        self.dataset(existing, version, &keys).counts(new)
    }

    pub(super) fn preview(self, catalog: &Catalog) -> Result<Summary> {
        let mode = self.mode();
        let counts = match catalog.datasets.get(self.name) {
            Some(e) if mode == Mode::Upsert => {
                let version = catalog.versions.get(self.name).copied();
                self.upsert_counts(e, version, self.new_rows()?)?
            }
            _ => UpsertCounts::default(),
        };
        let replaced = counts.new_matched;
        let old = catalog.datasets.get(self.name).map_or(0, |d| d.rows);
        let accepted = self.staged.accepted();
        let total = match mode {
            Mode::Replace => accepted,
            Mode::Append => old + accepted,
            Mode::Upsert => (old + accepted).saturating_sub(counts.old_removed),
        };
        let mode_name = mode.name();
        crate::messages::info(match crate::messages::lang() {
            crate::lang::Lang::Nl => format!(
                "proefdraai (--dry-run): {mode_name} zou {accepted} rijen toevoegen of vervangen; \
                 er is niets geschreven"
            ),
            crate::lang::Lang::En => format!(
                "dry run (--dry-run): {mode_name} would add or replace {accepted} rows; nothing \
                 was written"
            ),
        });
        Ok(self.summary(
            Status::DryRun,
            accepted.saturating_sub(replaced),
            replaced,
            total,
        ))
    }

    fn summary(&self, status: Status, new: u64, replaced: u64, total: u64) -> Summary {
        Summary {
            file: self.file.to_path_buf(),
            dataset: self.name.to_string(),
            status,
            read: self.staged.read,
            accepted: self.staged.accepted(),
            rejected: self.staged.rejected(),
            blank: self.blank,
            lines: (self.src.settings.format == "csv").then_some(self.fp.lines),
            masked: self.staged.masked.iter().map(|(_, m)| m.total()).sum(),
            footer: self.staged.footers.len() as u64,
            new,
            replaced,
            total_rows: total,
        }
    }

    /// Commits, and on an error removes this ingest's part and rejects file again (their
    /// number was never committed), so that no reader globbing the folder sees them.
    pub(super) fn apply(self, guard: &mut WriteGuard) -> Result<Summary> {
        let rejects = self
            .dir
            .join(warehouse::REJECTS_DIR)
            .join(self.name)
            .join(rejects_name(self.id));
        let (dir, id) = (self.dir.join(self.name), self.id);
        let result = self.apply_inner(guard);
        // Only when the commit did not land (should the error have come after it, the files
        // are the table's; when the table cannot be read, the next ingest's clean-up decides).
        if result.is_err() && matches!(warehouse::delta::has_ingest(&dir, id), Ok(false)) {
            remove_parts(&dir, id);
            let _ = std::fs::remove_file(rejects);
        }
        result
    }

    /// Writes the dataset's new part, then the rejects file, and last the catalog that makes
    /// them part of the dataset (the order keeps a crash from damaging the warehouse).
    fn apply_inner(self, guard: &mut WriteGuard) -> Result<Summary> {
        let mode = self.mode();
        let mut catalog = guard.catalog.clone();
        let entry = catalog
            .datasets
            .entry(self.name.to_string())
            .or_insert_with(|| self.new_entry());
        merge_columns(&mut entry.columns, &self.staged.schema);
        let retention = self.retention(entry)?;
        let version = guard.catalog.versions.get(self.name).copied();
        let written = self.write_part(entry, version, mode, retention.as_ref())?;
        warehouse::crash_point("part-written");
        if let Some(rel) = self.write_rejects()? {
            entry.reject_files.push(rel);
        }
        entry.files = written.files;
        entry.rows = written.rows;
        let written_stats = written.stats;
        entry.rejected_rows += self.staged.rejected();
        let mut lineage = self.lineage(mode, written.replaced);
        if let Some(r) = &retention {
            lineage.retention = Some(r.apply(entry, written.removed));
        }
        if let Some(doel) = &self.opts.mapping.doel {
            entry.doel = Some(doel.clone());
        }
        let purge = lineage
            .retention
            .as_ref()
            .is_some_and(|r| r.rijen_verwijderd > 0 || r.afgekeurde_rijen_verwijderd > 0);
        entry.ingests.push(lineage);
        catalog.next_ingest = self.id + 1;
        if let Some(fingerprint) = self.key_fingerprint() {
            catalog.key_fingerprint = Some(fingerprint);
        }
        guard.commit(catalog, &written_stats)?;
        if purge {
            self.purge_history();
            // The vacuum's own commits are versions too: the next file of this command builds
            // on the newest.
            let table = self.dir.join(self.name);
            if let Ok(v) = warehouse::delta::newest_version(&table) {
                guard.catalog.versions.insert(self.name.to_string(), v);
            }
        }
        let accepted = self.staged.accepted();
        Ok(self.summary(
            Status::Ingested,
            accepted.saturating_sub(written.replaced),
            written.replaced,
            written.rows,
        ))
    }

    /// Records past the retention are in every older version of the table: their files go
    /// now, not at the next `datasets vacuum` (the dataset's history before this ingest can no
    /// longer be read; docs/privacy.md).
    fn purge_history(&self) {
        let zero = chrono::Duration::zero();
        if let Err(e) = warehouse::delta::vacuum(self.dir, self.name, zero, false) {
            let name = self.name;
            crate::messages::warn(
                format!(
                    "de bewaartermijn is toegepast, maar de bestanden van eerdere versies van \
                     '{name}' zijn niet verwijderd ({e:#}); voer `datastroom datasets vacuum \
                     {name} --keep 0d` uit"
                ),
                format!(
                    "the retention is applied, but the files of earlier versions of '{name}' \
                     were not removed ({e:#}); run `datastroom datasets vacuum {name} --keep 0d`"
                ),
            );
        }
    }

    /// The catalog entry of a dataset this ingest starts.
    fn new_entry(&self) -> DatasetEntry {
        DatasetEntry::empty(self.def.is_some(), self.key_name())
    }

    /// The fingerprint of the key, for the catalog, when this ingest pseudonymised a column.
    fn key_fingerprint(&self) -> Option<String> {
        let p = self.opts.pseudo.as_ref()?;
        self.staged
            .schema
            .iter()
            .any(|(_, _, pr)| *pr == Privacy::Pseudonymised)
            .then(|| p.fingerprint())
    }

    /// The retention that applies: this ingest's plan or mapping, else what the dataset has.
    fn retention(&self, entry: &DatasetEntry) -> Result<Option<Retention>> {
        let m = &self.opts.mapping;
        let (period, column) = match (&m.bewaartermijn, &entry.bewaartermijn) {
            (Some(p), _) => (p.clone(), m.bewaartermijn_vanaf.clone()),
            (None, Some(r)) => (r.termijn.clone(), Some(r.vanaf.clone())),
            (None, None) => return Ok(None),
        };
        let period = retention::Period::parse(&period)?;
        let Some(column) =
            column.or_else(|| retention::default_column(self.name).map(String::from))
        else {
            bail!(
                "bewaartermijn for '{}': name the date it counts from with bewaartermijn_vanaf = \
                 \"<date column>\" (a dataset of your own has no default)",
                self.name
            );
        };
        let is_date = entry.columns.iter().any(|c| {
            c.name == column && matches!(c.kind, schema::Kind::Date | schema::Kind::Datetime)
        });
        if !is_date {
            bail!(
                "bewaartermijn_vanaf = \"{column}\" is not a date column of '{}'",
                self.name
            );
        }
        let today = chrono::Local::now().date_naive();
        Ok(Some(Retention {
            period,
            cutoff: period.cutoff(today),
            column,
        }))
    }

    /// Writes the dataset's new part: the staged file itself when nothing has to be merged or
    /// taken out, else a merge streamed to Parquet. With a retention period the whole dataset
    /// is written anew without the records older than it.
    fn write_part(
        &self,
        entry: &DatasetEntry,
        version: Option<u64>,
        mode: Mode,
        retention: Option<&Retention>,
    ) -> Result<Written> {
        crate::fsio::create_dir_synced(&self.dir.join(self.name))?;
        let mut parts = Parts {
            dir: self.dir,
            name: self.name,
            id: self.id,
            next: 0,
        };
        match retention {
            Some(r) => self.write_kept(entry, version, mode, r, &mut parts),
            None => self.write_merged(entry, version, mode, &mut parts),
        }
    }

    /// The upsert counts of this ingest; none for an append or a replace.
    fn counts(
        &self,
        entry: &DatasetEntry,
        version: Option<u64>,
        mode: Mode,
        new: &LazyFrame,
    ) -> Result<UpsertCounts> {
        if mode == Mode::Upsert {
            self.upsert_counts(entry, version, new.clone())
        } else {
            Ok(UpsertCounts::default())
        }
    }

    /// The whole dataset after this ingest in one part, without records dated before the
    /// retention's cutoff in its column (records without that date are kept: still open).
    fn write_kept(
        &self,
        entry: &DatasetEntry,
        version: Option<u64>,
        mode: Mode,
        retention: &Retention,
        parts: &mut Parts,
    ) -> Result<Written> {
        let (column, cutoff) = (&retention.column, retention.cutoff);
        let new = self.new_rows()?;
        let counts = self.counts(entry, version, mode, &new)?;
        let all = self.with_old_rows(entry, mode, new)?;
        let all = with_key_columns(all, std::slice::from_ref(column))?;
        let date = col(column.as_str()).cast(DataType::Date);
        let kept = all
            .clone()
            .filter(date.clone().is_null().or(date.gt_eq(lit(cutoff))));
        let before = count_rows(all)?;
        let after = count_rows(kept.clone())?;
        let (part_rel, part) = parts.next_part();
        warehouse::sink_parquet_atomic(kept, &part)?;
        Ok(Written {
            files: vec![part_rel],
            rows: after,
            replaced: counts.new_matched,
            removed: before - after,
            stats: HashMap::new(),
        })
    }

    /// The dataset's rows (none for a replace) followed by the new ones; an upsert leaves out
    /// the old rows that a new row replaces.
    fn with_old_rows(&self, entry: &DatasetEntry, mode: Mode, new: LazyFrame) -> Result<LazyFrame> {
        if entry.files.is_empty() || mode == Mode::Replace {
            return Ok(new);
        }
        let old = warehouse::scan_files(self.dir, &entry.files)?;
        if mode == Mode::Upsert {
            let keys = self
                .join_keys(entry)
                .context("upsert needs a key column; use --mode append")?;
            return replace_matching(old, new, &keys);
        }
        Ok(concat_lf_diagonal([old, new], UnionArgs::default())?)
    }

    /// The dataset's files without a retention period: the staged files themselves (renamed)
    /// and, for an upsert, the files that held a replaced key written anew; nothing when no row
    /// was accepted (except for a replace, which empties the dataset).
    fn write_merged(
        &self,
        entry: &DatasetEntry,
        version: Option<u64>,
        mode: Mode,
        parts: &mut Parts,
    ) -> Result<Written> {
        let accepted = self.staged.accepted();
        if accepted == 0 && mode != Mode::Replace {
            return Ok(Written::unchanged(entry));
        }
        let merged = match mode {
            Mode::Replace => upsert::Merged::default(),
            Mode::Append => upsert::Merged {
                kept: entry.files.clone(),
                ..Default::default()
            },
            Mode::Upsert if entry.files.is_empty() => upsert::Merged::default(),
            Mode::Upsert => {
                let keys = self
                    .join_keys(entry)
                    .context("upsert needs a key column; use --mode append")?;
                self.dataset(entry, version, &keys)
                    .merge(self.new_rows()?, parts)?
            }
        };
        let mut files = merged.kept;
        files.extend(merged.rewritten);
        let (published, stats) = self.publish_staged(parts)?;
        files.extend(published);
        let rows = match mode {
            Mode::Replace => accepted,
            Mode::Append | Mode::Upsert => {
                (entry.rows + accepted).saturating_sub(merged.counts.old_removed)
            }
        };
        Ok(Written {
            files,
            rows,
            replaced: merged.counts.new_matched,
            removed: 0,
            stats,
        })
    }

    /// The staged files as data files of the dataset: renamed (with the statistics gathered
    /// while they were written), or without the rows taken out for a conflicting key.
    fn publish_staged(
        &self,
        parts: &mut Parts,
    ) -> Result<(Vec<String>, HashMap<String, Gathered>)> {
        let mut out = Vec::new();
        let mut stats = HashMap::new();
        for (i, path) in self.staged.paths.iter().enumerate() {
            let (rel, part) = parts.next_part();
            if self.staged.evict.is_empty() {
                crate::fsio::publish(path, &part)?;
                if let Some(gathered) = self.staged.stats.get(i) {
                    stats.insert(rel.clone(), gathered.clone());
                }
            } else {
                let lf = LazyFrame::scan_parquet(
                    PlRefPath::new(path.to_string_lossy()),
                    ScanArgsParquet::default(),
                )?;
                warehouse::sink_parquet_atomic(self.without_evicted(lf), &part)?;
            }
            out.push(rel);
        }
        Ok((out, stats))
    }

    /// Writes this ingest's rejects file, if it rejected rows; its path in the warehouse.
    fn write_rejects(&self) -> Result<Option<String>> {
        let rejects = self.all_rejects();
        if rejects.is_empty() {
            return Ok(None);
        }
        let rel = format!(
            "{}/{}/{}",
            warehouse::REJECTS_DIR,
            self.name,
            rejects_name(self.id)
        );
        let path = self.dir.join(&rel);
        crate::fsio::create_dir_synced(&self.dir.join(warehouse::REJECTS_DIR))?;
        crate::fsio::create_dir_synced(path.parent().expect("rejects folder"))?;
        warehouse::write_parquet_atomic(&mut warehouse::rejects_frame(rejects)?, &path)?;
        Ok(Some(rel))
    }

    fn lineage(&self, mode: Mode, replaced: u64) -> IngestEntry {
        // The absolute path as people write it (no `\\?\` prefix as canonicalize gives on
        // Windows); `-` for standard input.
        let source = if crate::source::stdin::is_dash(self.file) {
            self.file.to_path_buf()
        } else {
            std::path::absolute(self.file).unwrap_or_else(|_| self.file.to_path_buf())
        };
        IngestEntry {
            id: self.id,
            time: chrono::Local::now()
                .format("%Y-%m-%dT%H:%M:%S%:z")
                .to_string(),
            source: source.display().to_string(),
            sha256: self.sha256.clone(),
            size: self.fp.size,
            mode: mode.name().to_string(),
            settings: self.src.settings.clone(),
            rows_read: self.staged.read,
            rows_accepted: self.staged.accepted(),
            rows_rejected: self.staged.rejected(),
            blank_rows: self.blank,
            footer_rows: self.staged.footers.len() as u64,
            lines: (self.src.settings.format == "csv").then_some(self.fp.lines),
            rows_new: self.staged.accepted().saturating_sub(replaced),
            rows_replaced: replaced,
            dropped_columns: self.plan.dropped.clone(),
            masked: self.staged.masked.iter().cloned().collect(),
            retention: None,
            pseudonymised_columns: self
                .plan
                .columns
                .iter()
                .filter(|c| c.privacy == Privacy::Pseudonymised)
                .map(|c| c.header.clone())
                .collect(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// A retention period as this ingest applies it: counted from `column`, records dated before
/// `cutoff` are removed.
struct Retention {
    period: retention::Period,
    column: String,
    cutoff: chrono::NaiveDate,
}

impl Retention {
    /// Records the retention in the dataset's entry after its part is written (`removed`
    /// records went): the rejects of older ingests go too, and what went is said. What the
    /// lineage keeps of it.
    fn apply(&self, entry: &mut DatasetEntry, removed: u64) -> warehouse::RetentionApplied {
        let (period, column, cutoff) = (self.period, &self.column, self.cutoff);
        let rejects_removed = expire_rejects(entry, cutoff);
        entry.bewaartermijn = Some(warehouse::RetentionEntry {
            termijn: period.describe(),
            vanaf: column.clone(),
        });
        if removed > 0 || rejects_removed > 0 {
            crate::messages::info(format!(
                "bewaartermijn {} (vanaf {column}): {removed} rijen en {rejects_removed} \
                 afgekeurde rijen van voor {cutoff} verwijderd",
                period.describe()
            ));
        }
        warehouse::RetentionApplied {
            grens: cutoff.to_string(),
            rijen_verwijderd: removed,
            afgekeurde_rijen_verwijderd: rejects_removed,
        }
    }
}

/// The dataset after a part is written: its files and rows, how many new rows replaced older
/// versions, and how many records the retention removed.
struct Written {
    files: Vec<String>,
    rows: u64,
    replaced: u64,
    removed: u64,
    /// The statistics of new files gathered while they were written, by file.
    stats: HashMap<String, Gathered>,
}

impl Written {
    /// The dataset as it was: no part written.
    fn unchanged(entry: &DatasetEntry) -> Written {
        Written {
            files: entry.files.clone(),
            rows: entry.rows,
            replaced: 0,
            removed: 0,
            stats: HashMap::new(),
        }
    }
}

/// The name of an ingest's rejects file: `rejects-<ingest>.parquet` (in object storage with
/// the run's tag, [`warehouse::remote::file_tag`]).
fn rejects_name(id: u64) -> String {
    format!("rejects-{id:06}{}.parquet", warehouse::remote::file_tag())
}

/// Numbers the data files an ingest writes: `<dataset>/part-<ingest>-<k>.parquet` (in object
/// storage with the run's tag, [`warehouse::remote::file_tag`]).
struct Parts<'a> {
    dir: &'a Path,
    name: &'a str,
    id: u64,
    next: usize,
}

impl NextPart for Parts<'_> {
    fn next_part(&mut self) -> (String, PathBuf) {
        let rel = format!(
            "{}/part-{:06}-{:04}{}.parquet",
            self.name,
            self.id,
            self.next,
            warehouse::remote::file_tag()
        );
        self.next += 1;
        let path = self.dir.join(&rel);
        (rel, path)
    }
}

/// Removes the data files of ingest `id` from a dataset's folder (after an error, when its
/// commit did not land).
fn remove_parts(folder: &Path, id: u64) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for path in entries.flatten().map(|e| e.path()) {
        let ours = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("part-"));
        if ours && warehouse::file_ingest_id(&path) == Some(id) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Adds columns seen for the first time to the dataset's column list.
fn merge_columns(columns: &mut Vec<ColumnEntry>, schema: &[(String, schema::Kind, Privacy)]) {
    for (name, kind, privacy) in schema {
        if !columns.iter().any(|c| &c.name == name) {
            columns.push(ColumnEntry {
                name: name.clone(),
                kind: *kind,
                privacy: *privacy,
            });
        }
    }
}
