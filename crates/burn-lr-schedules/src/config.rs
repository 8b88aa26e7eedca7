//! The one config type for every policy; it builds the validated [`Policy`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Check, ScheduleError};
use crate::{
    Constant, Cosine, CosineRestarts, Cyclical, Exponential, InverseSqrt, InverseTime, Linear,
    Multistep, OneCycle, Plateau, Policy, Polynomial, Product, Rex, Schedule, Scheduler,
    Sequential, Step, Warmup, Wsd,
};

/// Generates everything that lists the policies from the one list below. It starts with a
/// lone `$`, bound to `$d`: the generated `dispatch!` needs `$` for its own arguments, and on
/// stable Rust a macro can only emit a `$` it was given.
macro_rules! kinds {
    ($d:tt $($variant:ident($ty:ident) = $name:literal,)+) => {
        /// Any learning-rate policy, tagged by `kind` as in a TOML `[schedule]` table. Unknown
        /// fields are rejected; omitted optional fields take the defaults documented on each
        /// policy.
        ///
        /// ```
        /// use burn_lr_schedules::ScheduleConfig;
        /// let config: ScheduleConfig = toml::from_str(r#"
        ///     kind = "cyclical"
        ///     base_lr = 0.001
        ///     max_lr = 0.006
        ///     step_size = 2000
        /// "#).unwrap();
        /// let policy = config.policy().unwrap();
        /// assert_eq!(policy.lr(2000), 0.006);
        ///
        /// let bad: ScheduleConfig = toml::from_str(
        ///     "kind = 'cyclical'\nbase_lr = 0.01\nmax_lr = 0.001\nstep_size = 10",
        /// ).unwrap();
        /// assert_eq!(
        ///     bad.policy().unwrap_err().to_string(),
        ///     "cyclical: max_lr (0.001) must be greater than base_lr (0.01)",
        /// );
        /// ```
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "kind")]
        pub enum ScheduleConfig {
            $(
                #[doc = concat!("See [`", stringify!($ty), "`].")]
                #[serde(rename = $name)]
                $variant($ty),
            )+
        }

        /// The `kind` of a policy, without its parameters: one variant per [`ScheduleConfig`]
        /// variant, serialized as the same snake_case name.
        ///
        /// ```
        /// use burn_lr_schedules::Kind;
        /// let kind: Kind = "one_cycle".parse().unwrap();
        /// assert_eq!(kind, Kind::OneCycle);
        /// assert_eq!(kind.to_string(), "one_cycle");
        /// assert!("cosin".parse::<Kind>().unwrap_err().to_string().contains("cosine_restarts"));
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Kind {
            $(
                #[doc = concat!("`", $name, "`: see [`", stringify!($ty), "`].")]
                #[serde(rename = $name)]
                $variant,
            )+
        }

        impl Kind {
            /// Every kind, in the order of the documentation table (that of [`KINDS`]).
            pub const ALL: [Kind; KINDS.len()] = [$(Kind::$variant,)+];

            /// The `kind` name, as written in a config (`"one_cycle"`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Kind::$variant => $name,)+
                }
            }
        }

        /// Every `kind` name, in the order of the documentation table.
        ///
        /// ```
        /// assert_eq!(burn_lr_schedules::KINDS.len(), 18);
        /// assert!(burn_lr_schedules::KINDS.contains(&"one_cycle"));
        /// ```
        pub const KINDS: [&str; [$($name,)+].len()] = [$($name,)+];

        impl ScheduleConfig {
            /// The kind of this policy.
            pub fn tag(&self) -> Kind {
                match self {
                    $(Self::$variant(_) => Kind::$variant,)+
                }
            }
        }

        /// Runs `$e` with `$s` bound to the policy inside `$self`, whatever its kind. Only
        /// needed where a match must cover every variant; other matches name the variants.
        macro_rules! dispatch {
            ($d self_:expr, $d s:ident => $d e:expr) => {
                match $d self_ {
                    $(ScheduleConfig::$variant($d s) => $d e,)+
                }
            };
        }
    };
}

// The one list of policies: each line is `Variant(Type) = "kind name"`, in the order of the
// documentation table. Adding a policy means adding its line here and nothing else in this
// file: the `ScheduleConfig` enum, `Kind`, `KINDS`, `kind()`, `tag()` and `dispatch!` are
// generated from it. The name must be the variant in snake_case, which is what serde writes
// as the `kind` tag; a test checks that they agree.
kinds! {
    $ // for `dispatch!`, see the macro; not a policy
    Constant(Constant) = "constant",
    Step(Step) = "step",
    Multistep(Multistep) = "multistep",
    Exponential(Exponential) = "exponential",
    InverseTime(InverseTime) = "inverse_time",
    InverseSqrt(InverseSqrt) = "inverse_sqrt",
    Polynomial(Polynomial) = "polynomial",
    Cosine(Cosine) = "cosine",
    CosineRestarts(CosineRestarts) = "cosine_restarts",
    Cyclical(Cyclical) = "cyclical",
    OneCycle(OneCycle) = "one_cycle",
    Linear(Linear) = "linear",
    Rex(Rex) = "rex",
    Warmup(Warmup) = "warmup",
    Wsd(Wsd) = "wsd",
    Sequential(Sequential) = "sequential",
    Product(Product) = "product",
    Plateau(Plateau) = "plateau",
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kind {
    type Err = UnknownKind;

    /// Parses a `kind` name exactly as a config writes it (`"one_cycle"`, not `"OneCycle"`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| UnknownKind(s.to_string()))
    }
}

/// A name that is no policy's `kind`, from [`Kind::from_str`]. Its message is one line that
/// lists the valid kinds.
///
/// ```
/// let err = "cosin".parse::<burn_lr_schedules::Kind>().unwrap_err();
/// assert_eq!(err.name(), "cosin");
/// assert!(err
///     .to_string()
///     .starts_with(r#"unknown schedule kind "cosin"; expected one of constant, step,"#));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKind(String);

impl UnknownKind {
    /// The name that was not recognized.
    pub fn name(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnknownKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `{:?}` quotes the name and escapes any line break, keeping the message on one line.
        write!(
            f,
            "unknown schedule kind {:?}; expected one of {}",
            self.0,
            KINDS.join(", ")
        )
    }
}

impl std::error::Error for UnknownKind {}

impl Schedule for ScheduleConfig {
    fn lr(&self, t: u64) -> f64 {
        dispatch!(self, s => s.lr(t))
    }

    fn bounds(&self) -> (f64, f64) {
        dispatch!(self, s => s.bounds())
    }

    fn validate(&self) -> Result<(), ScheduleError> {
        dispatch!(self, s => s.validate())
    }

    fn momentum(&self, t: u64) -> Option<f64> {
        dispatch!(self, s => s.momentum(t))
    }

    fn cycles_momentum(&self) -> bool {
        dispatch!(self, s => s.cycles_momentum())
    }
}

/// The largest learning rate a schedule may reach: far above any real rate, and far enough
/// below `f64::MAX` that interpolating between two rates cannot overflow.
pub const MAX_RATE: f64 = 1e300;

impl ScheduleConfig {
    /// The `kind` tag of this policy.
    pub fn kind(&self) -> &'static str {
        self.tag().name()
    }

    /// Validates a schedule nested in another. `tail` says whether it is the part that runs last
    /// and for ever (`warmup`'s `after`, `sequential`'s last schedule): only there may a
    /// `plateau` be, since its rate comes from reported metrics, not from a clock that a later
    /// part could take over or a product could share.
    pub(crate) fn validate_nested(&self, tail: bool) -> Result<(), ScheduleError> {
        if !tail && self.plateau_part().is_some() {
            return Err(self.misplaced_plateau());
        }
        self.validate()
    }

    /// The error for a `plateau` where none may be, with the path down to it.
    fn misplaced_plateau(&self) -> ScheduleError {
        match self {
            Self::Warmup(w) => w.after.misplaced_plateau().within("after").within("warmup"),
            Self::Sequential(s) => {
                let last = s.schedules.len() - 1;
                s.schedules[last]
                    .misplaced_plateau()
                    .within(&format!("schedules[{last}]"))
                    .within("sequential")
            }
            _ => Check("plateau").err(
                "kind",
                "plateau",
                "can only be the top-level schedule, warmup's after or sequential's last schedule",
            ),
        }
    }

    /// The `plateau` this schedule ends in, if any, and the step (of the schedule's own clock)
    /// at which it takes over: the schedule itself, `warmup`'s `after` or `sequential`'s last
    /// schedule, at any depth. Other places are refused by validation.
    ///
    /// ```
    /// let c: burn_lr_schedules::ScheduleConfig = toml::from_str(
    ///     "kind = 'warmup'\nwarmup_steps = 5\n[after]\nkind = 'plateau'\ninitial_lr = 0.1",
    /// ).unwrap();
    /// assert_eq!(c.plateau_part().map(|(start, p)| (start, p.initial_lr)), Some((5, 0.1)));
    /// ```
    pub fn plateau_part(&self) -> Option<(u64, &Plateau)> {
        match self {
            Self::Plateau(p) => Some((0, p)),
            Self::Warmup(w) => w
                .after
                .plateau_part()
                .map(|(start, p)| (start.saturating_add(w.warmup_steps), p)),
            Self::Sequential(s) => {
                let begins = s.milestones.last().copied().unwrap_or(0);
                s.schedules
                    .last()?
                    .plateau_part()
                    .map(|(start, p)| (start.saturating_add(begins), p))
            }
            _ => None,
        }
    }

    /// Validates the parameters and returns the pure policy `t ↦ lr(t)`.
    ///
    /// Besides each parameter's own rule, the largest rate the schedule can reach (after
    /// factors such as `div_factor` are applied) must be at most [`MAX_RATE`], so that no
    /// formula can overflow to infinity.
    pub fn policy(&self) -> Result<Policy, ScheduleError> {
        self.validate()?;
        let (_, hi) = self.bounds();
        if hi.is_nan() || hi > MAX_RATE {
            return Err(ScheduleError::new(
                self.kind(),
                "largest rate",
                format!("{hi:e}"),
                "must be at most 1e300; lower the rates or the factors that multiply them",
            ));
        }
        Ok(Policy::new(self.clone()))
    }

    /// Validates the parameters and returns a Burn [`LrScheduler`](burn_optim::lr_scheduler::LrScheduler).
    pub fn build(&self) -> Result<Scheduler, ScheduleError> {
        self.policy().map(Scheduler::new)
    }
}
