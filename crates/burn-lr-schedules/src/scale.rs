//! A schedule with every rate multiplied by one factor: the same shape at another peak, as a
//! rate sweep or a tuning grid needs. Lengths, factors between rates (`gamma`, `div_factor`,
//! warm-up fractions) and momenta stay.

use crate::config::ScheduleConfig;
use crate::error::ScheduleError;

impl ScheduleConfig {
    /// This schedule with every learning rate in it (`lr`, `initial_lr`, `max_lr`, `min_lr`,
    /// `base_lr`, `peak_lr`, `start_lr`, `end_lr`, and those of the schedules it is made of)
    /// multiplied by `factor`, validated. A `product` scales its first factor only, since its
    /// rate is the product of its schedules'.
    ///
    /// ```
    /// use burn_lr_schedules::ScheduleConfig;
    /// let cosine: ScheduleConfig =
    ///     toml::from_str("kind = 'cosine'\nmax_lr = 0.1\nmin_lr = 0.001\ntotal_steps = 100").unwrap();
    /// let half = cosine.scaled(0.5).unwrap().policy().unwrap();
    /// let full = cosine.policy().unwrap();
    /// assert!((0..=100).all(|t| (half.lr(t) - full.lr(t) / 2.0).abs() < 1e-15));
    /// ```
    pub fn scaled(&self, factor: f64) -> Result<ScheduleConfig, ScheduleError> {
        let scaled = self.scale(factor);
        scaled.policy()?;
        Ok(scaled)
    }

    fn scale(&self, f: f64) -> ScheduleConfig {
        use ScheduleConfig as S;
        let mut s = self.clone();
        match &mut s {
            S::Constant(c) => c.lr *= f,
            S::Step(c) => c.initial_lr *= f,
            S::Multistep(c) => c.initial_lr *= f,
            S::Exponential(c) => c.initial_lr *= f,
            S::InverseTime(c) => c.initial_lr *= f,
            S::InverseSqrt(c) => c.peak_lr *= f,
            S::Polynomial(c) => (c.initial_lr, c.end_lr) = (c.initial_lr * f, c.end_lr * f),
            S::Linear(c) => (c.start_lr, c.end_lr) = (c.start_lr * f, c.end_lr * f),
            S::Cosine(c) => (c.max_lr, c.min_lr) = (c.max_lr * f, c.min_lr * f),
            S::CosineRestarts(c) => (c.max_lr, c.min_lr) = (c.max_lr * f, c.min_lr * f),
            S::Cyclical(c) => (c.base_lr, c.max_lr) = (c.base_lr * f, c.max_lr * f),
            S::OneCycle(c) => c.max_lr *= f,
            S::Rex(c) => (c.max_lr, c.min_lr) = (c.max_lr * f, c.min_lr * f),
            S::Warmup(c) => {
                c.start_lr *= f;
                *c.after = c.after.scale(f);
            }
            S::Wsd(c) => (c.peak_lr, c.min_lr) = (c.peak_lr * f, c.min_lr * f),
            S::Sequential(c) => {
                for part in &mut c.schedules {
                    *part = part.scale(f);
                }
            }
            S::Product(c) => {
                if let Some(first) = c.schedules.first_mut() {
                    *first = first.scale(f);
                }
            }
            S::Plateau(c) => (c.initial_lr, c.min_lr) = (c.initial_lr * f, c.min_lr * f),
        }
        s
    }
}
