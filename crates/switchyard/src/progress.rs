//! Progress bars on stderr for the long reads (`tail`, `doctor` live sampling, `registry import`/`export`,
//! `capture` snapshots). They draw only when stderr is a terminal: indicatif's stderr target stays silent
//! otherwise, so piped output, logs and tests see nothing. Data stays on stdout either way.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar towards `len` items, labelled with what is counted (e.g. `versions imported`).
pub fn bar(len: u64, unit: &str) -> ProgressBar {
    styled(
        ProgressBar::new(len),
        &format!("{{pos}}/{{len}} {unit} {{wide_bar}} {{per_sec}}"),
    )
}

/// A spinner counting items when their total is not known (e.g. rows of a table being read); its message
/// (`set_message`) says what is being counted.
pub fn counter(prefix: &str, unit: &str) -> ProgressBar {
    styled(
        ProgressBar::new_spinner(),
        &format!("{{spinner}} {prefix} {{msg}} {{pos}} {unit} {{per_sec}}"),
    )
}

/// `tail`'s bar: towards the records between the start and the end offsets, or a spinner when following.
pub fn records(expected: Option<u64>, follow: bool) -> ProgressBar {
    let bar = match expected {
        Some(n) if !follow => ProgressBar::new(n),
        _ => ProgressBar::new_spinner(),
    };
    styled(bar, "{spinner} {pos}/{len} records {wide_bar} {per_sec}")
}

fn styled(bar: ProgressBar, template: &str) -> ProgressBar {
    // The stderr target draws nothing when stderr is not a terminal.
    bar.set_draw_target(ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}
