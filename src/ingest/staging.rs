//! Batches of parsed rows, and the thread that compresses and writes them to the staging
//! Parquet files while the next rows are parsed.

use super::*;
use std::sync::mpsc::SyncSender;
use std::thread::JoinHandle;

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
    thread: Option<JoinHandle<Result<Vec<PathBuf>>>>,
    /// The files written, once the thread has finished.
    pub(super) paths: Vec<PathBuf>,
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
    /// (`staged-0001.parquet`, ...).
    pub(super) fn start(path: &Path, parsers: &[ColumnParser]) -> Result<StagingWriter> {
        let mut fields: Vec<Field> = parsers
            .iter()
            .map(|p| Field::new(p.plan.name.as_str().into(), p.plan.kind.dtype()))
            .collect();
        fields.push(Field::new(COL_INGEST.into(), DataType::Int64));
        fields.push(Field::new(COL_POS.into(), DataType::Int64));
        let schema = Schema::from_iter(fields);
        let limit = file_rows();
        let first = path.to_path_buf();
        let open = move |k: usize| -> Result<(
            PathBuf,
            polars::io::parquet::write::BatchedWriter<std::io::BufWriter<std::fs::File>>,
        )> {
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
            let w = ParquetWriter::new(std::io::BufWriter::with_capacity(
                crate::fsio::WRITE_BUFFER,
                f,
            ))
            .with_compression(warehouse::compression())
            .batched(&schema)?;
            Ok((p, w))
        };
        let (path0, writer0) = open(0)?;
        let (sender, batches) = std::sync::mpsc::sync_channel::<DataFrame>(2);
        let thread = std::thread::spawn(move || -> Result<Vec<PathBuf>> {
            let mut paths = vec![path0];
            let mut batched = writer0;
            let mut rows = 0;
            for mut df in batches {
                while rows + df.height() > limit {
                    let head = df.slice(0, limit - rows);
                    df = df.slice(i64::try_from(head.height())?, df.height() - head.height());
                    if head.height() > 0 {
                        batched.write_batch(&head)?;
                    }
                    let (p, w) = open(paths.len())?;
                    std::mem::replace(&mut batched, w).finish()?;
                    paths.push(p);
                    rows = 0;
                }
                rows += df.height();
                batched.write_batch(&df)?;
            }
            batched.finish()?;
            Ok(paths)
        });
        Ok(StagingWriter {
            sender: Some(sender),
            thread: Some(thread),
            paths: Vec::new(),
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
            Some(Ok(Ok(paths))) => {
                self.paths = paths;
                Ok(())
            }
            Some(Ok(Err(e))) => Err(e.context("writing the staging file")),
            Some(Err(_)) => bail!("the thread writing the staging file stopped unexpectedly"),
        }
    }
}
