//! Malformed input, one case per row: every broken export a user can bring gets a clear error
//! (naming the file and what to do) or its bad rows rejected with a reason; rows are accounted
//! for (read = accepted + rejected; a text file's rows fit in its lines); nothing panics.

use crate::util::{Workdir, testdata};

/// What a case must end in.
enum Expect {
    /// Exit 1; stderr holds this phrase.
    Error(&'static str),
    /// Exit 0 or 3 with this many rows read and rejected.
    Rows { read: u64, rejected: u64 },
}

use Expect::*;

struct Case {
    name: &'static str,
    file: &'static str,
    bytes: Vec<u8>,
    dataset: &'static str,
    expect: Expect,
}

const HEAD: &str = "Meldingnummer;Datum melding;Categorie\n";

fn case(
    name: &'static str,
    file: &'static str,
    bytes: impl Into<Vec<u8>>,
    dataset: &'static str,
    expect: Expect,
) -> Case {
    Case {
        name,
        file,
        bytes: bytes.into(),
        dataset,
        expect,
    }
}

fn utf16le(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        out.extend(u.to_le_bytes());
    }
    out
}

/// Bytes spread like a hash (a multiplicative sequence): about one in nine a control byte.
fn garbage(n: u32) -> Vec<u8> {
    (0..n)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

fn nested_json(depth: usize) -> String {
    let mut v = String::from("1");
    for _ in 0..depth {
        v = format!("{{\"a\": {v}}}");
    }
    format!("[{{\"id\": \"1\", \"datum\": \"2024-03-01\", \"x\": {v}}}]")
}

fn cases() -> Vec<Case> {
    let wide_header: Vec<String> = (1..=5000).map(|i| format!("kolom{i}")).collect();
    let wide_row: Vec<String> = (1..=5000).map(|i| (i % 97).to_string()).collect();
    let big_cell = "x".repeat(10 * 1024 * 1024);
    let xlsx = std::fs::read(testdata("zaken_sociaal.xlsx")).unwrap();
    vec![
        case("empty", "a.csv", "", "meldingen", Error("is empty")),
        case(
            "header only",
            "a.csv",
            HEAD,
            "meldingen",
            Rows {
                read: 0,
                rejected: 0,
            },
        ),
        // CRLF line ends with stray CRs before a delimiter, in a quoted value and before an
        // empty last field (the last one took an ingest down once).
        case(
            "stray carriage returns",
            "a.csv",
            "Meldingnummer;Datum melding;Categorie;Status\r\n1;1-3-2024;Afval\r;\r\n\
             2;2-3-2024;\"Groen\r\";open\r\n3\r;3-3-2024;Wegen;open\r\n4;4-3-2024;Groen\r;\n",
            "meldingen",
            Rows {
                read: 4,
                rejected: 0,
            },
        ),
        case(
            "garbage",
            "a.csv",
            garbage(4000),
            "meldingen",
            Error("not a text export"),
        ),
        // Larger than the start that is judged first (29,697 control characters there, 11%,
        // but 3% of the whole file's size): the whole file is counted (11%) and refused.
        case(
            "garbage of 1 MB",
            "a.csv",
            garbage(1_000_000),
            "meldingen",
            Error("not a text export"),
        ),
        // Vertical tabs (a cell's line breaks in some exports) fill the first rows: 7.6% of
        // the first 256 KiB, 2.2% of the whole file, which is judged whole.
        case(
            "control characters at the start only",
            "a.csv",
            format!(
                "{HEAD}{}{}",
                (1..=2000)
                    .map(|i| format!("{i};1-3-2024;Groen{}\n", "\x0b".repeat(10)))
                    .collect::<String>(),
                (2001..=42_000)
                    .map(|i| format!("{i};2-3-2024;Afval\n"))
                    .collect::<String>()
            ),
            "meldingen",
            Rows {
                read: 42_000,
                rejected: 0,
            },
        ),
        case(
            "NUL in a value",
            "a.csv",
            format!("{HEAD}1;1-3-2024;Gr\0oen\n2;2-3-2024;Afval\n"),
            "meldingen",
            Rows {
                read: 2,
                rejected: 1,
            },
        ),
        case(
            "truncated in a row",
            "a.csv",
            format!("{HEAD}1;1-3-2024;Groen\n2;2-3-20"),
            "meldingen",
            Rows {
                read: 2,
                rejected: 1,
            },
        ),
        case(
            "unbalanced quote",
            "a.csv",
            format!(
                "{HEAD}1;1-3-2024;Groen\n2;1-3-2024;\"open;Anna\n3;2-3-2024;Afval\n4;3-3-2024;Wegen\n"
            ),
            "meldingen",
            Error("opens a value that only closes"),
        ),
        case(
            "ragged rows",
            "a.csv",
            format!("{HEAD}1;1-3-2024;Groen;extra\n2;2-3-2024\n3;3-3-2024;Afval\n"),
            "meldingen",
            Rows {
                read: 3,
                rejected: 2,
            },
        ),
        case(
            "10 MB cell",
            "a.csv",
            format!("Nummer;Omschrijving\n1;{big_cell}\n2;kort\n"),
            "eigen",
            Rows {
                read: 2,
                rejected: 0,
            },
        ),
        case(
            "5,000 columns",
            "a.csv",
            format!(
                "{}\n{}\n{}\n",
                wide_header.join(";"),
                wide_row.join(";"),
                wide_row.join(";")
            ),
            "breed",
            Rows {
                read: 2,
                rejected: 0,
            },
        ),
        case(
            "duplicate headers",
            "a.csv",
            "Meldingnummer;Datum melding;Categorie;Categorie\n1;1-3-2024;Groen;Blad\n",
            "meldingen",
            Rows {
                read: 1,
                rejected: 0,
            },
        ),
        case(
            "CR-only line ends",
            "a.csv",
            "Meldingnummer;Datum melding;Categorie\r1;1-3-2024;Groen\r2;2-3-2024;Afval\r",
            "meldingen",
            Rows {
                read: 2,
                rejected: 0,
            },
        ),
        case(
            "UTF-16 (Excel's Unicode text)",
            "a.txt",
            utf16le("Meldingnummer\tDatum melding\tCategorie\r\n1\t1-3-2024\tGroen\r\n"),
            "meldingen",
            Rows {
                read: 1,
                rejected: 0,
            },
        ),
        case(
            "UTF-16 without a byte order mark",
            "a.txt",
            utf16le("Meldingnummer\tDatum melding\tCategorie\r\n1\t1-3-2024\tGroen\r\n")[2..]
                .to_vec(),
            "meldingen",
            Error("UTF-16 text without a byte order mark"),
        ),
        case(
            "mixed UTF-8 and Windows-1252",
            "a.csv",
            [
                HEAD.as_bytes(),
                "1;1-3-2024;Café\n".as_bytes(),
                b"2;2-3-2024;Caf\xe9\n",
            ]
            .concat(),
            "meldingen",
            Rows {
                read: 2,
                rejected: 0,
            },
        ),
        case(
            "impossible dates",
            "a.csv",
            format!(
                "{HEAD}1;31-02-2024;Groen\n2;1-3-0024;Groen\n3;29-2-2023;Groen\n4;1-3-2204;Groen\n5;1-3-2024;Groen\n"
            ),
            "meldingen",
            Rows {
                read: 5,
                rejected: 4,
            },
        ),
        case(
            "odd numbers",
            "a.csv",
            "Factuurnummer;Leverancier;Factuurdatum;Bedrag\n\
             F1;A;1-3-2024;1.2.3\nF2;A;1-3-2024;12,345,67\nF3;A;1-3-2024;(-5,00)\n\
             F4;A;1-3-2024;1e400\nF5;A;1-3-2024;99.999.999.999.999.999,99\nF6;A;1-3-2024;1.234,56\n",
            "inhuur_facturen",
            Rows {
                read: 6,
                rejected: 5,
            },
        ),
        case(
            "deep JSON",
            "a.json",
            nested_json(300),
            "eigen",
            Error("is not valid JSON"),
        ),
        case(
            "nested JSON within the limit",
            "a.json",
            nested_json(60),
            "eigen",
            Rows {
                read: 1,
                rejected: 0,
            },
        ),
        case(
            "corrupt workbook",
            "a.xlsx",
            [&b"PK\x03\x04"[..], &[7u8; 300][..]].concat(),
            "zaken_sociaal",
            Error("not a readable Excel/ODS workbook"),
        ),
        case(
            "CSV saved as .xls",
            "a.xls",
            format!("{HEAD}1;1-3-2024;Groen\n"),
            "meldingen",
            Rows {
                read: 1,
                rejected: 0,
            },
        ),
        case(
            "HTML saved as .xls",
            "a.xls",
            "<html><body><table><tr><td>1</td></tr></table></body></html>",
            "meldingen",
            Error("is a web page (HTML)"),
        ),
        case(
            "an .xlsx renamed to .xls",
            "a.xls",
            xlsx,
            "zaken_sociaal",
            Rows {
                read: 7,
                rejected: 2,
            },
        ),
        case(
            "headerless export",
            "a.csv",
            "123456782;K. de Vries;k.devries@example.nl;0612345678\n111222333;J. Jansen;j@x.nl;0687654321\n",
            "eigen",
            Error("the header row holds values"),
        ),
    ]
}

#[test]
fn malformed_input_one_case_per_row() {
    for c in cases() {
        let wd = Workdir::new();
        wd.write(c.file, &c.bytes);
        let out = wd.output(
            wd.cmd(&["ingest", c.file, "-d", c.dataset, "--format", "json"])
                .args(["--max-rejects", "100"]),
        );
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(
            !stderr.contains("panicked") && out.status.code() != Some(101),
            "{}: {stderr}",
            c.name
        );
        match c.expect {
            Error(phrase) => {
                assert_eq!(out.status.code(), Some(1), "{}: {stderr}", c.name);
                assert!(
                    stderr.contains(phrase) && stderr.contains("a."),
                    "{}: expected '{phrase}' naming the file: {stderr}",
                    c.name
                );
                // Never a value of the file in the message (personal data, cron mails).
                for secret in ["123456782", "de Vries", "k.devries", "0612345678"] {
                    assert!(!stderr.contains(secret), "{}: {stderr}", c.name);
                }
            }
            Rows { read, rejected } => {
                let code = if rejected > 0 { 3 } else { 0 };
                assert_eq!(out.status.code(), Some(code), "{}: {stderr}", c.name);
                let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout)
                    .unwrap_or_else(|e| panic!("{}: {e}", c.name));
                let n = |k: &str| rows[0][k].as_u64().unwrap();
                assert_eq!(
                    (n("read"), n("rejected")),
                    (read, rejected),
                    "{}: {stderr}",
                    c.name
                );
                assert_eq!(n("read"), n("accepted") + n("rejected"), "{}", c.name);
                if let Some(lines) = rows[0]["lines"].as_u64() {
                    assert!(lines > n("read") + n("blank_rows"), "{}", c.name);
                }
            }
        }
    }
}

/// A Windows-1252 export whose first 256 KiB are plain ASCII: the settings printed before the
/// rows say UTF-8 (all the first lines showed), a line after them names the whole file's
/// encoding, and the lineage keeps that one.
#[test]
fn the_whole_files_encoding_is_said_when_its_start_showed_another() {
    let wd = Workdir::new();
    let mut bytes = HEAD.as_bytes().to_vec();
    for i in 1..=8_000 {
        bytes.extend_from_slice(format!("{i};1-3-2024;Groenvoorziening en bomen\n").as_bytes());
    }
    bytes.extend_from_slice(b"8001;2-3-2024;Caf\xe9\n");
    assert!(
        bytes.len() > 256 * 1024 + 1000,
        "the accent lies past the start that is sniffed"
    );
    wd.write("w.csv", bytes);
    let out = wd.output(wd.cmd(&["ingest", "w.csv", "-d", "meldingen"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("codering UTF-8"), "{stderr}");
    assert!(
        stderr.contains("codering van het hele bestand: Windows-1252"),
        "{stderr}"
    );
    let rows = wd.sql("SELECT categorie FROM meldingen WHERE melding_id = '8001'");
    assert_eq!(rows[0]["categorie"].as_str(), Some("Café"));
    let ingest = &wd.catalog()["datasets"]["meldingen"]["ingests"][0];
    assert_eq!(ingest["settings"]["encoding"], "Windows-1252");
}

/// Both encodings in one file are each read right, and the settings say so.
#[test]
fn mixed_encodings_are_read_line_by_line() {
    let wd = Workdir::new();
    wd.write(
        "m.csv",
        [
            HEAD.as_bytes(),
            "1;1-3-2024;Café\n".as_bytes(),
            b"2;2-3-2024;Caf\xe9\n",
        ]
        .concat(),
    );
    let out = wd.output(wd.cmd(&["ingest", "m.csv", "-d", "meldingen"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("gemengd UTF-8 en Windows-1252: 1 regel(s) UTF-8 (vanaf regel 2), 1 Windows-1252 (vanaf regel 3)"),
        "{stderr}"
    );
    let rows = wd.sql("SELECT categorie FROM meldingen ORDER BY melding_id");
    assert_eq!(
        (rows[0]["categorie"].as_str(), rows[1]["categorie"].as_str()),
        (Some("Café"), Some("Café"))
    );
}

/// Issue 10, item 7: a stray quote no longer swallows rows silently; a quoted value with a
/// line break in a well-formed row is still read, and its lines counted.
#[test]
fn quotes_that_span_lines() {
    let wd = Workdir::new();
    wd.write(
        "q.csv",
        "Meldingnummer;Datum melding;Categorie;Omschrijving\n\
         1;1-3-2024;Groen;\"boom\nligt op de weg\"\n2;2-3-2024;Afval;zak\n",
    );
    let s = wd.ingest_json(&["q.csv", "-d", "meldingen"], 0);
    assert_eq!(
        (s["read"].as_u64(), s["lines"].as_u64()),
        (Some(2), Some(4))
    );
    let rows = wd.sql("SELECT omschrijving FROM meldingen ORDER BY melding_id");
    assert_eq!(rows[0]["omschrijving"], "boom\nligt op de weg");
    wd.write(
        "bad.csv",
        "Meldingnummer;Datum melding;Categorie;Status\nM1;1-3-2024;Groen;open\n\
         M2;1-3-2024;Groen;\"open;Anna\nM3;2-3-2024;Afval;open\nM4;2-3-2024;Afval;\"dicht\n",
    );
    let err = wd.fail(wd.cmd(&["ingest", "bad.csv", "-d", "meldingen"]));
    assert!(
        err.contains("the quote (\") in line 3 opens a value that only closes in line 5"),
        "{err}"
    );
    assert!(!err.contains("Anna"), "{err}");
}

/// Issue 10, item 8: a date in the year 0024 is rejected with its reason instead of stretching
/// the analyses over two thousand years; `peaks --all` stays quick.
#[test]
fn implausible_years_are_rejected() {
    let wd = Workdir::new();
    let mut csv = String::from(HEAD);
    for d in 1..=28 {
        csv.push_str(&format!("{d};{d}-2-2024;Groen\n"));
    }
    csv.push_str("99;1-3-0024;Groen\n");
    wd.write("m.csv", csv);
    wd.run_code(wd.cmd(&["ingest", "m.csv", "-d", "meldingen"]), 3);
    let out = wd.run(wd.cmd(&["datasets", "rejects", "meldingen", "--format", "json"]));
    assert!(
        out.contains(
            "'1-3-0024' valt in het jaar 24, buiten 1900-2100: een tikfout in het jaartal?"
        ),
        "{out}"
    );
    let start = std::time::Instant::now();
    wd.run(wd.cmd(&[
        "peaks",
        "--all",
        "--as-of",
        "2024-03-01",
        "--period",
        "day",
        "-q",
    ]));
    assert!(start.elapsed().as_secs() < 60, "{:?}", start.elapsed());
}

/// Issue 10, item 9: a query that makes polars panic gets an error message, exit 1.
#[test]
fn a_panic_in_a_library_is_an_error_message() {
    let wd = Workdir::new();
    wd.write("m.csv", format!("{HEAD}1;1-3-2024;Groen\n"));
    wd.run(wd.cmd(&["ingest", "m.csv", "-d", "meldingen"]));
    let out = wd.output(wd.cmd(&[
        "sql",
        "SELECT datum_melding + INTERVAL '1000000 years' AS x FROM meldingen",
    ]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code() == Some(1) || out.status.success(),
        "{stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
    if !out.status.success() {
        assert!(stderr.starts_with("datastroom: fout:"), "{stderr}");
    }
}

/// Issue 10, item 12: terminal escape codes in the data are shown, not obeyed; raw HTML in a
/// value does not reach the Markdown as HTML.
#[test]
fn escape_codes_and_html_in_values() {
    let wd = Workdir::new();
    wd.write(
        "m.csv",
        format!("{HEAD}1;1-3-2024;\x1b[31mRood\x1b[0m\x07\n2;1-3-2024;<script>alert(1)</script>\n"),
    );
    wd.run(wd.cmd(&["ingest", "m.csv", "-d", "meldingen"]));
    let q = "SELECT categorie FROM meldingen ORDER BY melding_id";
    let table = wd.run(wd.cmd(&["sql", q, "--format", "table"]));
    assert!(
        !table.contains('\x1b') && table.contains("\\u{1b}[31mRood"),
        "{table}"
    );
    let md = wd.run(wd.cmd(&["sql", q, "--format", "markdown"]));
    assert!(md.contains("&lt;script>alert(1)&lt;/script>"), "{md}");
    assert!(!md.contains("<script"), "{md}");
}

/// Issue 10, item 11: memory follows the data, not the number of columns. A 174 KB export
/// with 5,000 columns took about 5.9 GB (1.2 MB per column, for buffers sized for 65,536
/// rows); now the peak of the ingest stays far below 1 GB.
#[cfg(target_os = "linux")]
#[test]
// The child is reaped by wait4 below, which std does not know of.
#[allow(clippy::zombie_processes)]
fn memory_follows_the_data_not_the_columns() {
    let wd = Workdir::new();
    let header: Vec<String> = (0..5000).map(|i| format!("k{i}")).collect();
    let row: Vec<String> = (0..5000).map(|i| (i % 100).to_string()).collect();
    let mut text = header.join(";") + "\n";
    for _ in 0..10 {
        text.push_str(&row.join(";"));
        text.push('\n');
    }
    wd.write("breed.csv", text);
    let child = wd
        .cmd(&["ingest", "breed.csv", "-d", "breed", "-q"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // wait4 gives the peak resident memory of this child alone.
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{status}"
    );
    let peak_mb = usage.ru_maxrss / 1024;
    assert!(
        peak_mb < 1024,
        "peak {peak_mb} MB for 5,000 columns of 10 rows"
    );
}

/// Found by fuzzing (issue 10, item 14): a 5.6 kB .xls whose sector chain loops made the
/// workbook reader take all memory (20 GB in a minute). The container is checked first now:
/// an error naming the file and what to do, at once.
#[test]
fn an_xls_whose_sectors_loop_is_refused() {
    let wd = Workdir::new();
    let bytes = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/fuzz/excel/oom-cyclic-sector-chain.xls"),
    )
    .unwrap();
    wd.write("projecten.xls", &bytes);
    let err = wd.fail(wd.cmd(&["ingest", "projecten.xls", "-d", "projecten"]));
    assert!(
        err.contains("projecten.xls is a damaged .xls workbook") && err.contains("save it again"),
        "{err}"
    );
}
