//! Batches of parsed rows, and the thread that compresses and writes them to the staging
//! Parquet files while the next rows are parsed.

use super::*;
use std::sync::mpsc::SyncSender;
use std::thread::JoinHandle;
use warehouse::stats::{Gathered, Gatherer};

/// The rows parsed but not yet written, as one column builder per parser and their positions.
pub(super) struct Batch {
    builders: Vec<Builder>,
    pub(super) positions: Vec<u64>,
    /// Rows a batch holds: the room the builders keep between batches.
    rows: usize,
}

/// The thread that compresses and writes the batches to the staging file, while the next rows
/// are parsed.
pub(super) struct StagingWriter {
    sender: Option<SyncSender<DataFrame>>,
    thread: Option<JoinHandle<Result<Vec<Written>>>>,
    /// The files written and their statistics, once the thread has finished.
    pub(super) files: Vec<Written>,
}

/// How many rows a data file holds at most (`DATASTROOM_FILE_ROWS` changes it, for tests and
/// tuning): an upsert rewrites only the files that hold a key it replaces, so smaller files
/// make smaller rewrites, and more files in the table's log (docs/warehouse.md).
pub fn file_rows() -> usize {
    std::env::var("DATASTROOM_FILE_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(1_000_000)
}

/// A staging file written, with the statistics of its rows.
type Written = (PathBuf, Gathered);

/// A staging file being written: its writer, and the statistics of what went into it.
struct StagingFile {
    path: PathBuf,
    writer: pages::PagesWriter<std::io::BufWriter<std::fs::File>>,
    stats: Gatherer,
}

impl StagingFile {
    fn write(&mut self, df: &DataFrame) -> Result<()> {
        self.writer.write(df)?;
        self.stats.add(df)
    }

    fn finish(mut self) -> Result<Written> {
        self.writer.finish()?;
        Ok((self.path, self.stats.finish()?))
    }
}

/// The writing thread: the batches into staging files of at most [`file_rows`] rows each
/// (`open(k)` makes the k-th).
fn write_files(
    batches: std::sync::mpsc::Receiver<DataFrame>,
    first: StagingFile,
    open: impl Fn(usize) -> Result<StagingFile>,
) -> Result<Vec<Written>> {
    let limit = file_rows();
    let mut done = Vec::new();
    let mut file = first;
    let mut rows = 0;
    for mut df in batches {
        while rows + df.height() > limit {
            let head = df.slice(0, limit - rows);
            df = df.slice(i64::try_from(head.height())?, df.height() - head.height());
            if head.height() > 0 {
                file.write(&head)?;
            }
            let next = open(done.len() + 1)?;
            done.push(std::mem::replace(&mut file, next).finish()?);
            rows = 0;
        }
        rows += df.height();
        file.write(&df)?;
    }
    done.push(file.finish()?);
    Ok(done)
}

impl Batch {
    pub(super) fn new(parsers: &[ColumnParser], rows: usize) -> Batch {
        Batch {
            builders: parsers
                .iter()
                .map(|p| Builder::new(p.plan.kind, rows))
                .collect(),
            positions: Vec::with_capacity(rows),
            rows,
        }
    }

    /// Adds the values of accepted rows to the builders, a column per core.
    pub(super) fn push(&mut self, accepted: &[&[Cell]]) {
        use rayon::prelude::*;
        self.builders
            .par_iter_mut()
            .enumerate()
            .for_each(|(j, b)| b.extend(accepted, j));
    }

    /// Empties the batch into a frame, with the technical columns (ingest `id`, positions);
    /// `None` when it holds no rows.
    pub(super) fn take(&mut self, parsers: &[ColumnParser], id: u64) -> Result<Option<DataFrame>> {
        if self.positions.is_empty() {
            return Ok(None);
        }
        let mut columns: Vec<Column> = self
            .builders
            .iter_mut()
            .zip(parsers)
            .map(|(b, p)| b.take(&p.plan.name, self.rows))
            .collect();
        let n = self.positions.len();
        // Stored as Int64: Delta tables have no unsigned integers.
        let id = i64::try_from(id)?;
        let positions: Vec<i64> = self
            .positions
            .iter()
            .map(|p| i64::try_from(*p).unwrap_or(i64::MAX))
            .collect();
        self.positions.clear();
        columns.push(Column::new(COL_INGEST.into(), vec![id; n]));
        columns.push(Column::new(COL_POS.into(), positions));
        Ok(Some(DataFrame::new_infer_height(columns)?))
    }
}

impl StagingWriter {
    /// Creates the staging file, a column per parser and the technical columns, and starts the
    /// thread that writes it: `path`, and after every [`file_rows`] rows a next file
    /// (`staged-0001.parquet`, ...). The statistics of `stats_columns` are gathered for each
    /// file as it is written.
    pub(super) fn start(
        path: &Path,
        parsers: &[ColumnParser],
        stats_columns: Vec<String>,
    ) -> Result<StagingWriter> {
        let mut fields: Vec<Field> = parsers
            .iter()
            .map(|p| Field::new(p.plan.name.as_str().into(), p.plan.kind.dtype()))
            .collect();
        fields.push(Field::new(COL_INGEST.into(), DataType::Int64));
        fields.push(Field::new(COL_POS.into(), DataType::Int64));
        let schema = Schema::from_iter(fields);
        let first = path.to_path_buf();
        let open = move |k: usize| -> Result<StagingFile> {
            let p = if k == 0 {
                first.clone()
            } else {
                let stem = first.file_stem().unwrap_or_default().to_string_lossy();
                first.with_file_name(format!("{stem}-{k:04}.parquet"))
            };
            let f = std::fs::File::create(&p)
                .with_context(|| format!("cannot write {}", p.display()))?;
            // Buffered (400,000 system calls for 10M narrow rows without); the footer flushes
            // the buffer and returns its error, if any.
            let writer = pages::PagesWriter::new(
                std::io::BufWriter::with_capacity(crate::fsio::WRITE_BUFFER, f),
                &schema,
                warehouse::compression().into(),
            )?;
            let stats = Gatherer::new(&schema, &stats_columns);
            Ok(StagingFile {
                path: p,
                writer,
                stats,
            })
        };
        let file0 = open(0)?;
        let (sender, batches) = std::sync::mpsc::sync_channel::<DataFrame>(2);
        let thread = std::thread::spawn(move || write_files(batches, file0, open));
        Ok(StagingWriter {
            sender: Some(sender),
            thread: Some(thread),
            files: Vec::new(),
        })
    }

    /// Hands a batch to the writing thread; if that stopped, its error.
    pub(super) fn send(&mut self, df: DataFrame) -> Result<()> {
        let sent = self.sender.as_ref().is_some_and(|w| w.send(df).is_ok());
        if !sent {
            // The writing thread stopped: its error says why.
            return self
                .join()
                .and_then(|()| bail!("the staging writer stopped early"));
        }
        Ok(())
    }

    /// Closes the batch channel and waits for the writing thread; its error, if any.
    pub(super) fn join(&mut self) -> Result<()> {
        self.sender = None;
        match self.thread.take().map(JoinHandle::join) {
            None => Ok(()),
            Some(Ok(Ok(files))) => {
                self.files = files;
                Ok(())
            }
            Some(Ok(Err(e))) => Err(e.context("writing the staging file")),
            Some(Err(_)) => bail!("the thread writing the staging file stopped unexpectedly"),
        }
    }
}
