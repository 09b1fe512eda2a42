//! The report as one self-contained HTML file (inline CSS, no external resources: readable
//! when mailed), made from the report's own Markdown: headings, paragraphs and tables.

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "body{font-family:Arial,Helvetica,sans-serif;max-width:60em;margin:2em auto;\
color:#111;line-height:1.4}h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.6em}\
table{border-collapse:collapse;margin:0.6em 0;font-size:0.9em}\
th,td{border:1px solid #777;padding:0.25em 0.5em;vertical-align:top}\
th{background:#e8e8e8;text-align:left}td.num{text-align:right}\
p.note{font-size:0.85em;color:#333}";

/// Converts the Markdown that `report` writes (headings, paragraphs, pipe tables) to HTML;
/// a line `<!-- chart N -->` becomes the N-th inline SVG chart.
pub fn from_markdown(md: &str, title: &str, lang: &str, charts: &[String]) -> String {
    let mut body = String::new();
    let lines: Vec<&str> = md.lines().collect();
    let mut i = 0;
    // A paragraph right after a table is its note.
    let mut after_table = false;
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with('|') {
            let start = i;
            while i < lines.len() && lines[i].starts_with('|') {
                i += 1;
            }
            body.push_str(&table(&lines[start..i]));
            after_table = true;
            continue;
        }
        if let Some(n) = line
            .strip_prefix("<!-- chart ")
            .and_then(|r| r.strip_suffix(" -->"))
            .and_then(|n| n.parse::<usize>().ok())
        {
            if let Some(svg) = charts.get(n) {
                body.push_str(&format!("<figure>{svg}</figure>\n"));
            }
            i += 1;
            continue;
        }
        if let Some(h) = line.strip_prefix("# ") {
            body.push_str(&format!("<h1>{}</h1>\n", esc(h)));
            after_table = false;
        } else if let Some(h) = line.strip_prefix("## ") {
            body.push_str(&format!("<h2>{}</h2>\n", esc(h)));
            after_table = false;
        } else if !line.trim().is_empty() {
            let class = if after_table { " class=\"note\"" } else { "" };
            body.push_str(&format!("<p{class}>{}</p>\n", esc(line)));
            after_table = false;
        }
        i += 1;
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        esc(title)
    )
}

/// A pipe table: header row, alignment row (---: is right-aligned), data rows.
fn table(rows: &[&str]) -> String {
    let cells = |row: &str| -> Vec<String> {
        let inner = row.trim().trim_start_matches('|').trim_end_matches('|');
        // A \\| inside a cell is a literal pipe.
        inner
            .replace("\\|", "\u{1}")
            .split('|')
            .map(|c| c.trim().replace('\u{1}', "|"))
            .collect()
    };
    let mut out = String::from("<table>\n");
    let head = cells(rows[0]);
    let right: Vec<bool> = rows
        .get(1)
        .map(|r| cells(r).iter().map(|a| a.ends_with(':')).collect())
        .unwrap_or_default();
    out.push_str("<thead><tr>");
    for h in &head {
        out.push_str(&format!("<th>{}</th>", esc(h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in rows.iter().skip(2) {
        out.push_str("<tr>");
        for (j, c) in cells(r).iter().enumerate() {
            let class = if right.get(j).copied().unwrap_or(false) {
                " class=\"num\""
            } else {
                ""
            };
            out.push_str(&format!("<td{class}>{}</td>", esc(c)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_to_html() {
        let md = "# Titel & zo\n\nPeriode 2024-W26.\n\n## Tabel\n\n| groep | zaken |\n| --- | ---: |\n| Noord | <5 |\n\nEen noot.\n";
        let html = from_markdown(md, "Titel & zo", "nl", &[]);
        assert!(html.contains("<h1>Titel &amp; zo</h1>"));
        assert!(html.contains("<th>groep</th><th>zaken</th>"));
        assert!(html.contains("<td>Noord</td><td class=\"num\">&lt;5</td>"));
        assert!(html.contains("<p class=\"note\">Een noot.</p>"));
        assert!(html.contains("<p>Periode 2024-W26.</p>"));
        assert!(!html.contains("http") && !html.contains("src="));
    }
}
