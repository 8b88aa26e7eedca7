//! Prodigy (Mishchenko & Defazio 2023), equal to `prodigyopt` 1.1.2's `Prodigy`.

use std::collections::HashMap;

use burn_core as burn;

use burn::config::Config;
use burn::module::{Module, ParamId};
use burn::tensor::{Device, Tensor};
use burn_optim::GradientsParams;

use crate::WholeModuleOptimizer;
use crate::error::{ConfigError, beta, non_negative, positive};
use crate::params::{self, scalar};
use crate::record::{self, Record, RecordError};

const NAME: &str = "Prodigy";

/// `Prodigy`'s settings, with its defaults. The rate given to each step is the reference's
/// `lr`, the multiplier of the estimated step size d ([`DEFAULT_LR`](Self::DEFAULT_LR) = 1).
#[derive(Config, Debug)]
pub struct ProdigyConfig {
    /// β1 (0 turns the first moment off).
    #[config(default = 0.9)]
    pub beta_1: f64,
    /// β2.
    #[config(default = 0.999)]
    pub beta_2: f64,
    /// β3, the decay of the d estimate's sums; `None` is √β2, as the reference.
    pub beta_3: Option<f64>,
    /// Added to the denominator, times d (`eps`).
    #[config(default = 1e-8)]
    pub epsilon: f64,
    /// Weight decay (`weight_decay`), decoupled (AdamW-style) with `decouple`.
    #[config(default = 0.0)]
    pub weight_decay: f64,
    /// Decoupled weight decay.
    #[config(default = true)]
    pub decouple: bool,
    /// Adam's bias correction in the step size.
    #[config(default = false)]
    pub use_bias_correction: bool,
    /// Leaves the rate out of the denominator's sum, for warm-up (`safeguard_warmup`).
    #[config(default = false)]
    pub safeguard_warmup: bool,
    /// The initial d.
    #[config(default = 1e-6)]
    pub d0: f64,
    /// Multiplies the d estimate.
    #[config(default = 1.0)]
    pub d_coef: f64,
    /// The most d may grow in one step (a factor; infinite by default).
    #[config(default = "f64::INFINITY")]
    pub growth_rate: f64,
}

impl ProdigyConfig {
    /// The reference's default `lr`.
    pub const DEFAULT_LR: f64 = 1.0;

    /// The optimizer, or the first setting out of range.
    pub fn init(&self) -> Result<Prodigy, ConfigError> {
        beta(NAME, "beta_1", self.beta_1)?;
        beta(NAME, "beta_2", self.beta_2)?;
        if let Some(b3) = self.beta_3 {
            beta(NAME, "beta_3", b3)?;
        }
        positive(NAME, "epsilon", self.epsilon)?;
        non_negative(NAME, "weight_decay", self.weight_decay)?;
        positive(NAME, "d0", self.d0)?;
        positive(NAME, "d_coef", self.d_coef)?;
        crate::error::check(
            self.growth_rate > 0.0,
            NAME,
            "growth_rate",
            self.growth_rate,
            "positive (infinite for no limit)",
        )?;
        Ok(Prodigy {
            c: self.clone(),
            d: self.d0,
            d_max: self.d0,
            d_numerator: 0.0,
            k: 0,
            states: HashMap::new(),
        })
    }
}

#[derive(Clone)]
struct State {
    s: Tensor<1>,
    p0: Tensor<1>,
    exp_avg: Option<Tensor<1>>,
    exp_avg_sq: Tensor<1>,
}

/// Prodigy over a whole module: Adam whose step size d is estimated from the distance
/// travelled from the initial weights `p0`, each step a sum over every parameter. With
/// `lr` the rate given to the step, d the estimate before it, `dlr = d·lr` (times Adam's bias
/// correction with `use_bias_correction`):
///
/// ```text
/// m  = β1·m + d·(1−β1)·g;   v = β2·v + d²·(1−β2)·g²
/// s  = β3·s + (d/d0)·dlr·g                        ((d/d0)·d with safeguard_warmup)
/// r  = β3·r + (d/d0)·dlr·⟨g, p0 − p⟩
/// d̂  = d_coef·r / Σ|s|;   d_max = max(d_max, d̂);   d = min(d_max, d·growth_rate)
///                                                 (while d = d0, first d = max(d, d̂))
/// p  = p − dlr·m / (√v + d·ε)                      (decoupled decay: p = p − λ·dlr·p first)
/// ```
///
/// A step whose sum `Σ|s|` is 0 (a zero rate, or zero gradients) leaves the weights as they are.
#[derive(Clone)]
pub struct Prodigy {
    c: ProdigyConfig,
    d: f64,
    d_max: f64,
    d_numerator: f64,
    k: u64,
    states: HashMap<ParamId, State>,
}

impl WholeModuleOptimizer for Prodigy {
    /// # Panics
    ///
    /// For a negative or non-finite `lr`.
    fn step<M: Module>(&mut self, lr: f64, module: M, mut grads: GradientsParams) -> M {
        crate::error::step_lr(NAME, lr);
        let c = &self.c;
        let (beta_1, beta_2) = (c.beta_1, c.beta_2);
        let beta_3 = c.beta_3.unwrap_or(beta_2.sqrt());
        let (d, k) = (self.d, self.k);
        let bias_correction =
            params::adam_bias_correction(c.use_bias_correction, beta_1, beta_2, k);
        let dlr = d * lr * bias_correction;
        let d_numerator = self.d_numerator * beta_3;
        let (mut delta_numerator, mut d_denom) = (0.0, 0.0);
        let coupled = if c.decouple { 0.0 } else { c.weight_decay };
        let mut slots = params::gather_decayed(&module, &mut grads, coupled);
        for slot in slots.iter_mut() {
            let p = &slot.value;
            let mut state = self.states.remove(&slot.id).unwrap_or_else(|| State {
                s: p.zeros_like(),
                p0: p.clone(),
                exp_avg: (beta_1 > 0.0).then(|| p.zeros_like()),
                exp_avg_sq: p.zeros_like(),
            });
            if lr > 0.0 {
                let g = slot.grad.clone();
                delta_numerator +=
                    (d / c.d0) * dlr * scalar(g.clone().dot(state.p0.clone() - p.clone()));
                state.exp_avg = state
                    .exp_avg
                    .map(|m| m.mul_scalar(beta_1) + g.clone().mul_scalar(d * (1.0 - beta_1)));
                state.exp_avg_sq = state.exp_avg_sq.mul_scalar(beta_2)
                    + g.clone().square().mul_scalar(d * d * (1.0 - beta_2));
                let alpha = if c.safeguard_warmup {
                    (d / c.d0) * d
                } else {
                    (d / c.d0) * dlr
                };
                state.s = state.s.mul_scalar(beta_3) + g.mul_scalar(alpha);
                d_denom += scalar(state.s.clone().abs().sum());
            }
            self.states.insert(slot.id, state);
        }
        if d_denom == 0.0 {
            return module;
        }
        let global_numerator = d_numerator + delta_numerator;
        let d_hat = c.d_coef * global_numerator / d_denom;
        let mut d = self.d;
        if d == c.d0 {
            d = d.max(d_hat);
        }
        self.d_max = self.d_max.max(d_hat);
        d = self.d_max.min(d * c.growth_rate);
        self.d_numerator = global_numerator;
        self.d = d;
        let mut updated = HashMap::new();
        for slot in slots {
            let state = &self.states[&slot.id];
            let denom = state.exp_avg_sq.clone().sqrt().add_scalar(d * c.epsilon);
            let decoupled = if c.decouple { c.weight_decay } else { 0.0 };
            let p = params::decayed(slot.value, decoupled, dlr);
            let p = match &state.exp_avg {
                Some(m) => p - (m.clone() / denom).mul_scalar(dlr),
                None => p - (slot.grad / denom).mul_scalar(dlr * d),
            };
            updated.insert(slot.id, p);
        }
        self.k = k + 1;
        params::replace(module, updated)
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut r = Record::default();
        r.scalar("k", self.k as f64);
        r.scalar("d", self.d);
        r.scalar("d_max", self.d_max);
        r.scalar("d_numerator", self.d_numerator);
        for (id, s) in &self.states {
            r.tensor(*id, "s", &s.s);
            r.tensor(*id, "p0", &s.p0);
            r.tensor(*id, "exp_avg_sq", &s.exp_avg_sq);
            if let Some(m) = &s.exp_avg {
                r.tensor(*id, "exp_avg", m);
            }
        }
        r.to_bytes(NAME)
    }

    fn load_bytes(&mut self, bytes: &[u8], device: &Device) -> Result<(), RecordError> {
        let r = Record::from_bytes(bytes, NAME)?;
        let first_moment = self.c.beta_1 > 0.0;
        let k = r.take_scalar("k")? as u64;
        let d = r.take_scalar("d")?;
        let d_max = r.take_scalar("d_max")?;
        let d_numerator = r.take_scalar("d_numerator")?;
        let states = record::states(&r, |id| {
            Ok(State {
                s: r.take_tensor(id, "s", device)?,
                p0: r.take_tensor(id, "p0", device)?,
                exp_avg_sq: r.take_tensor(id, "exp_avg_sq", device)?,
                exp_avg: if first_moment {
                    Some(r.take_tensor(id, "exp_avg", device)?)
                } else {
                    None
                },
            })
        })?;
        self.states = states;
        self.k = k;
        self.d = d;
        self.d_max = d_max;
        self.d_numerator = d_numerator;
        Ok(())
    }

    /// The step size d.
    fn estimate(&self) -> f64 {
        self.d
    }
}
