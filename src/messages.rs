//! Diagnostics on stderr, in one place (as ripgrep's `messages.rs`): whether they are shown
//! (`--quiet`) and in which language (`--lang`) is decided here once, not passed around. Data
//! goes to stdout; these are for the person at the terminal or the cron mail.

use crate::lang::Lang;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

static QUIET: AtomicBool = AtomicBool::new(false);
static ENGLISH: AtomicBool = AtomicBool::new(false);
/// Nested silences: a report computes a chart's series again, without repeating warnings.
static SILENCED: AtomicU32 = AtomicU32::new(0);

/// Set once by main from the command line.
pub fn init(quiet: bool, lang: Lang) {
    QUIET.store(quiet, Ordering::Relaxed);
    ENGLISH.store(lang == Lang::En, Ordering::Relaxed);
}

/// The language of messages (`--lang`).
pub fn lang() -> Lang {
    if ENGLISH.load(Ordering::Relaxed) {
        Lang::En
    } else {
        Lang::Nl
    }
}

/// Whether progress and diagnostics are shown now.
pub fn shown() -> bool {
    !QUIET.load(Ordering::Relaxed) && SILENCED.load(Ordering::Relaxed) == 0
}

/// A line of information or progress ("datastroom: ..."), unless quiet.
pub fn info(text: impl AsRef<str>) {
    if shown() {
        eprintln!("datastroom: {}", crate::render::visible(text.as_ref()));
    }
}

/// An indented detail line under an info line ("  kolom: ..."), unless quiet.
pub fn detail(text: impl AsRef<str>) {
    if shown() {
        eprintln!("  {}", crate::render::visible(text.as_ref()));
    }
}

/// A warning in the language of the messages, unless quiet.
pub fn warn(nl: impl AsRef<str>, en: impl AsRef<str>) {
    if shown() {
        let (word, text) = match lang() {
            Lang::Nl => ("let op", nl.as_ref()),
            Lang::En => ("warning", en.as_ref()),
        };
        eprintln!("datastroom: {word}: {}", crate::render::visible(text));
    }
}

/// Runs `f` with messages silenced (their first showing was enough).
pub fn silenced<T>(f: impl FnOnce() -> T) -> T {
    SILENCED.fetch_add(1, Ordering::Relaxed);
    let out = f();
    SILENCED.fetch_sub(1, Ordering::Relaxed);
    out
}
