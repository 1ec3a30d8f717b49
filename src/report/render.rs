//! The report as Markdown (GitHub-flavoured, for papers and scripts) and as one
//! self-contained HTML file (inline CSS and SVG, no scripts, nothing fetched),
//! readable on screen and printed to A4.

use super::{Block, Report};
use crate::charts::{self, esc};
use crate::render::Cell;
use std::fmt::Write;

fn shown(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) => s.clone(),
        Cell::Int(i) => i.to_string(),
        Cell::Num(x, d) => format!("{x:.d$}", d = *d),
    }
}

/// The report as Markdown.
pub(crate) fn markdown(report: &Report) -> String {
    let e = escape_markup;
    let mut out = format!("# {}\n\n{}\n", e(&report.title), e(&report.subtitle));
    for section in &report.sections {
        let _ = write!(out, "\n## {}\n", e(&section.title));
        for block in &section.blocks {
            out.push('\n');
            match block {
                Block::Para(p) | Block::Note(p) => {
                    let _ = writeln!(out, "{}", e(p));
                }
                Block::Omitted(p) => {
                    let _ = writeln!(out, "_{}_", e(p));
                }
                Block::Figures(figures) => {
                    for (label, value) in figures {
                        let _ = writeln!(out, "- **{}:** {}", e(label), e(value));
                    }
                }
                Block::Table {
                    caption,
                    columns,
                    rows,
                } => {
                    let _ = writeln!(out, "**{}**\n", e(caption));
                    let rows: Vec<Vec<Cell>> = rows
                        .iter()
                        .map(|r| {
                            r.iter()
                                .map(|c| match c {
                                    Cell::Text(t) => Cell::Text(e(t).into_owned()),
                                    other => other.clone(),
                                })
                                .collect()
                        })
                        .collect();
                    out.push_str(&crate::render::markdown(columns, &rows));
                }
                // Charts have their figures in the tables beside them.
                Block::Bars { .. } | Block::Lines { .. } => {
                    out.pop();
                }
            }
        }
    }
    out
}

const CSS: &str = "
body { font-family: -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; color: #1a1a1a; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.25rem; border-bottom: 2px solid #1f4e79; padding-bottom: .2rem; margin-top: 2rem; }
p.sub { color: #444; margin-top: 0; }
dl.figures { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dl.figures dt { font-weight: 600; } dl.figures dd { margin: 0; }
table { border-collapse: collapse; margin: .8rem 0 1.2rem; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding-bottom: .3rem; }
th, td { border: 1px solid #bbb; padding: .25rem .5rem; vertical-align: top; }
th { background: #eef3f8; text-align: left; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
p.omitted { color: #555; font-style: italic; }
figure { margin: 1rem 0; } svg { max-width: 100%; height: auto; }
.nowrap { white-space: nowrap; }
section#themes { display: flex; flex-wrap: wrap; gap: 0 2rem; align-items: flex-start; }
section#themes > h2 { flex-basis: 100%; }
p.note { font-size: .85rem; color: #444; }
@media print {
  @page { size: A4; margin: 12mm; }
  body { max-width: none; margin: 0; font-size: 8.5pt; line-height: 1.3; }
  h1 { font-size: 15pt; } h2 { font-size: 11.5pt; margin: .9rem 0 .3rem; }
  /* No section starts a page with only its heading, and no chart, table or
     list of figures splits across pages. */
  h1, h2, caption { break-after: avoid; page-break-after: avoid; }
  table, figure, dl, p.note { break-inside: avoid; page-break-inside: avoid; }
  table { margin: .3rem 0 .5rem; font-size: 8pt; }
  th, td { padding: .08rem .3rem; }
  figure { margin: .3rem 0; } figure svg { width: 72%; }
  p { margin: .3rem 0; } p.note { font-size: 7.5pt; }
  th { background: #eee; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  svg { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
";

/// The report as one self-contained HTML document.
pub(crate) fn html(report: &Report) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n<p class=\"sub\">{}</p>\n</header>\n<main>\n",
        esc(&report.title),
        esc(&report.title),
        esc(&report.subtitle)
    );
    for section in &report.sections {
        let _ = write!(
            out,
            "<section id=\"{}\">\n<h2>{}</h2>\n",
            section.id,
            esc(&section.title)
        );
        for block in &section.blocks {
            match block {
                Block::Para(p) => {
                    let _ = writeln!(out, "<p>{}</p>", esc(p));
                }
                Block::Note(p) => {
                    let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(p));
                }
                Block::Omitted(p) => {
                    let _ = writeln!(out, "<p class=\"omitted\">{}</p>", esc(p));
                }
                Block::Figures(figures) => {
                    out.push_str("<dl class=\"figures\">\n");
                    for (label, value) in figures {
                        let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", esc(label), esc(value));
                    }
                    out.push_str("</dl>\n");
                }
                Block::Table {
                    caption,
                    columns,
                    rows,
                } => out.push_str(&table(caption, columns, rows)),
                Block::Bars {
                    title,
                    desc,
                    series,
                    categories,
                } => {
                    let _ = writeln!(
                        out,
                        "<figure>{}</figure>",
                        charts::stacked_bars(title, desc, series, categories)
                    );
                }
                Block::Lines {
                    title,
                    desc,
                    months,
                    series,
                } => {
                    let _ = writeln!(
                        out,
                        "<figure>{}</figure>",
                        charts::lines(title, desc, months, series)
                    );
                }
            }
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// Columns whose values are identifiers, dates or signals: they never wrap, so an
/// id reads as one word and a signal as one phrase.
const UNBROKEN: [&str; 8] = [
    "audit",
    "case",
    "auditor",
    "due",
    "completed",
    "month",
    "signal",
    "95% CI",
];

fn table(caption: &str, columns: &[String], rows: &[Vec<Cell>]) -> String {
    let mut out = format!("<table>\n<caption>{}</caption>\n<thead><tr>", esc(caption));
    for c in columns {
        let _ = write!(out, "<th scope=\"col\">{}</th>", esc(c));
    }
    let unbroken: Vec<bool> = columns.iter().map(|c| UNBROKEN.contains(&c.as_str())).collect();
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let numeric = matches!(cell, Cell::Int(_) | Cell::Num(..));
            let class = match (numeric, unbroken.get(i).copied().unwrap_or(false)) {
                (true, _) => " class=\"num\"",
                (false, true) => " class=\"nowrap\"",
                (false, false) => "",
            };
            if i == 0 {
                let _ = write!(out, "<th scope=\"row\"{class}>{}</th>", esc(&shown(cell)));
            } else {
                let _ = write!(out, "<td{class}>{}</td>", esc(&shown(cell)));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// Text for Markdown with its HTML made harmless: a Markdown viewer renders
/// `<script>` in a team's name as text, not as markup.
fn escape_markup(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['<', '>', '&']) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;"),
    )
}
