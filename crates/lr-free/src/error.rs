//! Invalid optimizer settings, refused in one line that names the setting and its range.

use std::fmt;

/// A setting outside its range, refused when the optimizer is built.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::error::Error for ConfigError {}

/// `Err` naming `what` of `optimizer` when `ok` is false.
pub(crate) fn check(
    ok: bool,
    optimizer: &str,
    what: &str,
    value: f64,
    range: &str,
) -> Result<(), ConfigError> {
    if ok {
        Ok(())
    } else {
        Err(ConfigError(format!(
            "{optimizer}: {what} = {value} is invalid; it must be {range}"
        )))
    }
}

/// A β in `[0, 1)`.
pub(crate) fn beta(optimizer: &str, what: &str, value: f64) -> Result<(), ConfigError> {
    check(
        (0.0..1.0).contains(&value),
        optimizer,
        what,
        value,
        "at least 0 and below 1",
    )
}

/// A positive finite value.
pub(crate) fn positive(optimizer: &str, what: &str, value: f64) -> Result<(), ConfigError> {
    check(
        value > 0.0 && value.is_finite(),
        optimizer,
        what,
        value,
        "positive and finite",
    )
}

/// A non-negative finite value.
pub(crate) fn non_negative(optimizer: &str, what: &str, value: f64) -> Result<(), ConfigError> {
    check(
        value >= 0.0 && value.is_finite(),
        optimizer,
        what,
        value,
        "at least 0 and finite",
    )
}

/// The rate given to a step: the reference's `lr`, which these optimizers need at least 0.
pub(crate) fn step_lr(optimizer: &str, lr: f64) {
    assert!(
        lr >= 0.0 && lr.is_finite(),
        "{optimizer}: the step's lr ({lr}) must be at least 0 and finite"
    );
}
