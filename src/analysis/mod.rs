//! The analyses: pure functions over frames and typed settings, no terminal and no files.
//! The subcommands in `cmd/` and the reports compose them.

pub mod caseflow;
pub mod ears;
pub mod farrington;
pub mod inhuur;
pub mod peaks;
pub mod renewals;
pub mod survival;
