//! The report as one self-contained HTML file (inline CSS, no external resources: readable
//! when mailed), made from the report's own Markdown: headings, paragraphs and tables.

/// Escapes text for HTML (also for attribute values in double quotes).
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// On screen up to about 1200 pixels wide; wide tables in a smaller type and scrollable rather
/// than off the page; long texts (explanations) get room; charts shrink to the page. On
/// paper (A4): smaller type, nothing cut in two.
const STYLE: &str = "body{font-family:Arial,Helvetica,sans-serif;max-width:76em;margin:1.5em auto;\
padding:0 1em;color:#111;line-height:1.4}h1{font-size:1.6em}\
h2{font-size:1.25em;margin-top:1.6em;page-break-after:avoid}div.table{overflow-x:auto}\
table{border-collapse:collapse;margin:0.6em 0;font-size:0.9em}table.wide{font-size:0.78em}\
th,td{border:1px solid #777;padding:0.25em 0.5em;vertical-align:top}\
th{background:#e8e8e8;text-align:left}td.num{text-align:right;white-space:nowrap}\
td.long{min-width:22em;max-width:40em}td.short{white-space:nowrap}p.note{font-size:0.85em;color:#333;max-width:60em}\
figure{margin:1em 0}svg{max-width:100%;height:auto}\
@page{size:A4;margin:12mm}\
@media print{body{max-width:none;margin:0;padding:0;font-size:10pt}table{font-size:8pt}\
table.wide{font-size:7pt}th,td{padding:1px 3px}div.table{overflow:visible}\
table,figure,p.note{page-break-inside:avoid}h2,h3{page-break-after:avoid}}";

/// Converts the Markdown that `report` writes, and that `text` sections hold, to HTML:
/// headings (#, ##, ###), paragraphs (consecutive lines), bullet and numbered lists, pipe
/// tables, **bold**, *italic* and `code`; a link `[text](address)` is written as "text
/// (address)", so the file refers to nothing outside itself. A line `<!-- chart N -->` becomes
/// the N-th inline SVG chart.
pub fn from_markdown(md: &str, title: &str, lang: &str, charts: &[String]) -> String {
    let mut body = String::new();
    let lines: Vec<&str> = md.lines().collect();
    let mut i = 0;
    // A paragraph right after a table is its note.
    let mut after_table = false;
    let list_item = |l: &str| -> Option<(bool, String)> {
        let t = l.trim_start();
        if let Some(rest) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
            return Some((false, rest.to_string()));
        }
        let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
        (digits > 0)
            .then(|| t[digits..].strip_prefix(". "))
            .flatten()
            .map(|rest| (true, rest.to_string()))
    };
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
        if let Some((ordered, _)) = list_item(line) {
            let tag = if ordered { "ol" } else { "ul" };
            body.push_str(&format!("<{tag}>\n"));
            while let Some((o, item)) = lines.get(i).and_then(|l| list_item(l)) {
                if o != ordered {
                    break;
                }
                body.push_str(&format!("<li>{}</li>\n", inline(&item)));
                i += 1;
            }
            body.push_str(&format!("</{tag}>\n"));
            after_table = false;
            continue;
        }
        let heading = [("### ", "h3"), ("## ", "h2"), ("# ", "h1")]
            .iter()
            .find_map(|(p, tag)| line.strip_prefix(p).map(|h| (h, tag)));
        if let Some((h, tag)) = heading {
            body.push_str(&format!("<{tag}>{}</{tag}>\n", inline(h)));
            after_table = false;
            i += 1;
            continue;
        }
        if line.trim().is_empty() {
            i += 1;
            continue;
        }
        // A paragraph: this line and the next ones up to a blank line or another block.
        let mut text = vec![line.trim()];
        i += 1;
        while let Some(next) = lines.get(i) {
            let block = next.trim().is_empty()
                || next.starts_with('|')
                || next.starts_with('#')
                || next.starts_with("<!-- chart ")
                || list_item(next).is_some();
            if block {
                break;
            }
            text.push(next.trim());
            i += 1;
        }
        let class = if after_table { " class=\"note\"" } else { "" };
        body.push_str(&format!("<p{class}>{}</p>\n", inline(&text.join(" "))));
        after_table = false;
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        esc(title)
    )
}

/// Inline Markdown: escapes the text, then **bold**, *italic*, `code`, and a link as
/// "text (address)".
fn inline(text: &str) -> String {
    // Links first, on the raw text: [text](address) -> text (address).
    let mut plain = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let link = after.find("](").and_then(|close| {
            let target = &after[close + 2..];
            target
                .find(')')
                .map(|end| (&after[..close], &target[..end], close + 2 + end + 1))
        });
        match link {
            Some((label, address, used)) => {
                plain.push_str(&rest[..open]);
                plain.push_str(&format!("{label} ({address})"));
                rest = &after[used..];
            }
            None => {
                plain.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    plain.push_str(rest);
    let escaped = esc(&plain);
    let mut out = String::new();
    let mut open: Vec<&str> = Vec::new();
    let mut chars = escaped.char_indices().peekable();
    while let Some((k, c)) = chars.next() {
        let (marker, tag) = match c {
            '*' if escaped[k..].starts_with("**") => ("**", "strong"),
            '*' => ("*", "em"),
            '`' => ("`", "code"),
            _ => {
                out.push(c);
                continue;
            }
        };
        if marker == "**" {
            chars.next();
        }
        // Open only when the marker closes later on; otherwise it is a plain character.
        let closes = escaped[k + marker.len()..].contains(marker);
        if open.last() == Some(&tag) {
            open.pop();
            out.push_str(&format!("</{tag}>"));
        } else if closes {
            open.push(tag);
            out.push_str(&format!("<{tag}>"));
        } else {
            out.push_str(marker);
        }
    }
    while let Some(tag) = open.pop() {
        out.push_str(&format!("</{tag}>"));
    }
    out
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
    let head = cells(rows[0]);
    let body: Vec<Vec<String>> = rows.iter().skip(2).map(|r| cells(r)).collect();
    // A column of long texts (the explanation of a peak) gets room of its own.
    let long: Vec<bool> = (0..head.len())
        .map(|j| {
            body.iter()
                .any(|r| r.get(j).is_some_and(|c| c.chars().count() > 60))
        })
        .collect();
    // A column of short values (dates, codes) is never broken over two lines.
    let short: Vec<bool> = (0..head.len())
        .map(|j| {
            body.iter()
                .all(|r| r.get(j).is_none_or(|c| c.chars().count() <= 12))
        })
        .collect();
    let class = if head.len() > 10 {
        " class=\"wide\""
    } else {
        ""
    };
    let mut out = format!("<div class=\"table\"><table{class}>\n");
    let right: Vec<bool> = rows
        .get(1)
        .map(|r| cells(r).iter().map(|a| a.ends_with(':')).collect())
        .unwrap_or_default();
    out.push_str("<thead><tr>");
    for h in &head {
        out.push_str(&format!("<th>{}</th>", esc(h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in &body {
        out.push_str("<tr>");
        for (j, c) in r.iter().enumerate() {
            let class = if right.get(j).copied().unwrap_or(false) {
                " class=\"num\""
            } else if long.get(j).copied().unwrap_or(false) {
                " class=\"long\""
            } else if short.get(j).copied().unwrap_or(false) {
                " class=\"short\""
            } else {
                ""
            };
            // The Markdown writes a "<" that would open a tag as "&lt;"; HTML escapes it anew.
            out.push_str(&format!("<td{class}>{}</td>", esc(&c.replace("&lt;", "<"))));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n");
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
        assert!(
            html.contains("<td class=\"short\">Noord</td><td class=\"num\">&lt;5</td>"),
            "{html}"
        );
        assert!(html.contains("<p class=\"note\">Een noot.</p>"));
        assert!(html.contains("<p>Periode 2024-W26.</p>"));
        assert!(!html.contains("http") && !html.contains("src="));
    }

    #[test]
    fn text_sections_get_lists_emphasis_and_plain_links() {
        let md = "### Leeswijzer\nDe cijfers gaan over\nhet **kwartaal**.\n\n- open zaken *tellen* mee\n- zie [de Wmo](https://wetten.overheid.nl/BWBR0035362)\n\n1. eerst\n2. dan `x < 5`\n";
        let html = from_markdown(md, "T", "nl", &[]);
        assert!(html.contains("<h3>Leeswijzer</h3>"), "{html}");
        assert!(
            html.contains("<p>De cijfers gaan over het <strong>kwartaal</strong>.</p>"),
            "{html}"
        );
        assert!(
            html.contains("<ul>\n<li>open zaken <em>tellen</em> mee</li>\n<li>zie de Wmo (https://wetten.overheid.nl/BWBR0035362)</li>\n</ul>"),
            "{html}"
        );
        assert!(
            html.contains("<ol>\n<li>eerst</li>\n<li>dan <code>x &lt; 5</code></li>\n</ol>"),
            "{html}"
        );
        assert!(!html.contains("href") && !html.contains("src="));
        // A lone star is a star.
        assert!(from_markdown("5 * 3", "T", "nl", &[]).contains("<p>5 * 3</p>"));
    }
}
