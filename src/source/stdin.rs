//! `-` for a file: the export (or query) comes on standard input, as in `type export.csv |
//! datastroom ingest - --dataset meldingen` or `... | datastroom sql -f -`.
//!
//! An export is read more than once (its encoding and delimiter are sniffed, its SHA-256
//! taken, its rows streamed), so standard input is first copied to a private temporary
//! folder (only the user can open it; removed when the command ends, also after an error).
//! The copy is named by what it holds: a workbook by its first bytes, JSON by its first
//! character, else text. The lineage records the source as `-`.

use anyhow::{Context, Result, bail};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether a path argument is `-`, standard input.
pub fn is_dash(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Standard input can be read once per run.
static TAKEN: AtomicBool = AtomicBool::new(false);

/// Standard input, copied to a temporary file; the file goes when this is dropped.
pub struct Spooled {
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl Spooled {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Copies standard input to a temporary file named `standaardinvoer.csv|json|xlsx`.
pub fn spool() -> Result<Spooled> {
    let stdin = std::io::stdin();
    spool_from(stdin.lock(), stdin.is_terminal())
}

fn spool_from(mut input: impl Read, terminal: bool) -> Result<Spooled> {
    if terminal {
        bail!(
            "`-` reads from standard input, but nothing is piped in. Pipe the file in \
             (`type export.csv | datastroom ...` in cmd.exe, `Get-Content` in PowerShell, \
             `< export.csv` elsewhere) or give the file's name instead of `-`"
        );
    }
    if TAKEN.swap(true, Ordering::SeqCst) {
        bail!("`-` (standard input) can be given once per command; give the other files by name");
    }
    let dir = tempfile::Builder::new()
        .prefix("datastroom-stdin-")
        .tempdir()
        .context("cannot make a temporary folder for standard input")?;
    let raw = dir.path().join("standaardinvoer");
    let mut head = Vec::with_capacity(512);
    {
        let mut f = std::fs::File::create(&raw)
            .with_context(|| format!("cannot write {}", raw.display()))?;
        (&mut input).take(512).read_to_end(&mut head)?;
        f.write_all(&head)?;
        std::io::copy(&mut input, &mut f).context("reading standard input")?;
    }
    if head.is_empty() {
        bail!("standard input is empty: nothing was piped in");
    }
    let path = raw.with_extension(extension_of(&head));
    std::fs::rename(&raw, &path)?;
    Ok(Spooled { path, _dir: dir })
}

/// The extension that makes the readers treat the content right.
fn extension_of(head: &[u8]) -> &'static str {
    if super::excel::is_workbook(head) {
        // Read by its content, whatever the extension says (excel::open_by_content).
        return "xlsx";
    }
    let text = String::from_utf8_lossy(head);
    match text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .next()
    {
        Some('{' | '[') => "json",
        _ => "csv",
    }
}

/// Reads a small text (a query) from standard input.
pub fn read_text() -> Result<String> {
    let spooled = spool()?;
    std::fs::read_to_string(spooled.path())
        .context("standard input is not UTF-8 text; save the query as UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_names_the_copy() {
        assert_eq!(extension_of(b"PK\x03\x04rest"), "xlsx");
        assert_eq!(extension_of(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1]), "xlsx");
        assert_eq!(extension_of("\u{feff}  [{\"a\":1}]".as_bytes()), "json");
        assert_eq!(extension_of(b"Meldingnummer;Datum\n"), "csv");
        // UTF-16 text with its byte order mark stays text.
        assert_eq!(extension_of(&[0xFF, 0xFE, b'a', 0]), "csv");
    }

    #[test]
    fn terminal_and_empty_input_are_refused() {
        let e = spool_from(&b"x"[..], true).err().unwrap().to_string();
        assert!(e.contains("nothing is piped in"), "{e}");
    }
}
