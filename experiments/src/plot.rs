//! Line charts (PNG or SVG, chosen by the file extension), written atomically.

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{Error, Result};
use crate::fsio;

/// One named curve.
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    /// A shaded band `(x, low, high)` around the curve (the spread over seeds); may be empty.
    pub band: Vec<(f64, f64, f64)>,
}

/// A chart: its labels, curves and whether the y axis is logarithmic.
pub struct Chart<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub series: &'a [Series],
    pub log_y: bool,
    /// A logarithmic x axis (learning rates in a range test); x values must be positive.
    pub log_x: bool,
}

fn register_fonts() {
    // The font ships inside the binary, so plots need no system fonts.
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            dejavu::sans::regular(),
        );
        let _ = plotters::style::register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold());
    });
}

/// Draws `draw` onto a PNG or SVG of `size` pixels at `path`, written atomically.
pub fn render(
    path: &Path,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<BitMapBackend, Shift>) -> Result<(), String>,
    draw_svg: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), String>,
) -> Result<()> {
    register_fonts();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    // The encoders open the file by name and pick the image format by its extension.
    let suffix = format!(".{ext}");
    match ext.as_str() {
        "png" => fsio::write_atomic_with(path, &suffix, |_, tmp| {
            let area = BitMapBackend::new(tmp, size).into_drawing_area();
            draw(&area).and_then(|()| area.present().map_err(|e| e.to_string()))
        }),
        "svg" => fsio::write_atomic_with(path, &suffix, |_, tmp| {
            let area = SVGBackend::new(tmp, size).into_drawing_area();
            draw_svg(&area).and_then(|()| area.present().map_err(|e| e.to_string()))
        }),
        _ => Err(Error::new(format!(
            "cannot plot to {}: use a .png or .svg file name",
            path.display()
        ))),
    }
}

/// Writes one chart to `path` (`.png` or `.svg`).
pub fn line_chart(path: &Path, chart: &Chart) -> Result<()> {
    render(
        path,
        (1100, 650),
        |a| draw_chart(a, chart),
        |a| draw_chart(a, chart),
    )
}

/// A distinct colour for curve `i`.
pub fn color(i: usize) -> RGBColor {
    const TAB10: [(u8, u8, u8); 10] = [
        (31, 119, 180),
        (255, 127, 14),
        (44, 160, 44),
        (214, 39, 40),
        (148, 103, 189),
        (140, 86, 75),
        (227, 119, 194),
        (127, 127, 127),
        (188, 189, 34),
        (23, 190, 207),
    ];
    let (r, g, b) = TAB10[i % 10];
    // Past ten curves, darken so the repeat is still told apart.
    let k = if (i / 10) % 2 == 1 { 0.6 } else { 1.0 };
    RGBColor(
        (r as f64 * k) as u8,
        (g as f64 * k) as u8,
        (b as f64 * k) as u8,
    )
}

/// The x and y extent over all curves; y only over positive values on a log axis.
fn extent(series: &[Series], log_y: bool) -> ((f64, f64), (f64, f64)) {
    let pts = series
        .iter()
        .flat_map(|s| {
            let band = s.band.iter().flat_map(|b| [(b.0, b.1), (b.0, b.2)]);
            s.points.iter().copied().chain(band)
        })
        .filter(|p| p.1.is_finite() && (!log_y || p.1 > 0.0));
    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for (x, y) in pts {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if !x0.is_finite() {
        return ((0.0, 1.0), (if log_y { 1e-3 } else { 0.0 }, 1.0));
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    if log_y {
        (y0, y1) = (y0 / 1.3, y1 * 1.3);
    } else {
        // A flat curve gets a band of ±10% so its ticks do not all round to one label.
        let flat = (y1 - y0) <= 1e-9 * y1.abs();
        let pad = if flat {
            y1.abs() * 0.1
        } else {
            (y1 - y0) * 0.05
        }
        .max(1e-12);
        (y0, y1) = (
            (y0 - pad).max(if y0 >= 0.0 { 0.0 } else { f64::NEG_INFINITY }),
            y1 + pad,
        );
    }
    ((x0, x1), (y0, y1))
}

/// Draws a chart into any drawing area (a whole picture, or one panel of a grid).
pub fn draw_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    area.fill(&WHITE).map_err(err)?;
    let ((x0, x1), (y0, y1)) = extent(chart.series, chart.log_y);
    let (w, _) = area.dim_in_pixel();
    let font = if w > 600 { 16 } else { 12 };
    let mut builder = ChartBuilder::on(area);
    if !chart.title.is_empty() {
        builder.caption(
            chart.title,
            ("sans-serif", font + 6).into_font().style(FontStyle::Bold),
        );
    }
    builder
        .margin(12)
        .margin_right(30)
        .x_label_area_size(font * 3)
        .y_label_area_size(font * 5);
    macro_rules! finish {
        ($ctx:expr) => {{
            let mut ctx = $ctx;
            ctx.configure_mesh()
                .x_desc(chart.x_label)
                .y_desc(chart.y_label)
                .label_style(("sans-serif", font))
                .axis_desc_style(("sans-serif", font + 2))
                .y_label_formatter(&|y| format_tick(*y))
                .x_label_formatter(&|x| format_tick(*x))
                .x_labels(if w > 600 { 10 } else { 5 })
                .y_labels(if w > 600 { 10 } else { 5 })
                .light_line_style(RGBColor(245, 245, 245))
                .draw()
                .map_err(err)?;
            for (i, s) in chart.series.iter().enumerate() {
                let c = color(i);
                let band: Vec<(f64, f64, f64)> = s
                    .band
                    .iter()
                    .copied()
                    .filter(|b| b.1.is_finite() && b.2.is_finite() && (!chart.log_y || b.1 > 0.0))
                    .collect();
                if !band.is_empty() {
                    let outline: Vec<(f64, f64)> = band
                        .iter()
                        .map(|b| (b.0, b.2))
                        .chain(band.iter().rev().map(|b| (b.0, b.1)))
                        .collect();
                    ctx.draw_series(std::iter::once(Polygon::new(outline, c.mix(0.2).filled())))
                        .map_err(err)?;
                }
                let pts = s
                    .points
                    .iter()
                    .copied()
                    .filter(|p| p.1.is_finite() && (!chart.log_y || p.1 > 0.0));
                // Few points (one per epoch): mark them, a lone point draws no line.
                if s.points.len() <= 40 {
                    let marks = pts.clone().map(|p| Circle::new(p, 4, c.filled()));
                    ctx.draw_series(marks).map_err(err)?;
                }
                ctx.draw_series(LineSeries::new(pts, c.stroke_width(2)))
                    .map_err(err)?
                    .label(s.name.clone())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(3))
                    });
            }
            if chart.series.len() > 1 || chart.series.first().is_some_and(|s| !s.name.is_empty()) {
                ctx.configure_series_labels()
                    .background_style(WHITE.mix(0.85))
                    .border_style(BLACK.mix(0.4))
                    .label_font(("sans-serif", font))
                    .position(SeriesLabelPosition::UpperRight)
                    .draw()
                    .map_err(err)?;
            }
        }};
    }
    match (chart.log_x, chart.log_y) {
        (false, true) => finish!(
            builder
                .build_cartesian_2d(x0..x1, (y0..y1).log_scale())
                .map_err(err)?
        ),
        (false, false) => finish!(builder.build_cartesian_2d(x0..x1, y0..y1).map_err(err)?),
        (true, true) => finish!(
            builder
                .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())
                .map_err(err)?
        ),
        (true, false) => finish!(
            builder
                .build_cartesian_2d((x0..x1).log_scale(), y0..y1)
                .map_err(err)?
        ),
    }
    Ok(())
}

/// Short tick labels for values that span many orders of magnitude.
fn format_tick(y: f64) -> String {
    if y == 0.0 {
        "0".into()
    } else if y.fract() == 0.0 && y.abs() < 1e15 {
        format!("{y:.0}")
    } else if y.abs() < 1e-3 || y.abs() >= 1e5 {
        format!("{y:.0e}")
    } else {
        let s = format!("{y:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Rows and columns of a grid of `n` panels, four to a row.
fn grid_shape(n: usize) -> (usize, usize) {
    let cols = n.clamp(1, 4);
    (n.div_ceil(cols).max(1), cols)
}

/// Small multiples of single curves: one panel per series, titled with its name, four to a row,
/// each on its own y scale (so a schedule with small rates is not flattened by one with large).
pub fn small_multiples(
    path: &Path,
    series: &[Series],
    labels: (&str, &str),
    log_y: bool,
) -> Result<()> {
    let (rows, cols) = grid_shape(series.len());
    let size = (cols as u32 * 430, rows as u32 * 300);
    render(
        path,
        size,
        |a| draw_cells(a, series, (rows, cols), labels, log_y),
        |a| draw_cells(a, series, (rows, cols), labels, log_y),
    )
}

fn draw_cells<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &[Series],
    shape: (usize, usize),
    (x_label, y_label): (&str, &str),
    log_y: bool,
) -> Result<(), String> {
    area.fill(&WHITE).map_err(|e| e.to_string())?;
    for (cell, s) in area.split_evenly(shape).iter().zip(series) {
        let one = [Series {
            name: String::new(),
            points: s.points.clone(),
            band: s.band.clone(),
        }];
        draw_chart(
            cell,
            &Chart {
                title: &s.name,
                x_label,
                y_label,
                series: &one,
                log_y,
                log_x: false,
            },
        )?;
    }
    Ok(())
}

/// One panel of a grid of small multiples: a loss chart above its learning-rate chart.
pub trait Panel {
    fn title(&self) -> String;
    fn losses(&self, window: usize) -> Vec<Series>;
    fn lr(&self) -> Series;
}

/// Small multiples: one panel per run, four to a row, each with its loss over its lr.
pub fn grid<P: Panel>(path: &Path, panels: &[P], window: usize, log_y: bool) -> Result<()> {
    let (rows, cols) = grid_shape(panels.len());
    let size = (cols as u32 * 430, rows as u32 * 380);
    render(
        path,
        size,
        |a| draw_grid(a, panels, (rows, cols), window, log_y),
        |a| draw_grid(a, panels, (rows, cols), window, log_y),
    )
}

fn draw_grid<DB: DrawingBackend, P: Panel>(
    area: &DrawingArea<DB, Shift>,
    panels: &[P],
    shape: (usize, usize),
    window: usize,
    log_y: bool,
) -> Result<(), String> {
    area.fill(&WHITE).map_err(|e| e.to_string())?;
    for (cell, panel) in area.split_evenly(shape).iter().zip(panels) {
        let (top, bottom) = cell.split_vertically(cell.dim_in_pixel().1 * 62 / 100);
        let title = panel.title();
        let losses = panel.losses(window);
        draw_chart(
            &top,
            &Chart {
                title: &title,
                x_label: "",
                y_label: "loss",
                series: &losses,
                log_y: true,
                log_x: false,
            },
        )?;
        let lr = [panel.lr()];
        draw_chart(
            &bottom,
            &Chart {
                title: "",
                x_label: "step",
                y_label: "lr",
                series: &lr,
                log_y,
                log_x: false,
            },
        )?;
    }
    Ok(())
}
