//! The report as one self-contained HTML file: inline CSS and inline SVG, no script, font or
//! image from anywhere else, and print rules so it prints cleanly to PDF.

use std::fmt::Write;

use super::doc::{Block, Inline, blocks};
use super::{Report, SECTIONS, escape};

const CSS: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #212121; background: #fafafa; }
header { background: #263238; color: #eceff1; padding: 20px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; color: #b0bec5; }
header code { color: #eceff1; }
nav { display: flex; flex-wrap: wrap; gap: 4px 14px; padding: 10px 32px; background: #eceff1; border-bottom: 1px solid #cfd8dc; }
nav a { color: #37474f; text-decoration: none; white-space: nowrap; }
main { padding: 8px 32px 40px; max-width: 1600px; }
h2 { margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #cfd8dc; font-size: 18px; }
h3 { margin: 20px 0 6px; font-size: 15px; color: #37474f; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; background: #fff; font-size: 12.5px; }
th, td { border: 1px solid #e0e0e0; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #eceff1; font-weight: 600; }
tr:target { background: #fff8e1; }
td code { display: block; font-size: 10.5px; }
.note { display: block; color: #607d8b; font-size: 11.5px; }
code { font: 11.5px ui-monospace, SFMono-Regular, Menlo, monospace; color: #455a64; word-break: break-all; }
a { color: #1565c0; }
.badge { display: inline-block; padding: 0 6px; border-radius: 9px; font-size: 11.5px; font-weight: 600; border: 1px solid; white-space: nowrap; }
.sev-critical { background: #b71c1c; color: #fff; border-color: #b71c1c; }
.sev-high { background: #ffebee; color: #c62828; border-color: #c62828; }
.sev-medium { background: #fff3e0; color: #e65100; border-color: #e65100; }
.sev-low { background: #e3f2fd; color: #1565c0; border-color: #1565c0; }
.sev-info { background: #f5f5f5; color: #616161; border-color: #9e9e9e; }
.lvl-0 { background: #e8f5e9; color: #2e7d32; }
.lvl-1 { background: #e3f2fd; color: #1565c0; }
.lvl-2 { background: #fff3e0; color: #e65100; }
.lvl-3 { background: #ffebee; color: #c62828; }
.lvl-u, .manual { background: #f5f5f5; color: #616161; }
details { background: #fff; border: 1px solid #e0e0e0; border-radius: 4px; margin: 6px 0; padding: 4px 8px; }
summary { cursor: pointer; }
figure { margin: 8px 0 16px; overflow-x: auto; background: #fff; border: 1px solid #e0e0e0; padding: 8px; }
figcaption { color: #607d8b; font-size: 12px; }
.wide { overflow-x: auto; }
@media print {
  body { background: #fff; font-size: 10.5px; }
  header { background: #fff; color: #000; padding: 0 0 8px; border-bottom: 2px solid #000; }
  header p { color: #333; }
  nav { display: none; }
  main { padding: 0; max-width: none; }
  h2 { break-after: avoid; }
  tr, figure { break-inside: avoid; }
  details > * { display: block; }
  a { color: inherit; text-decoration: none; }
  .wide { overflow: visible; }
}
"#;

fn inline(out: &mut String, parts: &[Inline]) {
    for p in parts {
        match p {
            Inline::Text(s) => out.push_str(&escape(s)),
            Inline::Strong(s) => {
                let _ = write!(out, "<strong>{}</strong>", escape(s));
            }
            Inline::Code(s) => {
                let _ = write!(out, "<code>{}</code>", escape(s));
            }
            Inline::Link { text, anchor } => {
                let _ = write!(out, "<a href=\"#{}\">{}</a>", escape(anchor), escape(text));
            }
            Inline::Badge { text, class } => {
                let _ = write!(out, "<span class=\"badge {}\">{}</span>", escape(class), escape(text));
            }
            Inline::Note(s) => {
                let _ = write!(out, "<span class=\"note\">{}</span>", escape(s));
            }
        }
    }
}

fn block(out: &mut String, b: &Block) {
    match b {
        Block::Heading { level, text, anchor } => {
            let id = anchor.as_ref().map(|a| format!(" id=\"{}\"", escape(a))).unwrap_or_default();
            let _ = writeln!(out, "<h{level}{id}>{}</h{level}>", escape(text));
        }
        Block::Para(parts) => {
            out.push_str("<p>");
            inline(out, parts);
            out.push_str("</p>\n");
        }
        Block::List(items) => {
            out.push_str("<ul>\n");
            for i in items {
                out.push_str("<li>");
                inline(out, i);
                out.push_str("</li>\n");
            }
            out.push_str("</ul>\n");
        }
        Block::Table { head, rows, anchors } => {
            out.push_str("<div class=\"wide\"><table>\n");
            if head.iter().any(|h| !h.is_empty()) {
                out.push_str("<thead><tr>");
                for h in head {
                    let _ = write!(out, "<th>{}</th>", escape(h));
                }
                out.push_str("</tr></thead>\n");
            }
            out.push_str("<tbody>\n");
            for (k, row) in rows.iter().enumerate() {
                match anchors.get(k).and_then(|a| a.as_ref()) {
                    Some(a) => {
                        let _ = write!(out, "<tr id=\"{}\">", escape(a));
                    }
                    None => out.push_str("<tr>"),
                }
                for c in row {
                    out.push_str("<td>");
                    inline(out, c);
                    out.push_str("</td>");
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody></table></div>\n");
        }
        Block::Figure { svg, caption, .. } => {
            let _ = writeln!(out, "<figure>{svg}<figcaption>{}</figcaption></figure>", escape(caption));
        }
        Block::Details { summary, blocks } => {
            out.push_str("<details><summary>");
            inline(out, summary);
            out.push_str("</summary>\n");
            for b in blocks {
                block(out, b);
            }
            out.push_str("</details>\n");
        }
    }
}

/// The report as an HTML5 document.
pub fn render(r: &Report) -> String {
    let mut out = String::with_capacity(256 * 1024);
    let title = format!("{} — AIMS scope ({})", r.control.aims_name, r.control.organisation);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"aimscope {}\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        escape(&r.control.tool_version),
        escape(&title)
    );
    let _ = write!(
        out,
        "<header><h1>{}</h1><p>ISO/IEC 42001 AI management system scope · {} · version <code>{}</code> · scanned {}</p></header>\n<nav>",
        escape(&r.control.aims_name),
        escape(&r.control.organisation),
        escape(&r.control.version),
        escape(&super::doc::stamp(r.control.scanned_at))
    );
    for (id, title) in SECTIONS {
        let _ = write!(out, "<a href=\"#{id}\">{}</a>", escape(title));
    }
    out.push_str("</nav>\n<main>\n");
    for b in blocks(r) {
        block(&mut out, &b);
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}
