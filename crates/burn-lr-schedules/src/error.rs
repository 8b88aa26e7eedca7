//! Validation errors and the checks that produce them.

use std::fmt;

/// A parameter that failed validation.
///
/// ```
/// let c: burn_lr_schedules::ScheduleConfig = toml::from_str("kind = 'constant'\nlr = -1").unwrap();
/// let e = c.policy().unwrap_err();
/// assert_eq!((e.param.as_str(), e.value.as_str()), ("lr", "-1"));
/// ```
///
/// Its `Display` is one line naming where the parameter sits, the parameter, its value and the
/// rule it broke, e.g. `cyclical: max_lr (0.001) must be greater than base_lr (0.01)` or, inside a
/// nested schedule, `warmup: after: cosine: total_steps (0) must be at least 1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleError {
    /// Enclosing schedules and the policy kind, outermost first (`["warmup", "after", "cosine"]`).
    pub path: Vec<String>,
    /// The parameter at fault.
    pub param: String,
    /// The offending value, as written in a config.
    pub value: String,
    /// The rule it broke, e.g. `must be greater than base_lr (0.01)`.
    pub rule: String,
}

impl ScheduleError {
    /// Builds an error for `param` of policy `kind`.
    pub fn new(kind: &str, param: &str, value: impl fmt::Display, rule: impl Into<String>) -> Self {
        Self {
            path: vec![kind.to_string()],
            param: param.to_string(),
            value: value.to_string(),
            rule: rule.into(),
        }
    }

    /// Prefixes the path with the enclosing schedule, so nested errors say where they are.
    pub fn within(mut self, outer: &str) -> Self {
        self.path.insert(0, outer.to_string());
        self
    }
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} ({}) {}",
            self.path.join(": "),
            self.param,
            self.value,
            self.rule
        )
    }
}

impl std::error::Error for ScheduleError {}

/// The checks every policy shares, bound to the policy kind for the error message.
pub(crate) struct Check(pub &'static str);

impl Check {
    pub fn err(
        &self,
        param: &str,
        value: impl fmt::Display,
        rule: impl Into<String>,
    ) -> ScheduleError {
        ScheduleError::new(self.0, param, value, rule)
    }

    /// A learning rate that must be finite and strictly positive (no upper bound).
    pub fn positive(&self, param: &str, value: f64) -> Result<(), ScheduleError> {
        if value.is_finite() && value > 0.0 {
            Ok(())
        } else {
            Err(self.err(param, value, "must be a finite number greater than 0"))
        }
    }

    /// A value that must be finite and not negative (end rates, decay rates, thresholds).
    pub fn non_negative(&self, param: &str, value: f64) -> Result<(), ScheduleError> {
        if value.is_finite() && value >= 0.0 {
            Ok(())
        } else {
            Err(self.err(param, value, "must be a finite number of at least 0"))
        }
    }

    /// A momentum (or Adam's β1): at least 0 and below 1, where heavy-ball momentum stops
    /// forgetting old gradients and Adam refuses β1.
    pub fn momentum(&self, param: &str, value: f64) -> Result<(), ScheduleError> {
        if (0.0..1.0).contains(&value) {
            Ok(())
        } else {
            Err(self.err(param, value, "must be at least 0 and less than 1"))
        }
    }

    /// `base_momentum` and `max_momentum` of a policy that cycles momentum.
    pub fn momentum_range(&self, base: f64, max: f64) -> Result<(), ScheduleError> {
        self.momentum("base_momentum", base)?;
        self.momentum("max_momentum", max)?;
        self.at_least("max_momentum", max, "base_momentum", base)
    }

    /// A step count that must be at least 1.
    pub fn steps(&self, param: &str, value: u64) -> Result<(), ScheduleError> {
        if value >= 1 {
            Ok(())
        } else {
            Err(self.err(param, value, "must be at least 1"))
        }
    }

    /// `value` must lie strictly between `lo` and `hi`.
    pub fn open_interval(
        &self,
        param: &str,
        value: f64,
        lo: f64,
        hi: f64,
    ) -> Result<(), ScheduleError> {
        if value > lo && value < hi {
            Ok(())
        } else {
            Err(self.err(
                param,
                value,
                format!("must be greater than {lo} and less than {hi}"),
            ))
        }
    }

    /// `hi` must be greater than `lo` (for `max_lr` against `base_lr` and the like).
    pub fn greater(
        &self,
        hi_name: &str,
        hi: f64,
        lo_name: &str,
        lo: f64,
    ) -> Result<(), ScheduleError> {
        if hi > lo {
            Ok(())
        } else {
            Err(self.err(
                hi_name,
                hi,
                format!("must be greater than {lo_name} ({lo})"),
            ))
        }
    }

    /// `hi` must be at least `lo`.
    pub fn at_least(
        &self,
        hi_name: &str,
        hi: f64,
        lo_name: &str,
        lo: f64,
    ) -> Result<(), ScheduleError> {
        if hi >= lo {
            Ok(())
        } else {
            Err(self.err(hi_name, hi, format!("must be at least {lo_name} ({lo})")))
        }
    }

    /// Milestones must be sorted; `strict` also forbids repeats.
    pub fn sorted(&self, param: &str, values: &[u64], strict: bool) -> Result<(), ScheduleError> {
        let bad = values
            .windows(2)
            .any(|w| if strict { w[0] >= w[1] } else { w[0] > w[1] });
        if bad {
            let rule = if strict {
                "must be strictly increasing"
            } else {
                "must be sorted in increasing order"
            };
            Err(self.err(param, format!("{values:?}"), rule))
        } else {
            Ok(())
        }
    }
}
