//! Small, self-contained SVG charts for the HTML report: stacked horizontal bars
//! for grade profiles and a line chart for monthly trends. Written by hand rather
//! than with a chart crate: a few hundred bytes of plain SVG per chart, no scripts,
//! accessible (`<title>`, `<desc>`, `role="img"`), and readable in greyscale (the
//! grades differ in lightness and the worst is hatched; the lines differ in marker).

use crate::themes::{TOO_FEW_BELOW, too_few};
use std::fmt::Write;

/// Fill colours for the grades, best first: dark to light, then a hatched red.
const GRADE_FILLS: [&str; 4] = ["#1f4e79", "#5b9bd5", "#d9e7f5", "url(#hatch)"];
const EXTRA_FILL: &str = "#999999";

/// Escapes text for SVG and HTML.
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn fill(i: usize) -> &'static str {
    GRADE_FILLS.get(i).copied().unwrap_or(EXTRA_FILL)
}

/// The pattern used for the last grade; included once per chart so each is self-contained.
const DEFS: &str = r##"<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f4cccc"/><line x1="0" y1="0" x2="0" y2="6" stroke="#a61c00" stroke-width="3"/></pattern></defs>"##;

/// A stacked horizontal bar per category: the share of each grade, with counts.
/// A bar of fewer than [`TOO_FEW_BELOW`] is drawn faint and labelled too few:
/// its shares say little.
pub(crate) fn stacked_bars(
    title: &str,
    desc: &str,
    series: &[String],
    categories: &[(String, Vec<u64>)],
) -> String {
    let (label_w, bar_w, row_h, top) = (190.0, 420.0, 22.0, 34.0);
    let width = label_w + bar_w + 110.0;
    let height = top + row_h * categories.len() as f64 + 40.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="sans-serif" font-size="12"><title>{}</title><desc>{}</desc>{DEFS}"#,
        esc(title),
        esc(desc)
    );
    // Legend.
    let mut x = label_w;
    for (i, s) in series.iter().enumerate() {
        let _ = write!(
            svg,
            r##"<rect x="{x}" y="8" width="12" height="12" fill="{}" stroke="#333" stroke-width="0.5"/><text x="{}" y="18">{}</text>"##,
            fill(i),
            x + 16.0,
            esc(s)
        );
        x += 24.0 + 7.0 * s.chars().count() as f64;
    }
    for (r, (label, counts)) in categories.iter().enumerate() {
        let y = top + row_h * r as f64;
        let total: u64 = counts.iter().sum();
        let few = total > 0 && total < TOO_FEW_BELOW;
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            label_w - 8.0,
            y + 14.0,
            esc(label)
        );
        let mut x = label_w;
        if few {
            svg.push_str(r#"<g opacity="0.35">"#);
        }
        for (i, &n) in counts.iter().enumerate() {
            if n == 0 || total == 0 {
                continue;
            }
            let w = bar_w * n as f64 / total as f64;
            let _ = write!(
                svg,
                r##"<rect x="{x:.1}" y="{y}" width="{w:.1}" height="{}" fill="{}" stroke="#fff" stroke-width="0.5"><title>{}: {n} of {total}</title></rect>"##,
                row_h - 4.0,
                fill(i),
                esc(series.get(i).map_or("", String::as_str))
            );
            if w > 18.0 {
                let ink = if i == 0 || i == 1 { "#fff" } else { "#000" };
                let _ = write!(
                    svg,
                    r#"<text x="{:.1}" y="{}" text-anchor="middle" fill="{ink}" font-size="10">{n}</text>"#,
                    x + w / 2.0,
                    y + 13.0
                );
            }
            x += w;
        }
        if few {
            svg.push_str("</g>");
        }
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" fill="#333">{}</text>"##,
            label_w + bar_w + 6.0,
            y + 14.0,
            if few { too_few(total) } else { format!("n={total}") }
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Marker shapes, so lines can be told apart without colour.
const MARKERS: [&str; 3] = ["circle", "square", "triangle"];
const LINE_COLOURS: [&str; 3] = ["#1f4e79", "#a61c00", "#38761d"];

/// A line per series over the months (values 0–100, gaps where `None`).
pub(crate) fn lines(
    title: &str,
    desc: &str,
    months: &[String],
    series: &[(String, Vec<Option<f64>>)],
) -> String {
    let (left, right, top, bottom) = (46.0, 20.0, 34.0, 40.0);
    let (plot_w, plot_h) = (560.0, 200.0);
    let (width, height) = (left + plot_w + right, top + plot_h + bottom);
    let y_max = series
        .iter()
        .flat_map(|(_, v)| v.iter().flatten().copied())
        .fold(10.0_f64, f64::max)
        .min(100.0);
    let y_max = (y_max / 10.0).ceil() * 10.0;
    let x_of = |i: usize| {
        if months.len() <= 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (months.len() - 1) as f64
        }
    };
    let y_of = |v: f64| top + plot_h * (1.0 - v / y_max);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="sans-serif" font-size="12"><title>{}</title><desc>{}</desc>"#,
        esc(title),
        esc(desc)
    );
    for step in 0..=5 {
        let v = y_max * f64::from(step) / 5.0;
        let y = y_of(v);
        let _ = write!(
            svg,
            r##"<line x1="{left}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end">{v:.0}%</text>"##,
            left + plot_w,
            left - 6.0,
            y + 4.0
        );
    }
    for (i, m) in months.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{}" text-anchor="middle" font-size="10">{}</text>"#,
            x_of(i),
            top + plot_h + 16.0,
            esc(m)
        );
    }
    let mut legend_x = left;
    for (s, (name, values)) in series.iter().enumerate() {
        let colour = LINE_COLOURS[s % LINE_COLOURS.len()];
        let dash = if s == 1 { r#" stroke-dasharray="6 3""# } else { "" };
        let mut path = String::new();
        let mut pen_down = false;
        for (i, v) in values.iter().enumerate() {
            match v {
                Some(v) => {
                    let _ = write!(
                        path,
                        "{}{:.1},{:.1} ",
                        if pen_down { "L" } else { "M" },
                        x_of(i),
                        y_of(*v)
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        if !path.is_empty() {
            let _ = write!(
                svg,
                r#"<path d="{}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>"#,
                path.trim_end()
            );
        }
        for (i, v) in values.iter().enumerate() {
            if let Some(v) = v {
                svg.push_str(&marker(
                    MARKERS[s % MARKERS.len()],
                    x_of(i),
                    y_of(*v),
                    colour,
                    &format!("{name}, {}: {v:.1}%", months[i]),
                ));
            }
        }
        svg.push_str(&marker(
            MARKERS[s % MARKERS.len()],
            legend_x + 6.0,
            14.0,
            colour,
            name,
        ));
        let _ = write!(
            svg,
            r#"<text x="{}" y="18">{}</text>"#,
            legend_x + 16.0,
            esc(name)
        );
        legend_x += 40.0 + 7.0 * name.chars().count() as f64;
    }
    svg.push_str("</svg>");
    svg
}

fn marker(shape: &str, x: f64, y: f64, colour: &str, label: &str) -> String {
    let title = format!("<title>{}</title>", esc(label));
    match shape {
        "square" => format!(
            r#"<rect x="{:.1}" y="{:.1}" width="8" height="8" fill="{colour}">{title}</rect>"#,
            x - 4.0,
            y - 4.0
        ),
        "triangle" => format!(
            r#"<polygon points="{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}" fill="{colour}">{title}</polygon>"#,
            x,
            y - 5.0,
            x - 5.0,
            y + 4.0,
            x + 5.0,
            y + 4.0
        ),
        _ => format!(r#"<circle cx="{x:.1}" cy="{y:.1}" r="4" fill="{colour}">{title}</circle>"#),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_accessible_svg() {
        let svg = stacked_bars(
            "Grades by element",
            "Share of each grade",
            &["Good".to_string(), "Bad <x>".to_string()],
            &[
                ("risk".to_string(), vec![3, 1]),
                ("empty".to_string(), vec![0, 0]),
            ],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title>Grades by element</title>") && svg.contains("<desc>"));
        assert!(svg.contains("Bad &lt;x&gt;") && svg.contains("Good: 3 of 4"));
        // Four is too few: the bar is faint and says so.
        assert!(svg.contains(r#"<g opacity="0.35">"#) && svg.contains(">too few (n=4)<"));
        let five = stacked_bars("T", "D", &["Good".to_string()], &[("a".to_string(), vec![5])]);
        assert!(five.contains(">n=5<") && !five.contains("opacity"));
    }

    #[test]
    fn lines_leave_gaps() {
        let svg = lines(
            "Trend",
            "Changed and challenged",
            &["2026-01".into(), "2026-02".into(), "2026-03".into()],
            &[
                ("changed".into(), vec![Some(10.0), None, Some(20.0)]),
                ("challenged".into(), vec![None, None, None]),
            ],
        );
        assert_eq!(svg.matches("<path").count(), 1, "no line for an all-empty series");
        assert_eq!(
            svg.matches(" M").count() + svg.matches("\"M").count(),
            2,
            "a gap starts a new stroke"
        );
    }
}
