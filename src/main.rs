//! datastroom: from raw municipal exports to trustworthy steering information.
//!
//! Thin entry point: parse the command line, dispatch, print an error once, map it to an exit
//! code (0 ok, 1 error, 2 usage, 3 finished but rows were rejected).

mod analysis;
mod cli;
mod cmd;
mod ingest;
mod render;
mod report;
mod schema;
mod source;
mod warehouse;

use clap::Parser;
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match &cli.command {
        cli::Command::Ingest(args) => cmd::ingest::run(args, &cli.global),
        cli::Command::Datasets(args) => cmd::datasets::run(args, &cli.global),
        cli::Command::Sql(args) => cmd::sql::run(args, &cli.global),
        cli::Command::Waitlist(args) => cmd::waitlist::run(args, &cli.global),
        cli::Command::Inhuur(args) => cmd::inhuur::run(args, &cli.global),
        cli::Command::Peaks(args) => cmd::peaks::run(args, &cli.global),
        cli::Command::Report(args) => cmd::report::run(args, &cli.global),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("datastroom: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// `datastroom ... | head` closes the pipe early: that is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || e.to_string().contains("Broken pipe")
    })
}
