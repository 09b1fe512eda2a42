//! SVG charts for reports, drawn with plotters: readable in black and white (grey bars, dark
//! lines), with a title, axis labels and units.

use anyhow::{Result, anyhow};
use plotters::prelude::*;

/// A horizontal bar chart: one bar per category, the value written at the end of each bar.
pub fn bars(
    title: &str,
    unit: &str,
    categories: &[String],
    values: &[f64],
    nl: bool,
) -> Result<String> {
    let n = categories.len().min(values.len());
    let height = 60 + 26 * n as u32;
    let max = values.iter().copied().fold(0.0_f64, f64::max).max(1.0) * 1.15;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("chart: {e}"))?;
        let longest = categories
            .iter()
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(4);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", CAPTION))
            .margin(8)
            .x_label_area_size(34)
            .y_label_area_size((longest as u32 * 8).clamp(40, 300))
            .build_cartesian_2d(0.0..max, 0.0..n as f64)
            .map_err(|e| anyhow!("chart: {e}"))?;
        let label = |v: &f64| -> String {
            let i = v.floor() as usize;
            // Categories from top to bottom: the first row of the table at the top.
            if *v >= 0.0 && i < n && (v - v.floor() - 0.5).abs() < 1e-9 {
                categories[n - 1 - i].clone()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .label_style(("sans-serif", LABEL))
            .axis_desc_style(("sans-serif", LABEL))
            .x_desc(unit)
            .y_labels(2 * n + 1)
            .y_label_formatter(&label)
            .x_label_formatter(&|x| crate::lang::grouped(*x, nl))
            .draw()
            .map_err(|e| anyhow!("chart: {e}"))?;
        chart
            .draw_series((0..n).map(|i| {
                let y = (n - 1 - i) as f64;
                Rectangle::new(
                    [(0.0, y + 0.15), (values[i], y + 0.85)],
                    RGBColor(120, 120, 120).filled(),
                )
            }))
            .map_err(|e| anyhow!("chart: {e}"))?;
        chart
            .draw_series((0..n).map(|i| {
                let y = (n - 1 - i) as f64;
                Text::new(
                    crate::lang::grouped(values[i], nl),
                    (values[i] + max * 0.01, y + 0.65),
                    ("sans-serif", LABEL),
                )
            }))
            .map_err(|e| anyhow!("chart: {e}"))?;
        root.present().map_err(|e| anyhow!("chart: {e}"))?;
    }
    Ok(svg)
}

/// Text sizes as plotters takes them (it writes about 0.8 of them into the SVG: 16 becomes 13
/// pixels): large enough to read on a laptop and on paper, the SVG shown at its own size, 720
/// pixels wide.
const CAPTION: u32 = 22;
const LABEL: u32 = 16;

/// How a legend entry shows its series.
#[derive(Clone, Copy)]
enum Mark {
    Bar(RGBColor),
    Line(RGBColor, u32),
    Dashed,
    Triangle,
    /// A line with a point marker on it: 0 circle, 1 square, 2 triangle.
    LineWith(RGBColor, usize),
}

/// Height of a legend of `entries` below a chart `width` pixels wide (rows of entries).
fn legend_height(entries: &[(String, Mark)], width: u32) -> u32 {
    legend_rows(entries, width).len() as u32 * 20 + 8
}

/// The entries per row, each row fitting the width.
fn legend_rows(entries: &[(String, Mark)], width: u32) -> Vec<Vec<usize>> {
    let mut rows: Vec<Vec<usize>> = vec![Vec::new()];
    let mut x = 10;
    for (i, (name, _)) in entries.iter().enumerate() {
        let w = entry_width(name);
        if x + w > width && !rows.last().is_some_and(Vec::is_empty) {
            rows.push(Vec::new());
            x = 10;
        }
        rows.last_mut().expect("a row").push(i);
        x += w;
    }
    rows
}

fn entry_width(name: &str) -> u32 {
    // The mark, a gap, the text (about 7.5 pixels a character at 13 pixels), a gap.
    22 + 6 + (name.chars().count() as u32 * 15).div_ceil(2) + 20
}

/// Draws a legend in its own strip below the plot, so that it never covers the data.
fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    entries: &[(String, Mark)],
) -> Result<()> {
    let (width, _) = area.dim_in_pixel();
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("chart legend: {e}");
    for (r, row) in legend_rows(entries, width).iter().enumerate() {
        let y = 12 + 20 * r as i32;
        let mut x = 10i32;
        for &i in row {
            let (name, mark) = &entries[i];
            match *mark {
                Mark::Bar(c) => area
                    .draw(&Rectangle::new([(x, y - 5), (x + 22, y + 5)], c.filled()))
                    .map_err(err)?,
                Mark::Line(c, w) => area
                    .draw(&PathElement::new(
                        vec![(x, y), (x + 22, y)],
                        c.stroke_width(w),
                    ))
                    .map_err(err)?,
                Mark::Dashed => area
                    .draw(&plotters::element::DashedPathElement::new(
                        vec![(x, y), (x + 22, y)],
                        5,
                        3,
                        BLACK.stroke_width(2),
                    ))
                    .map_err(err)?,
                Mark::Triangle => area
                    .draw(&TriangleMarker::new((x + 11, y), 5, BLACK.filled()))
                    .map_err(err)?,
                Mark::LineWith(c, marker) => {
                    area.draw(&PathElement::new(
                        vec![(x, y), (x + 22, y)],
                        c.stroke_width(2),
                    ))
                    .map_err(err)?;
                    match marker {
                        0 => area.draw(&Circle::new((x + 11, y), 3, c.filled())),
                        1 => area.draw(&Rectangle::new(
                            [(x + 8, y - 3), (x + 14, y + 3)],
                            c.filled(),
                        )),
                        _ => area.draw(&TriangleMarker::new((x + 11, y), 4, c.filled())),
                    }
                    .map_err(err)?;
                }
            }
            area.draw(&Text::new(
                name.clone(),
                (x + 28, y - 7),
                ("sans-serif", LABEL).into_font().color(&BLACK),
            ))
            .map_err(err)?;
            x += entry_width(name) as i32;
        }
    }
    Ok(())
}

/// Step curves (Kaplan-Meier: the share still waiting against days), one per group, in grey
/// tones from black, with a legend below the plot.
pub fn steps(
    title: &str,
    x_unit: &str,
    y_unit: &str,
    curves: &[(String, Vec<(f64, f64)>)],
    nl: bool,
) -> Result<String> {
    let max_x = curves
        .iter()
        .flat_map(|(_, p)| p.iter().map(|q| q.0))
        .fold(1.0_f64, f64::max)
        * 1.05;
    let tones = [0u8, 110, 170, 60, 200, 140];
    let entries: Vec<(String, Mark)> = curves
        .iter()
        .enumerate()
        .map(|(k, (name, _))| {
            let g = tones[k % tones.len()];
            (name.clone(), Mark::Line(RGBColor(g, g, g), 2))
        })
        .collect();
    let below = legend_height(&entries, 720);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 380 + below)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("chart: {e}"))?;
        let (plot, strip) = root.split_vertically(380);
        let mut chart = ChartBuilder::on(&plot)
            .caption(title, ("sans-serif", CAPTION))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(0.0..max_x, 0.0..1.0)
            .map_err(|e| anyhow!("chart: {e}"))?;
        chart
            .configure_mesh()
            .x_desc(x_unit)
            .y_desc(y_unit)
            .label_style(("sans-serif", LABEL))
            .axis_desc_style(("sans-serif", LABEL))
            .x_label_formatter(&|x| crate::lang::grouped(*x, nl))
            .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
            .draw()
            .map_err(|e| anyhow!("chart: {e}"))?;
        for (k, (name, points)) in curves.iter().enumerate() {
            let g = tones[k % tones.len()];
            let color = RGBColor(g, g, g);
            // A step curve: the share holds until the next day with decisions.
            let mut path = vec![(0.0, 1.0)];
            for &(x, y) in points {
                let last = path.last().map_or(1.0, |p: &(f64, f64)| p.1);
                path.push((x, last));
                path.push((x, y));
            }
            let _ = name;
            chart
                .draw_series(LineSeries::new(path, color.stroke_width(2)))
                .map_err(|e| anyhow!("chart: {e}"))?;
        }
        legend(&strip, &entries)?;
        root.present().map_err(|e| anyhow!("chart: {e}"))?;
    }
    Ok(svg)
}

/// Lines over labelled periods (weeks), one per series, in grey tones with distinct point
/// markers so that they stay apart in black and white; a legend names them.
pub fn lines(
    title: &str,
    x_unit: &str,
    y_unit: &str,
    x_labels: &[String],
    series: &[(String, Vec<f64>)],
    nl: bool,
) -> Result<String> {
    let n = x_labels.len();
    let max_y = series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .fold(1.0_f64, f64::max)
        * 1.1;
    // Below zero only when a value is (a credit note in a month).
    let min_y = series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .fold(0.0_f64, f64::min)
        * 1.1;
    let tones = [0u8, 120, 180];
    let entries: Vec<(String, Mark)> = series
        .iter()
        .enumerate()
        .map(|(k, (name, _))| {
            let g = tones[k % tones.len()];
            (
                name.clone(),
                Mark::LineWith(RGBColor(g, g, g), (k + k / 3) % 3),
            )
        })
        .collect();
    let below = legend_height(&entries, 720);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 360 + below)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("chart: {e}"))?;
        let (plot, strip) = root.split_vertically(360);
        let mut chart = ChartBuilder::on(&plot)
            .caption(title, ("sans-serif", CAPTION))
            .margin(10)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5..(n as f64 - 0.5), min_y..max_y)
            .map_err(|e| anyhow!("chart: {e}"))?;
        let label = |x: &f64| -> String {
            let i = x.round();
            if (x - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < n {
                x_labels[i as usize].clone()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .x_desc(x_unit)
            .y_desc(y_unit)
            .label_style(("sans-serif", LABEL))
            .axis_desc_style(("sans-serif", LABEL))
            .x_labels(n.min(14))
            .x_label_formatter(&label)
            .y_label_formatter(&|y| crate::lang::grouped(*y, nl))
            .draw()
            .map_err(|e| anyhow!("chart: {e}"))?;
        for (k, (_, values)) in series.iter().enumerate() {
            let g = tones[k % tones.len()];
            let color = RGBColor(g, g, g);
            // Markers: circles, squares, triangles; with more than three series the next
            // three pair each tone with another marker.
            let marker = (k + k / 3) % 3;
            let points: Vec<(f64, f64)> = values
                .iter()
                .enumerate()
                .map(|(i, v)| (i as f64, *v))
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
                .map_err(|e| anyhow!("chart: {e}"))?;
            match marker {
                0 => chart.draw_series(points.iter().map(|p| Circle::new(*p, 3, color.filled()))),
                // Squares in pixels, whatever the scale of the axes.
                1 => chart.draw_series(points.iter().map(|p| {
                    EmptyElement::at(*p) + Rectangle::new([(-3, -3), (3, 3)], color.filled())
                })),
                _ => chart.draw_series(
                    points
                        .iter()
                        .map(|p| TriangleMarker::new(*p, 4, color.filled())),
                ),
            }
            .map_err(|e| anyhow!("chart: {e}"))?;
        }
        legend(&strip, &entries)?;
        root.present().map_err(|e| anyhow!("chart: {e}"))?;
    }
    Ok(svg)
}

/// One series judged for peaks: the counts per period as grey bars, the expected count as a
/// dashed line, the upper bound as a solid line, and the alarms marked with a black triangle
/// above their bar (and a darker bar).
pub struct PeakSeries<'a> {
    pub title: &'a str,
    pub x_unit: &'a str,
    pub y_unit: &'a str,
    pub periods: &'a [String],
    pub observed: &'a [f64],
    pub expected: &'a [Option<f64>],
    pub upper: &'a [Option<f64>],
    pub alarm: &'a [bool],
}

pub fn peaks(p: &PeakSeries<'_>, nl: bool) -> Result<String> {
    let n = p.periods.len();
    let max_y = p
        .observed
        .iter()
        .copied()
        .chain(p.upper.iter().flatten().copied())
        .fold(1.0_f64, f64::max)
        * 1.15;
    let (observed, expected, upper, alarm) = if nl {
        ("aantal", "verwacht", "bovengrens", "piek")
    } else {
        ("count", "expected", "upper bound", "peak")
    };
    let light = RGBColor(200, 200, 200);
    let dark = RGBColor(90, 90, 90);
    let mut entries = vec![(observed.to_string(), Mark::Bar(light))];
    if p.expected.iter().any(Option::is_some) {
        entries.push((expected.to_string(), Mark::Dashed));
    }
    if p.upper.iter().any(Option::is_some) {
        entries.push((upper.to_string(), Mark::Line(BLACK, 1)));
    }
    if p.alarm.iter().any(|a| *a) {
        entries.push((alarm.to_string(), Mark::Triangle));
    }
    let below = legend_height(&entries, 720);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 340 + below)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("chart: {e}"))?;
        let (plot, strip) = root.split_vertically(340);
        let mut chart = ChartBuilder::on(&plot)
            .caption(p.title, ("sans-serif", CAPTION))
            .margin(10)
            .x_label_area_size(44)
            .y_label_area_size(56)
            .build_cartesian_2d(-0.5..(n as f64 - 0.5), 0.0..max_y)
            .map_err(|e| anyhow!("chart: {e}"))?;
        let label = |x: &f64| -> String {
            let i = x.round();
            if (x - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < n {
                p.periods[i as usize].clone()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc(p.x_unit)
            .y_desc(p.y_unit)
            .label_style(("sans-serif", LABEL))
            .axis_desc_style(("sans-serif", LABEL))
            .x_labels(n.min(13))
            .x_label_formatter(&label)
            .y_label_formatter(&|y| crate::lang::grouped(*y, nl))
            .draw()
            .map_err(|e| anyhow!("chart: {e}"))?;
        chart
            .draw_series(
                p.observed
                    .iter()
                    .zip(p.alarm)
                    .enumerate()
                    .map(|(i, (v, a))| {
                        let x = i as f64;
                        let tone = if *a { dark } else { light };
                        Rectangle::new([(x - 0.35, 0.0), (x + 0.35, *v)], tone.filled())
                    }),
            )
            .map_err(|e| anyhow!("chart: {e}"))?;
        // A line per stretch of periods that has a value (no model: no line).
        let stretches = |values: &[Option<f64>]| -> Vec<Vec<(f64, f64)>> {
            let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
            for (i, v) in values.iter().enumerate() {
                match v {
                    Some(v) => out.last_mut().unwrap().push((i as f64, *v)),
                    None => out.push(Vec::new()),
                }
            }
            out.retain(|s| !s.is_empty());
            out
        };
        for points in stretches(p.expected) {
            chart
                .draw_series(DashedLineSeries::new(points, 6, 4, BLACK.stroke_width(2)))
                .map_err(|e| anyhow!("chart: {e}"))?;
        }
        for points in stretches(p.upper) {
            chart
                .draw_series(LineSeries::new(points, BLACK.stroke_width(1)))
                .map_err(|e| anyhow!("chart: {e}"))?;
        }
        if p.alarm.iter().any(|a| *a) {
            let lift = max_y * 0.04;
            chart
                .draw_series(
                    p.observed
                        .iter()
                        .zip(p.alarm)
                        .enumerate()
                        .filter(|(_, (_, a))| **a)
                        .map(|(i, (v, _))| {
                            TriangleMarker::new((i as f64, v + lift), 6, BLACK.filled())
                        }),
                )
                .map_err(|e| anyhow!("chart: {e}"))?;
        }
        legend(&strip, &entries)?;
        root.present().map_err(|e| anyhow!("chart: {e}"))?;
    }
    Ok(svg)
}

/// A Gantt chart: one bar per item from its start to its end (an open end runs to `today`,
/// drawn lighter), a vertical line at `today`, dates on the x axis.
pub fn gantt(
    title: &str,
    items: &[(String, i32, Option<i32>)],
    today: i32,
    nl: bool,
) -> Result<String> {
    let n = items.len();
    let lo = items.iter().map(|i| i.1).min().unwrap_or(today).min(today);
    let hi = items
        .iter()
        .map(|i| i.2.unwrap_or(today))
        .max()
        .unwrap_or(today)
        .max(today);
    let pad = ((hi - lo) as f64 * 0.03).max(7.0);
    let (x0, x1) = (lo as f64 - pad, hi as f64 + pad);
    let height = 70 + 24 * n as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("chart: {e}"))?;
        let longest = items.iter().map(|i| i.0.chars().count()).max().unwrap_or(4);
        let peildatum = crate::dates::from_day_number(today)
            .map(|d| {
                d.format(if nl { "%d-%m-%Y" } else { "%Y-%m-%d" })
                    .to_string()
            })
            .unwrap_or_default();
        let x_desc = if nl {
            format!("datum (lijn: peildatum {peildatum}; licht: geen einddatum)")
        } else {
            format!("date (line: as of {peildatum}; light: no end date)")
        };
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", CAPTION))
            .margin(8)
            .x_label_area_size(34)
            .y_label_area_size((longest as u32 * 8).clamp(40, 300))
            .build_cartesian_2d(x0..x1, 0.0..n as f64)
            .map_err(|e| anyhow!("chart: {e}"))?;
        let label = |v: &f64| -> String {
            let i = v.floor() as usize;
            if *v >= 0.0 && i < n && (v - v.floor() - 0.5).abs() < 1e-9 {
                items[n - 1 - i].0.clone()
            } else {
                String::new()
            }
        };
        let date = |x: &f64| -> String {
            crate::dates::from_day_number(x.round() as i32)
                .map(|d| d.format(if nl { "%m-%Y" } else { "%Y-%m" }).to_string())
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .label_style(("sans-serif", LABEL))
            .axis_desc_style(("sans-serif", LABEL))
            .y_labels(2 * n + 1)
            .y_label_formatter(&label)
            .x_labels(8)
            .x_label_formatter(&date)
            .x_desc(x_desc.as_str())
            .draw()
            .map_err(|e| anyhow!("chart: {e}"))?;
        chart
            .draw_series(items.iter().enumerate().map(|(k, (_, start, end))| {
                let y = (n - 1 - k) as f64;
                let (to, tone) = match end {
                    Some(e) => (*e as f64, 110),
                    None => (today as f64, 180),
                };
                Rectangle::new(
                    [(*start as f64, y + 0.2), (to, y + 0.8)],
                    RGBColor(tone, tone, tone).filled(),
                )
            }))
            .map_err(|e| anyhow!("chart: {e}"))?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(today as f64, 0.0), (today as f64, n as f64)],
                BLACK.stroke_width(1),
            )))
            .map_err(|e| anyhow!("chart: {e}"))?;
        root.present().map_err(|e| anyhow!("chart: {e}"))?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_chart_is_an_svg_with_its_labels() {
        let svg = bars(
            "Meldingen per categorie",
            "meldingen",
            &["Groen".into(), "Afval".into()],
            &[5.0, 3.0],
            true,
        )
        .unwrap();
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{svg}"
        );
        assert!(
            svg.contains("Meldingen per categorie")
                && svg.contains("Groen")
                && svg.contains("Afval")
        );
        // The background and the two bars.
        assert!(svg.matches("<rect").count() >= 3, "{svg}");
    }

    #[test]
    fn a_gantt_chart_has_a_bar_per_item_and_the_peildatum() {
        // 2024-03-14 is day 19796, 2025-12-31 day 20453, 2024-07-31 day 19935.
        let items = vec![
            ("Herinrichting Markt".to_string(), 19796, Some(20453)),
            ("Nieuw zwembad".to_string(), 19358, None),
        ];
        let svg = gantt("Tijdlijn", &items, 19935, true).unwrap();
        assert!(svg.contains("Herinrichting Markt") && svg.contains("Nieuw zwembad"));
        assert!(svg.contains("peildatum 31-07-2024"), "{svg}");
        // A dark bar for the item with an end date, a light one for the open one.
        assert!(svg.contains("#6E6E6E") && svg.contains("#B4B4B4"), "{svg}");
    }

    #[test]
    fn a_peaks_chart_marks_each_alarm_and_names_its_lines() {
        let periods: Vec<String> = ["03-06", "10-06", "17-06", "24-06"]
            .map(String::from)
            .into();
        let svg = peaks(
            &PeakSeries {
                title: "Pieken: Groen",
                x_unit: "week (maandag)",
                y_unit: "aantal",
                periods: &periods,
                observed: &[7.0, 10.0, 16.0, 28.0],
                expected: &[Some(6.3), Some(6.8), Some(7.1), Some(6.8)],
                upper: &[Some(11.0), None, Some(12.0), Some(11.5)],
                alarm: &[false, false, true, true],
            },
            true,
        )
        .unwrap();
        for text in [
            "Pieken: Groen",
            "aantal",
            "verwacht",
            "bovengrens",
            "piek",
            "24-06",
        ] {
            assert!(svg.contains(text), "{text}: {svg}");
        }
        // A triangle above each of the two alarms, one in the legend.
        assert_eq!(svg.matches("<polygon").count(), 3, "{svg}");
        // The dark bars of the alarms.
        assert_eq!(svg.matches("#5A5A5A").count(), 2, "{svg}");
    }

    /// Issue 11, item 11: a legend never covers the data: it stands in a strip below the
    /// plot (every legend text lower than the x-axis title), in 13-pixel type.
    #[test]
    fn legends_stand_below_the_plot() {
        let periods: Vec<String> = ["03-06", "10-06"].map(String::from).into();
        let svg = peaks(
            &PeakSeries {
                title: "Pieken: Groen",
                x_unit: "week (maandag)",
                y_unit: "aantal",
                periods: &periods,
                observed: &[7.0, 28.0],
                expected: &[Some(6.3), Some(6.8)],
                upper: &[Some(11.0), Some(11.5)],
                alarm: &[false, true],
            },
            true,
        )
        .unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let y_of = |text: &str| -> Vec<f64> {
            doc.descendants()
                .filter(|n| n.has_tag_name("text") && n.text().map(str::trim) == Some(text))
                .filter(|n| !n.attribute("transform").unwrap_or("").contains("rotate"))
                .filter_map(|n| n.attribute("y")?.parse().ok())
                .collect()
        };
        let axis = y_of("week (maandag)")[0];
        for legend in ["verwacht", "bovengrens", "piek", "aantal"] {
            let ys = y_of(legend);
            assert!(
                !ys.is_empty() && ys.iter().all(|y| *y > axis),
                "{legend}: {ys:?} vs {axis}"
            );
        }
        // Labels of about 13 pixels (plotters writes 16 as 12.9).
        let sizes: Vec<f64> = doc
            .descendants()
            .filter_map(|n| n.attribute("font-size")?.parse().ok())
            .collect();
        assert!(sizes.iter().all(|s| *s >= 12.5), "{sizes:?}");
    }

    #[test]
    fn labels_with_markup_characters_stay_valid_xml() {
        let svg = bars(
            "Kosten <per> leverancier",
            "EUR",
            &["Detacheer & Co".into(), "\"Interim\" BV".into()],
            &[5.0, 3.0],
            true,
        )
        .unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let texts: Vec<&str> = doc
            .descendants()
            .filter_map(|n| n.text())
            .map(str::trim)
            .collect();
        assert!(texts.contains(&"Detacheer & Co"), "{texts:?}");
        assert!(texts.contains(&"Kosten <per> leverancier"), "{texts:?}");
    }

    #[test]
    fn axis_numbers_group_thousands() {
        assert_eq!(crate::lang::grouped(20000.0, true), "20.000");
        assert_eq!(crate::lang::grouped(20000.0, false), "20,000");
        assert_eq!(crate::lang::grouped(-1234567.0, true), "-1.234.567");
        assert_eq!(crate::lang::grouped(2.5, true), "2,5");
        assert_eq!(crate::lang::grouped(999.0, true), "999");
        assert_eq!(crate::lang::grouped(1500.25, false), "1,500.2");
    }
}
