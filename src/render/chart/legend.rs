//! The legend of a chart: a strip of its own below the plot, so that it never covers the data,
//! with the entries in rows that fit the width.

use super::LABEL;
use anyhow::{Result, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;

/// How a legend entry shows its series.
#[derive(Clone, Copy)]
pub(super) enum Mark {
    Bar(RGBColor),
    Line(RGBColor, u32),
    Dashed,
    Triangle,
    /// A line with a point marker on it: 0 circle, 1 square, 2 triangle.
    LineWith(RGBColor, usize),
}

/// Height of a legend of `entries` below a chart `width` pixels wide (rows of entries).
pub(super) fn legend_height(entries: &[(String, Mark)], width: u32) -> u32 {
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

/// The width of an entry in pixels.
fn entry_width(name: &str) -> u32 {
    // The mark, a gap, the text (about 7.5 pixels a character at 13 pixels), a gap.
    22 + 6 + (name.chars().count() as u32 * 15).div_ceil(2) + 20
}

/// A plotters error while drawing a legend.
fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("chart legend: {e}")
}

/// Draws a legend in its own strip below the plot, so that it never covers the data.
pub(super) fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, Mark)],
) -> Result<()> {
    let (width, _) = area.dim_in_pixel();
    for (r, row) in legend_rows(entries, width).iter().enumerate() {
        let y = 12 + 20 * r as i32;
        let mut x = 10i32;
        for &i in row {
            let (name, mark) = &entries[i];
            draw_mark(area, *mark, (x, y))?;
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

/// Draws the mark of an entry: 22 pixels wide from `x`, around the height `y`.
fn draw_mark<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    mark: Mark,
    (x, y): (i32, i32),
) -> Result<()> {
    match mark {
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
            draw_point(area, c, marker, (x, y))?;
        }
    }
    Ok(())
}

/// The point marker on the line of a `Mark::LineWith`: 0 circle, 1 square, 2 triangle.
fn draw_point<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    c: RGBColor,
    marker: usize,
    (x, y): (i32, i32),
) -> Result<()> {
    match marker {
        0 => area.draw(&Circle::new((x + 11, y), 3, c.filled())),
        1 => area.draw(&Rectangle::new(
            [(x + 8, y - 3), (x + 14, y + 3)],
            c.filled(),
        )),
        _ => area.draw(&TriangleMarker::new((x + 11, y), 4, c.filled())),
    }
    .map_err(err)?;
    Ok(())
}
