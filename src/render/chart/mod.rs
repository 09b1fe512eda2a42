//! SVG charts for reports, drawn with plotters: readable in black and white (grey bars, dark
//! lines), with a title, axis labels and units.

mod legend;

use anyhow::{Result, anyhow};
use legend::{Mark, legend, legend_height};
use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::ops::Range;

/// Text sizes as plotters takes them (it writes about 0.8 of them into the SVG: 16 becomes 13
/// pixels): large enough to read on a laptop and on paper, the SVG shown at its own size, 720
/// pixels wide.
const CAPTION: u32 = 22;
const LABEL: u32 = 16;

/// The width of a chart in pixels (a Gantt chart's is a little more).
const WIDTH: u32 = 720;

/// The drawing area of a chart written into an SVG string.
type Area<'s> = DrawingArea<SVGBackend<'s>, Shift>;

/// A chart with numbers on both axes.
type Plot<'a, 's> = ChartContext<'a, SVGBackend<'s>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A plotters error as a chart's error.
fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("chart: {e}")
}

/// An SVG of `size` pixels: a white ground, then what `draw` draws on it.
fn svg(size: (u32, u32), draw: impl FnOnce(&Area<'_>) -> Result<()>) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        draw(&root)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// An SVG `WIDTH` pixels wide: a plot of `height` pixels, which `draw` draws, and below it the
/// legend of `entries` in a strip of its own.
fn svg_with_legend(
    height: u32,
    entries: &[(String, Mark)],
    draw: impl FnOnce(&Area<'_>) -> Result<()>,
) -> Result<String> {
    svg((WIDTH, height + legend_height(entries, WIDTH)), |root| {
        let (plot, strip) = root.split_vertically(height);
        draw(&plot)?;
        legend(&strip, entries)
    })
}

/// The layout of a chart around its plot: the caption, the margin, and the room for the labels
/// below the x axis and beside the y axis (pixels).
struct Frame<'t> {
    title: &'t str,
    margin: u32,
    x_labels: u32,
    y_labels: u32,
}

impl Frame<'_> {
    /// The chart on `area`, with these ranges on its axes.
    fn build<'a, 's>(
        &self,
        area: &'a Area<'s>,
        x: Range<f64>,
        y: Range<f64>,
    ) -> Result<Plot<'a, 's>> {
        ChartBuilder::on(area)
            .caption(self.title, ("sans-serif", CAPTION))
            .margin(self.margin)
            .x_label_area_size(self.x_labels)
            .y_label_area_size(self.y_labels)
            .build_cartesian_2d(x, y)
            .map_err(err)
    }
}

/// The mesh of a chart, its labels and axis titles in the size of every chart.
fn mesh<'a, 'b, 's>(
    chart: &'b mut Plot<'a, 's>,
) -> MeshStyle<'a, 'b, RangedCoordf64, RangedCoordf64, SVGBackend<'s>> {
    let mut mesh = chart.configure_mesh();
    mesh.label_style(("sans-serif", LABEL))
        .axis_desc_style(("sans-serif", LABEL));
    mesh
}

/// Room beside the y axis for the longest of `names`: 8 pixels a character, 40 to 300.
fn name_room<'n>(names: impl Iterator<Item = &'n str>) -> u32 {
    let longest = names.map(|c| c.chars().count()).max().unwrap_or(4);
    (longest as u32 * 8).clamp(40, 300)
}

/// On a y axis of `n` horizontal bars, the first at the top: the bar (counted from the top)
/// whose middle is at `v`, if any.
fn bar_at(v: f64, n: usize) -> Option<usize> {
    let i = v.floor() as usize;
    (v >= 0.0 && i < n && (v - v.floor() - 0.5).abs() < 1e-9).then(|| n - 1 - i)
}

/// On an x axis of `n` periods: the period at `x`, if any.
fn period_at(x: f64, n: usize) -> Option<usize> {
    let i = x.round();
    ((x - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < n).then_some(i as usize)
}

/// The grey of series `k`: `tones` in turn.
fn grey(tones: &[u8], k: usize) -> RGBColor {
    let g = tones[k % tones.len()];
    RGBColor(g, g, g)
}

/// A horizontal bar chart: one bar per category, the value written at the end of each bar.
pub fn bars(
    title: &str,
    unit: &str,
    categories: &[String],
    values: &[f64],
    nl: bool,
) -> Result<String> {
    let n = categories.len().min(values.len());
    let max = values.iter().copied().fold(0.0_f64, f64::max).max(1.0) * 1.15;
    let frame = Frame {
        title,
        margin: 8,
        x_labels: 34,
        y_labels: name_room(categories.iter().map(String::as_str)),
    };
    svg((WIDTH, 60 + 26 * n as u32), |root| {
        let mut chart = frame.build(root, 0.0..max, 0.0..n as f64)?;
        // Categories from top to bottom: the first row of the table at the top.
        let label = |v: &f64| {
            bar_at(*v, n)
                .map(|k| categories[k].clone())
                .unwrap_or_default()
        };
        mesh(&mut chart)
            .disable_y_mesh()
            .x_desc(unit)
            .y_labels(2 * n + 1)
            .y_label_formatter(&label)
            .x_label_formatter(&|x| crate::lang::grouped(*x, nl))
            .draw()
            .map_err(err)?;
        draw_bars(&mut chart, &values[..n], max, nl)
    })
}

/// The bars of a bar chart whose x axis runs to `max`, the first at the top, each with its
/// value at its end.
fn draw_bars(chart: &mut Plot<'_, '_>, values: &[f64], max: f64, nl: bool) -> Result<()> {
    let n = values.len();
    let y = |i: usize| (n - 1 - i) as f64;
    chart
        .draw_series((0..n).map(|i| {
            let bar = [(0.0, y(i) + 0.15), (values[i], y(i) + 0.85)];
            Rectangle::new(bar, RGBColor(120, 120, 120).filled())
        }))
        .map_err(err)?;
    chart
        .draw_series((0..n).map(|i| {
            let at = (values[i] + max * 0.01, y(i) + 0.65);
            Text::new(
                crate::lang::grouped(values[i], nl),
                at,
                ("sans-serif", LABEL),
            )
        }))
        .map_err(err)?;
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
        .map(|(k, (name, _))| (name.clone(), Mark::Line(grey(&tones, k), 2)))
        .collect();
    let frame = Frame {
        title,
        margin: 10,
        x_labels: 40,
        y_labels: 56,
    };
    svg_with_legend(380, &entries, |plot| {
        let mut chart = frame.build(plot, 0.0..max_x, 0.0..1.0)?;
        mesh(&mut chart)
            .x_desc(x_unit)
            .y_desc(y_unit)
            .x_label_formatter(&|x| crate::lang::grouped(*x, nl))
            .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
            .draw()
            .map_err(err)?;
        for (k, (_, points)) in curves.iter().enumerate() {
            let line = LineSeries::new(step_path(points), grey(&tones, k).stroke_width(2));
            chart.draw_series(line).map_err(err)?;
        }
        Ok(())
    })
}

/// A step curve from (0, 1) through `points`: the share holds until the next day with
/// decisions.
fn step_path(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut path = vec![(0.0, 1.0)];
    for &(x, y) in points {
        let last = path.last().map_or(1.0, |p: &(f64, f64)| p.1);
        path.push((x, last));
        path.push((x, y));
    }
    path
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
    let (min_y, max_y) = value_range(series);
    let entries: Vec<(String, Mark)> = series
        .iter()
        .enumerate()
        .map(|(k, (name, _))| {
            let (color, marker) = line_style(k);
            (name.clone(), Mark::LineWith(color, marker))
        })
        .collect();
    let frame = Frame {
        title,
        margin: 10,
        x_labels: 44,
        y_labels: 70,
    };
    svg_with_legend(360, &entries, |plot| {
        let mut chart = frame.build(plot, -0.5..(n as f64 - 0.5), min_y..max_y)?;
        let label = |x: &f64| {
            period_at(*x, n)
                .map(|i| x_labels[i].clone())
                .unwrap_or_default()
        };
        mesh(&mut chart)
            .x_desc(x_unit)
            .y_desc(y_unit)
            .x_labels(n.min(14))
            .x_label_formatter(&label)
            .y_label_formatter(&|y| crate::lang::grouped(*y, nl))
            .draw()
            .map_err(err)?;
        for (k, (_, values)) in series.iter().enumerate() {
            draw_line(&mut chart, values, line_style(k))?;
        }
        Ok(())
    })
}

/// The grey and the point marker of line `k`: circles, squares, triangles; with more than
/// three series the next three pair each tone with another marker.
fn line_style(k: usize) -> (RGBColor, usize) {
    (grey(&[0, 120, 180], k), (k + k / 3) % 3)
}

/// A line through `values`, one per period, with its point markers.
fn draw_line(
    chart: &mut Plot<'_, '_>,
    values: &[f64],
    (color, marker): (RGBColor, usize),
) -> Result<()> {
    let points: Vec<(f64, f64)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (i as f64, *v))
        .collect();
    chart
        .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
        .map_err(err)?;
    draw_markers(chart, &points, color, marker)
}

/// The y axis of a lines chart: from zero, or below it only when a value is (a credit note in
/// a month), to the highest value (at least 1), with a tenth more room.
fn value_range(series: &[(String, Vec<f64>)]) -> (f64, f64) {
    let values = || series.iter().flat_map(|(_, v)| v.iter().copied());
    let max_y = values().fold(1.0_f64, f64::max) * 1.1;
    let min_y = values().fold(0.0_f64, f64::min) * 1.1;
    (min_y, max_y)
}

/// The point markers of a line: 0 circles, 1 squares, 2 triangles.
fn draw_markers(
    chart: &mut Plot<'_, '_>,
    points: &[(f64, f64)],
    color: RGBColor,
    marker: usize,
) -> Result<()> {
    match marker {
        0 => chart.draw_series(points.iter().map(|p| Circle::new(*p, 3, color.filled()))),
        // Squares in pixels, whatever the scale of the axes.
        1 => chart.draw_series(
            points
                .iter()
                .map(|p| EmptyElement::at(*p) + Rectangle::new([(-3, -3), (3, 3)], color.filled())),
        ),
        _ => chart.draw_series(
            points
                .iter()
                .map(|p| TriangleMarker::new(*p, 4, color.filled())),
        ),
    }
    .map_err(err)?;
    Ok(())
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

/// The bar of a period without an alarm, and with one.
const LIGHT: RGBColor = RGBColor(200, 200, 200);
const DARK: RGBColor = RGBColor(90, 90, 90);

/// A peaks chart of one series (see `PeakSeries`), with a legend below the plot.
pub fn peaks(p: &PeakSeries<'_>, nl: bool) -> Result<String> {
    let n = p.periods.len();
    let max_y = p
        .observed
        .iter()
        .copied()
        .chain(p.upper.iter().flatten().copied())
        .fold(1.0_f64, f64::max)
        * 1.15;
    let frame = Frame {
        title: p.title,
        margin: 10,
        x_labels: 44,
        y_labels: 56,
    };
    svg_with_legend(340, &peaks_legend(p, nl), |plot| {
        let mut chart = frame.build(plot, -0.5..(n as f64 - 0.5), 0.0..max_y)?;
        let label = |x: &f64| {
            period_at(*x, n)
                .map(|i| p.periods[i].clone())
                .unwrap_or_default()
        };
        mesh(&mut chart)
            .disable_x_mesh()
            .x_desc(p.x_unit)
            .y_desc(p.y_unit)
            .x_labels(n.min(13))
            .x_label_formatter(&label)
            .y_label_formatter(&|y| crate::lang::grouped(*y, nl))
            .draw()
            .map_err(err)?;
        draw_peaks(&mut chart, p, max_y)
    })
}

/// The legend of a peaks chart: the counts, and the lines and alarms it shows.
fn peaks_legend(p: &PeakSeries<'_>, nl: bool) -> Vec<(String, Mark)> {
    let (observed, expected, upper, alarm) = if nl {
        ("aantal", "verwacht", "bovengrens", "piek")
    } else {
        ("count", "expected", "upper bound", "peak")
    };
    let mut entries = vec![(observed.to_string(), Mark::Bar(LIGHT))];
    if p.expected.iter().any(Option::is_some) {
        entries.push((expected.to_string(), Mark::Dashed));
    }
    if p.upper.iter().any(Option::is_some) {
        entries.push((upper.to_string(), Mark::Line(BLACK, 1)));
    }
    if p.alarm.iter().any(|a| *a) {
        entries.push((alarm.to_string(), Mark::Triangle));
    }
    entries
}

/// The bars, lines and alarm triangles of a peaks chart whose y axis runs to `max_y`.
fn draw_peaks(chart: &mut Plot<'_, '_>, p: &PeakSeries<'_>, max_y: f64) -> Result<()> {
    let periods = || p.observed.iter().zip(p.alarm).enumerate();
    chart
        .draw_series(periods().map(|(i, (v, a))| {
            let x = i as f64;
            let tone = if *a { DARK } else { LIGHT };
            Rectangle::new([(x - 0.35, 0.0), (x + 0.35, *v)], tone.filled())
        }))
        .map_err(err)?;
    for points in stretches(p.expected) {
        chart
            .draw_series(DashedLineSeries::new(points, 6, 4, BLACK.stroke_width(2)))
            .map_err(err)?;
    }
    for points in stretches(p.upper) {
        chart
            .draw_series(LineSeries::new(points, BLACK.stroke_width(1)))
            .map_err(err)?;
    }
    if p.alarm.iter().any(|a| *a) {
        let lift = max_y * 0.04;
        chart
            .draw_series(
                periods().filter(|(_, (_, a))| **a).map(|(i, (v, _))| {
                    TriangleMarker::new((i as f64, v + lift), 6, BLACK.filled())
                }),
            )
            .map_err(err)?;
    }
    Ok(())
}

/// A line per stretch of periods that has a value (no model: no line).
fn stretches(values: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => out.last_mut().expect("a stretch").push((i as f64, *v)),
            None => out.push(Vec::new()),
        }
    }
    out.retain(|s| !s.is_empty());
    out
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
    let (x0, x1) = gantt_span(items, today);
    let x_desc = gantt_x_desc(today, nl);
    let frame = Frame {
        title,
        margin: 8,
        x_labels: 34,
        y_labels: name_room(items.iter().map(|i| i.0.as_str())),
    };
    svg((760, 70 + 24 * n as u32), |root| {
        let mut chart = frame.build(root, x0..x1, 0.0..n as f64)?;
        let label = |v: &f64| {
            bar_at(*v, n)
                .map(|k| items[k].0.clone())
                .unwrap_or_default()
        };
        let date = |x: &f64| -> String {
            crate::dates::from_day_number(x.round() as i32)
                .map(|d| d.format(if nl { "%m-%Y" } else { "%Y-%m" }).to_string())
                .unwrap_or_default()
        };
        mesh(&mut chart)
            .disable_y_mesh()
            .y_labels(2 * n + 1)
            .y_label_formatter(&label)
            .x_labels(8)
            .x_label_formatter(&date)
            .x_desc(x_desc.as_str())
            .draw()
            .map_err(err)?;
        draw_gantt(&mut chart, items, today)
    })
}

/// The bars of a Gantt chart, the first item at the top, and the line at `today`.
fn draw_gantt(
    chart: &mut Plot<'_, '_>,
    items: &[(String, i32, Option<i32>)],
    today: i32,
) -> Result<()> {
    let n = items.len();
    let bars = items.iter().enumerate();
    chart
        .draw_series(bars.map(|(k, item)| gantt_bar(item, (n - 1 - k) as f64, today)))
        .map_err(err)?;
    let now = vec![(today as f64, 0.0), (today as f64, n as f64)];
    chart
        .draw_series(std::iter::once(PathElement::new(
            now,
            BLACK.stroke_width(1),
        )))
        .map_err(err)?;
    Ok(())
}

/// The days a Gantt chart spans: from the first start to the last end, `today` included, with
/// some room on either side.
fn gantt_span(items: &[(String, i32, Option<i32>)], today: i32) -> (f64, f64) {
    let lo = items.iter().map(|i| i.1).min().unwrap_or(today).min(today);
    let hi = items
        .iter()
        .map(|i| i.2.unwrap_or(today))
        .max()
        .unwrap_or(today)
        .max(today);
    let pad = ((hi - lo) as f64 * 0.03).max(7.0);
    (lo as f64 - pad, hi as f64 + pad)
}

/// The title of a Gantt chart's x axis: what the line and a light bar mean.
fn gantt_x_desc(today: i32, nl: bool) -> String {
    let peildatum = crate::dates::from_day_number(today)
        .map(|d| {
            d.format(if nl { "%d-%m-%Y" } else { "%Y-%m-%d" })
                .to_string()
        })
        .unwrap_or_default();
    if nl {
        format!("datum (lijn: peildatum {peildatum}; licht: geen einddatum)")
    } else {
        format!("date (line: as of {peildatum}; light: no end date)")
    }
}

/// The bar of a Gantt chart's item at height `y`: dark to its end, or light to `today` when
/// it has none.
fn gantt_bar(
    (_, start, end): &(String, i32, Option<i32>),
    y: f64,
    today: i32,
) -> Rectangle<(f64, f64)> {
    let (to, tone) = match end {
        Some(e) => (*e as f64, 110),
        None => (today as f64, 180),
    };
    Rectangle::new(
        [(*start as f64, y + 0.2), (to, y + 0.8)],
        RGBColor(tone, tone, tone).filled(),
    )
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
