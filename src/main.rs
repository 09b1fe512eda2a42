//! datastroom: from raw municipal exports to trustworthy steering information.
//!
//! Thin entry point: parse the command line, dispatch, print an error once, map it to an exit
//! code (0 ok, 1 error, 2 usage, 3 finished but rows were rejected).

use clap::Parser;
use datastroom::warehouse::remote;
use datastroom::{cli, cmd, context, lang, messages, render};
use std::process::ExitCode;
use std::sync::Mutex;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let mut cli = cli::Cli::parse();
    messages::init(cli.global.quiet, cli.global.lang);
    // A warehouse in object storage: the run works in a local folder that stands for it,
    // removed when `_attached` goes at the end of main.
    let _attached = match attach(&mut cli.global) {
        Ok(a) => a,
        Err(err) => return fail(&err),
    };
    let (ctx, out) = (cli.global.context(), cli.global.out());
    let result = contain_panics(|| match &cli.command {
        cli::Command::Ingest(args) => cmd::ingest::run(args, &ctx, &out),
        cli::Command::Datasets(args) => cmd::datasets::run(args, &ctx, &out),
        cli::Command::Sql(args) => cmd::sql::run(args, &ctx, &out),
        cli::Command::Waitlist(args) => cmd::waitlist::run(args, &ctx, &out),
        cli::Command::Inhuur(args) => cmd::inhuur::run(args, &ctx, &out),
        cli::Command::Peaks(args) => cmd::peaks::run(args, &ctx, &out),
        cli::Command::Export(args) => cmd::export::run(args, &ctx, &out),
        cli::Command::Report(args) => cmd::report::run(args, &ctx),
        cli::Command::Dashboard(args) => cmd::dashboard::run(args, &ctx),
        cli::Command::Warehouse(args) => cmd::warehouse::run(args, &ctx, &out),
        cli::Command::Completions { shell } => cli::completions(*shell),
        cli::Command::Man => cli::man(),
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => fail(&err),
    }
}

/// `--warehouse s3://...` or `az://...`: connects, and points the run at its working folder.
fn attach(global: &mut cli::Global) -> anyhow::Result<Option<remote::Attached>> {
    let Some(address) = global.warehouse.to_str().filter(|a| remote::is_address(a)) else {
        return Ok(None);
    };
    let (work, attached) = remote::attach(address)?;
    global.warehouse = work;
    Ok(Some(attached))
}

/// Prints the error once and maps it to the exit code.
fn fail(err: &anyhow::Error) -> ExitCode {
    // Messages may quote values from a file: escape sequences are shown, not obeyed.
    let word = match messages::lang() {
        lang::Lang::Nl => "fout",
        lang::Lang::En => "error",
    };
    eprintln!(
        "datastroom: {word}: {}",
        render::visible(&format!("{err:#}"))
    );
    // A wrong option or spec is a usage error, as for a wrong command line.
    if err
        .chain()
        .any(|e| e.downcast_ref::<context::UsageError>().is_some())
    {
        ExitCode::from(2)
    } else {
        ExitCode::FAILURE
    }
}

/// The first panic's message and place, kept by [`record_panic`] for [`contain_panics`].
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Runs a command so that a panic (in our code or in a dependency such as polars, on any of
/// its threads) becomes an error message instead of a crash: no user input may end the
/// program with a Rust backtrace and exit code 101. Writes are atomic, so a panic leaves the
/// warehouse and earlier reports as they were.
fn contain_panics(run: impl FnOnce() -> anyhow::Result<u8>) -> anyhow::Result<u8> {
    std::panic::set_hook(Box::new(record_panic));
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(result) => result,
        Err(_) => Err(internal_error()),
    }
}

/// The panic hook: keeps the first panic's message and place (file name and line) instead of
/// printing them.
fn record_panic(info: &std::panic::PanicHookInfo) {
    let what = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_default();
    let place = info
        .location()
        .map(|l| {
            format!(
                " ({}:{})",
                l.file().rsplit(['/', '\\']).next().unwrap_or(""),
                l.line()
            )
        })
        .unwrap_or_default();
    if let Ok(mut last) = LAST_PANIC.lock() {
        last.get_or_insert(format!("{what}{place}"));
    }
}

/// The error a contained panic becomes, quoting what [`record_panic`] kept.
fn internal_error() -> anyhow::Error {
    let what = LAST_PANIC
        .lock()
        .ok()
        .and_then(|mut l| l.take())
        .unwrap_or_default();
    // The first line only: a message may go on with data it was given.
    let what: String = what
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(200)
        .collect();
    anyhow::anyhow!(
        "the computation stopped on an internal error ({what}); nothing was changed. \
         Often a value out of range causes it (a date or interval too large for the \
         calendar); check the command and its values, and report it when it persists"
    )
}

/// `datastroom ... | head` closes the pipe early: that is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || e.to_string().contains("Broken pipe")
    })
}
