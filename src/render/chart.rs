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
            .caption(title, ("sans-serif", 16))
            .margin(8)
            .x_label_area_size(34)
            .y_label_area_size((longest as u32 * 7).clamp(40, 260))
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
            .x_desc(unit)
            .y_labels(2 * n + 1)
            .y_label_formatter(&label)
            .x_label_formatter(&|x| number(*x, nl))
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
                    number(values[i], nl),
                    (values[i] + max * 0.01, y + 0.65),
                    ("sans-serif", 12),
                )
            }))
            .map_err(|e| anyhow!("chart: {e}"))?;
        root.present().map_err(|e| anyhow!("chart: {e}"))?;
    }
    Ok(svg)
}

fn number(x: f64, nl: bool) -> String {
    let s = if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    };
    if nl { s.replace('.', ",") } else { s }
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
}
