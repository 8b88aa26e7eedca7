//! The adapter that makes any [`Policy`] a Burn [`LrScheduler`].

use burn_optim::LearningRate;
use burn_optim::lr_scheduler::{LrScheduler, LrSchedulerRecord};

use crate::Policy;
use crate::plateau::{PlateauHandle, PlateauState};

/// A Burn [`LrScheduler`] over a [`Policy`]: the n-th call of `step()` returns `lr(n − 1)`, so
/// the first returns `lr(0)`, as Burn's own schedulers do.
///
/// `to_record` holds the step count and, for a policy with a `plateau` part, the whole
/// reduce-on-plateau state, so a scheduler restored from a record at any step continues
/// exactly. Build one with [`ScheduleConfig::build`](crate::ScheduleConfig::build) or
/// [`Scheduler::new`].
///
/// ```
/// use burn_optim::lr_scheduler::LrScheduler;
/// use burn_lr_schedules::ScheduleConfig;
///
/// let config: ScheduleConfig = toml::from_str(
///     "kind = 'step'\ninitial_lr = 1.0\ngamma = 0.5\nstep_size = 2",
/// ).unwrap();
/// let mut scheduler = config.build().unwrap();
/// assert_eq!([scheduler.step(), scheduler.step(), scheduler.step()], [1.0, 1.0, 0.5]);
///
/// let record = scheduler.to_record();
/// let mut resumed = config.build().unwrap();
/// resumed.load_record(record);
/// assert_eq!(resumed.step(), scheduler.step());
/// ```
#[derive(Debug, Clone)]
pub struct Scheduler {
    policy: Policy,
    steps: u64,
    plateau: Option<PlateauPart>,
}

/// A policy's `plateau` part: its handle and the step from which it gives the rate.
#[derive(Debug, Clone)]
struct PlateauPart {
    handle: PlateauHandle,
    start: u64,
}

impl PlateauPart {
    /// Reports count once a rate of the plateau part has been returned (at once at top level).
    fn active_after(&self, steps: u64) -> bool {
        self.start == 0 || steps > self.start
    }
}

const STEPS: &str = "steps";
const FINGERPRINT: &str = "policy.fingerprint";
const P_LR: &str = "plateau.lr";
const P_BEST: &str = "plateau.best";
const P_BAD: &str = "plateau.num_bad_epochs";
const P_COOLDOWN: &str = "plateau.cooldown_counter";
const P_REPORTS: &str = "plateau.reports";

impl Scheduler {
    /// Wraps a validated policy; a policy with a `plateau` part gets its metric handle here.
    pub fn new(policy: Policy) -> Self {
        let plateau = policy.config().plateau_part().map(|(start, p)| {
            // The part's start in the policy's own unit (epochs with `per_epoch`), in steps.
            let start = start.saturating_mul(policy.steps_per_epoch());
            PlateauPart {
                handle: PlateauHandle::new(p.clone(), start == 0),
                start,
            }
        });
        Self {
            policy,
            steps: 0,
            plateau,
        }
    }

    /// The handle through which the training loop reports a metric, for a `plateau` schedule or
    /// one that ends in a `plateau` (after a `warmup`, or as a `sequential`'s last schedule).
    ///
    /// Before the plateau part starts, the rate is the pure schedule (a warm-up ramps to the
    /// plateau's `initial_lr`) and reports are ignored; from the first step of the plateau part
    /// on, the rate is the handle's, and a report counts once that part has given a rate (the
    /// first report counted is the one after its first epoch, as at top level). Ignoring early
    /// reports follows every nested part's clock starting when it takes over; counting them
    /// would let a stall during the warm-up reduce a rate not yet in force.
    ///
    /// ```
    /// use burn_optim::lr_scheduler::LrScheduler;
    /// let config: burn_lr_schedules::ScheduleConfig = toml::from_str(
    ///     "kind = 'warmup'\nwarmup_steps = 2\n[after]\nkind = 'plateau'\ninitial_lr = 0.1\npatience = 0",
    /// ).unwrap();
    /// let mut scheduler = config.build().unwrap();
    /// let metric = scheduler.plateau().unwrap();
    /// assert_eq!([scheduler.step(), scheduler.step()], [0.0, 0.05]);
    /// metric.report(1.0); // still warming up: ignored
    /// assert_eq!(metric.state().reports, 0);
    /// assert_eq!(scheduler.step(), 0.1);
    /// metric.report(1.0);
    /// metric.report(2.0); // worse: patience 0 reduces at once
    /// assert!((scheduler.step() - 0.01).abs() < 1e-15);
    /// ```
    pub fn plateau(&self) -> Option<PlateauHandle> {
        self.plateau.as_ref().map(|p| p.handle.clone())
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// How many times `step()` has been called.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Like [`LrScheduler::load_record`], but refuses a record saved by a scheduler of another
    /// policy (another config, or another [`per_epoch`](Policy::per_epoch) unit), which would
    /// otherwise restore its step count and continue with this policy's rates. A record without
    /// a fingerprint (written before records carried one) loads unchecked.
    ///
    /// ```
    /// use burn_optim::lr_scheduler::LrScheduler;
    /// use burn_lr_schedules::ScheduleConfig;
    ///
    /// let cosine: ScheduleConfig =
    ///     toml::from_str("kind = 'cosine'\nmax_lr = 0.1\ntotal_steps = 100").unwrap();
    /// let longer: ScheduleConfig =
    ///     toml::from_str("kind = 'cosine'\nmax_lr = 0.1\ntotal_steps = 200").unwrap();
    /// let mut scheduler = cosine.build().unwrap();
    /// scheduler.step();
    /// let record = scheduler.to_record();
    /// let err = longer.build().unwrap().load_record_checked(record.clone()).unwrap_err();
    /// assert!(err.to_string().starts_with("the scheduler record was saved under another schedule"));
    /// let mut resumed = cosine.build().unwrap();
    /// resumed.load_record_checked(record).unwrap();
    /// assert_eq!(resumed.steps(), 1);
    /// ```
    pub fn load_record_checked(&mut self, record: LrSchedulerRecord) -> Result<(), RecordMismatch> {
        check_fingerprint(&record, &self.policy)?;
        self.load_record(record);
        Ok(())
    }

    /// The rate the next `step()` will return, without stepping.
    pub fn peek(&self) -> LearningRate {
        match &self.plateau {
            Some(p) if self.steps >= p.start => p.handle.lr(),
            _ => self.policy.lr(self.steps),
        }
    }
}

impl LrScheduler for Scheduler {
    fn step(&mut self) -> LearningRate {
        let lr = self.peek();
        self.steps += 1;
        if let Some(p) = &self.plateau
            && p.active_after(self.steps)
        {
            p.handle.set_active(true);
        }
        lr
    }

    fn to_record(&self) -> LrSchedulerRecord {
        let record = LrSchedulerRecord::new()
            .with_scalar(STEPS, self.steps)
            .with_scalar(FINGERPRINT, self.policy.fingerprint());
        match &self.plateau {
            Some(p) => {
                let s = p.handle.state();
                record
                    .with_scalar(P_LR, s.lr)
                    .with_scalar(P_BEST, s.best)
                    .with_scalar(P_BAD, s.num_bad_epochs)
                    .with_scalar(P_COOLDOWN, s.cooldown_counter)
                    .with_scalar(P_REPORTS, s.reports)
            }
            None => record,
        }
    }

    /// Restores the state saved by `to_record`; a record lacking a field leaves that part of the
    /// state as it was, as Burn's own schedulers do.
    fn load_record(&mut self, record: LrSchedulerRecord) {
        if let Some(steps) = record.scalar::<u64>(STEPS) {
            self.steps = steps;
        }
        if let Some(p) = &self.plateau {
            let handle = &p.handle;
            handle.set_active(p.active_after(self.steps));
            let old = handle.state();
            handle.set_state(PlateauState {
                lr: record.scalar(P_LR).unwrap_or(old.lr),
                best: record.scalar(P_BEST).unwrap_or(old.best),
                num_bad_epochs: record.scalar(P_BAD).unwrap_or(old.num_bad_epochs),
                cooldown_counter: record.scalar(P_COOLDOWN).unwrap_or(old.cooldown_counter),
                reports: record.scalar(P_REPORTS).unwrap_or(old.reports),
            });
        }
    }
}

/// Whether `record` may be loaded by a scheduler of `policy`: its fingerprint is the policy's, or
/// it has none (a record written before records carried one).
pub(crate) fn check_fingerprint(
    record: &LrSchedulerRecord,
    policy: &Policy,
) -> Result<(), RecordMismatch> {
    let expected = policy.fingerprint();
    match record.scalar::<u64>(FINGERPRINT) {
        Some(saved) if saved != expected => Err(RecordMismatch { saved, expected }),
        _ => Ok(()),
    }
}

/// A scheduler record saved under another policy than the one loading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordMismatch {
    /// The fingerprint in the record.
    pub saved: u64,
    /// The fingerprint of the policy that tried to load it.
    pub expected: u64,
}

impl std::fmt::Display for RecordMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the scheduler record was saved under another schedule (fingerprint {:016x}, this schedule's {:016x}); load it with the config it was saved under",
            self.saved, self.expected
        )
    }
}

impl std::error::Error for RecordMismatch {}
