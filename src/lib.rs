//! datastroom as a library: every module of the command line tool, so that fuzz targets
//! (`fuzz/`) and the binary (`src/main.rs`) share one build. The command line is the product;
//! this is not a stable API.

pub mod analysis;
#[cfg(test)]
mod architecture;
pub mod cli;
pub mod cmd;
pub mod context;
pub mod dashboard;
pub mod dates;
pub mod figures;
pub mod fsio;
pub mod fuzz;
pub mod ingest;
pub mod lang;
pub mod messages;
pub mod render;
pub mod report;
pub mod schema;
pub mod source;
pub mod sqlguard;
pub mod warehouse;
