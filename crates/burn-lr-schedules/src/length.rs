//! How long a schedule is written for: the step where a decay to its final rate ends, so a
//! training loop can tell a schedule that ends before the run does.

use crate::config::ScheduleConfig;

impl ScheduleConfig {
    /// The steps this schedule is written for: from this step on its rate stays at its final
    /// value (`total_steps` of `cosine`, `one_cycle`, `linear`, `rex` and a non-cycling
    /// `polynomial`; the three phases of `wsd`; the cycles of `cosine_restarts` with a
    /// `cycle_limit`; a `warmup` or `sequential` add their parts' starts; a `product` ends with
    /// its last-ending part).
    ///
    /// `None` for a schedule without such an end: a constant rate, one that keeps changing for
    /// as long as training runs (`step`, `multistep`, `exponential`, `inverse_time`,
    /// `inverse_sqrt`, `cyclical`, a cycling `polynomial`, `cosine_restarts` without a limit),
    /// one that follows a metric (`plateau`), and a `warmup`, `sequential` or `product` whose
    /// last or any changing part has none.
    ///
    /// ```
    /// use burn_lr_schedules::ScheduleConfig;
    /// let s: ScheduleConfig = toml::from_str(
    ///     "kind = 'warmup'\nwarmup_steps = 10\n[after]\nkind = 'cosine'\nmax_lr = 0.1\ntotal_steps = 90",
    /// ).unwrap();
    /// assert_eq!(s.length(), Some(100));
    /// ```
    pub fn length(&self) -> Option<u64> {
        use ScheduleConfig as S;
        // Exhaustive on purpose: a new kind must say whether it ends.
        match self {
            S::Constant(_)
            | S::Step(_)
            | S::Multistep(_)
            | S::Exponential(_)
            | S::InverseTime(_)
            | S::InverseSqrt(_)
            | S::Cyclical(_)
            | S::Plateau(_) => None,
            S::Polynomial(p) => (!p.cycle).then_some(p.total_steps),
            S::Cosine(c) => Some(c.total_steps),
            S::OneCycle(c) => Some(c.total_steps),
            S::Linear(l) => Some(l.total_steps),
            S::Rex(r) => Some(r.total_steps),
            // With a cycle limit, the cycles' lengths added up; without one it never ends.
            S::CosineRestarts(c) => c.cycle_limit.map(|n| {
                (0..n)
                    .scan(c.first_cycle_steps, |len, _| {
                        let this = *len;
                        *len = len.saturating_mul(c.cycle_mult);
                        Some(this)
                    })
                    .fold(0u64, u64::saturating_add)
            }),
            S::Wsd(w) => Some(
                w.warmup_steps
                    .saturating_add(w.stable_steps)
                    .saturating_add(w.decay_steps),
            ),
            S::Warmup(w) => w.after.length().map(|n| n.saturating_add(w.warmup_steps)),
            // The last part runs from the last milestone on, on its own clock.
            S::Sequential(s) => {
                let start = s.milestones.last().copied().unwrap_or(0);
                s.schedules
                    .last()?
                    .length()
                    .map(|n| n.saturating_add(start))
            }
            // A constant factor never changes the end; any other part without one means the
            // product keeps changing.
            S::Product(p) => {
                let changing = p.schedules.iter().filter(|s| !matches!(s, S::Constant(_)));
                changing
                    .map(ScheduleConfig::length)
                    .try_fold(None, |end: Option<u64>, len| {
                        len.map(|n| Some(end.map_or(n, |e| e.max(n))))
                    })
                    .flatten()
            }
        }
    }
}
