//! Files written so that a crash never leaves half of one: a synced temporary file next to the
//! target, renamed into place, the folder synced. The warehouse, reports, exports and every
//! --output use these; Parquet files too.

use anyhow::{Context, Result};
use polars::io::utils::sync_on_close::SyncOnCloseType;
use polars::prelude::*;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Creates a folder and syncs its parent, so the folder survives a power cut as the files
/// that the catalog will list in it do.
pub fn create_dir_synced(dir: &Path) -> Result<()> {
    if !dir.exists() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        if let Some(parent) = dir.parent()
            && let Ok(d) = File::open(parent)
        {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// Writes bytes to `path` via a synced temporary file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = tmp_path(path);
    {
        let mut f =
            File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    publish(&tmp, path)
}

/// `x.parquet` -> `x.parquet.tmp`.
pub fn tmp_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".tmp");
    PathBuf::from(s)
}

/// Renames a synced temporary file into place and syncs the folder, so the rename survives a
/// power cut.
/// On Windows a file that another program has open (a workbook in Excel) cannot be replaced:
/// the message says so, and the temporary file goes.
pub fn publish(tmp: &Path, path: &Path) -> Result<()> {
    if let Err(e) = std::fs::rename(tmp, path) {
        let _ = std::fs::remove_file(tmp);
        let hint = if cfg!(windows) || e.kind() == std::io::ErrorKind::PermissionDenied {
            "; if it is open in Excel or another program, close it and run the command again"
        } else {
            ""
        };
        return Err(
            anyhow::Error::new(e).context(format!("cannot replace {}{hint}", path.display()))
        );
    }
    if let Some(parent) = path.parent()
        && let Ok(d) = File::open(parent)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The buffer between polars' Parquet writer and a file: polars writes a page's header a
/// byte at a time (thrift's compact protocol), a system call each when unbuffered.
pub const WRITE_BUFFER: usize = 256 * 1024;

/// Writes a frame to Parquet atomically (temporary file, sync, rename).
pub fn write_parquet_atomic(df: &mut DataFrame, path: &Path) -> Result<()> {
    let tmp = tmp_path(path);
    {
        let f = File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
        // Buffered (see `WRITE_BUFFER`); `finish` flushes it before the sync.
        ParquetWriter::new(std::io::BufWriter::with_capacity(WRITE_BUFFER, &f))
            .finish(df)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("writing {}", tmp.display()))?;
        f.sync_all()?;
    }
    publish(&tmp, path)
}

/// Parquet compression for every file we write: zstd at level 1 compresses nearly as well as
/// polars' default (level 3) and takes a fraction of the time, which is most of an ingest's
/// writing cost (docs/performance.md).
pub fn compression() -> ParquetCompression {
    ParquetCompression::Zstd(polars::polars_utils::compression::ZstdLevel::try_new(1).ok())
}

/// Streams a lazy frame into a Parquet file atomically.
pub fn sink_parquet_atomic(lf: LazyFrame, path: &Path) -> Result<()> {
    let tmp = tmp_path(path);
    let target = SinkTarget::Path(PlRefPath::new(tmp.to_string_lossy()));
    lf.sink(
        SinkDestination::File { target },
        FileWriteFormat::Parquet(Arc::new(ParquetWriteOptions {
            compression: compression(),
            ..Default::default()
        })),
        UnifiedSinkArgs {
            sync_on_close: SyncOnCloseType::All,
            ..Default::default()
        },
    )?
    .collect()
    .map_err(anyhow::Error::from)
    .with_context(|| format!("writing {}", tmp.display()))?;
    publish(&tmp, path)
}
