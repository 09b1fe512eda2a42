//! What every analysis needs to know about the run, below the command line: the warehouse, the
//! as-of date (resolved once), the language, and who the output is for (management, or the
//! council with its smallest publishable count). Built by main from the command line, or by a
//! report for its sections.

use crate::lang::Lang;
use crate::warehouse::Warehouse;
pub use crate::warehouse::delta::Snapshot;
use anyhow::Result;
use chrono::NaiveDate;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Management,
    /// The council (gemeenteraad): counts from 1 to `min_cell - 1` are never published.
    Council {
        min_cell: i64,
    },
}

#[derive(Debug, Clone)]
pub struct Context {
    pub warehouse: PathBuf,
    pub as_of: NaiveDate,
    pub lang: Lang,
    pub audience: Audience,
    /// `--snapshot`: read the tables as they were (`None`: as they are now).
    pub snapshot: Option<Snapshot>,
}

impl Context {
    pub fn new(warehouse: PathBuf, as_of: Option<NaiveDate>, lang: Lang) -> Context {
        Context {
            warehouse,
            as_of: crate::dates::as_of_or_today(as_of),
            lang,
            audience: Audience::Management,
            snapshot: None,
        }
    }

    /// The warehouse to read, as of `--snapshot` (an error when the folder is not one).
    pub fn open(&self) -> Result<Warehouse> {
        Warehouse::open_at(&self.warehouse, self.snapshot.as_ref())
    }

    /// Refuses `--snapshot` for a command that writes: it can only read the past.
    pub fn refuse_snapshot(&self, what: &str) -> Result<()> {
        if self.snapshot.is_some() {
            return Err(UsageError(format!(
                "--snapshot reads the warehouse as it was; {what} changes it. Leave out \
                 --snapshot"
            ))
            .into());
        }
        Ok(())
    }

    /// The smallest count the council may see, for a council report.
    pub fn min_cell(&self) -> Option<i64> {
        match self.audience {
            Audience::Council { min_cell } => Some(min_cell),
            Audience::Management => None,
        }
    }

    /// A count in a note or explanation: as it is, or "<5" when publishing to the council.
    pub fn count_text(&self, n: impl Into<i64>) -> String {
        let n = n.into();
        match self.min_cell() {
            Some(m) if n > 0 && n < m => format!("<{m}"),
            _ => n.to_string(),
        }
    }

    pub fn nl(&self) -> bool {
        self.lang == Lang::Nl
    }
}

/// An error in what the user asked (an option, a spec): the exit code is 2, as for a wrong
/// command line.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Returns early with a usage error (exit code 2).
#[macro_export]
macro_rules! usage {
    ($($arg:tt)*) => {
        return Err(anyhow::Error::new($crate::context::UsageError(format!($($arg)*))))
    };
}
