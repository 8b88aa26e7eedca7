//! D-Adaptation (Defazio & Mishchenko 2023): `DAdaptAdam` and `DAdaptSGD`, equal to
//! `dadaptation` 3.2's.

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

const ADAM: &str = "D-Adapt Adam";
const SGD: &str = "D-Adapt SGD";

/// `DAdaptAdam`'s settings, with its defaults. The rate given to each step is the reference's
/// `lr`, the multiplier of d ([`DEFAULT_LR`](Self::DEFAULT_LR) = 1).
#[derive(Config, Debug)]
pub struct DAdaptAdamConfig {
    /// β1.
    #[config(default = 0.9)]
    pub beta_1: f64,
    /// β2.
    #[config(default = 0.999)]
    pub beta_2: f64,
    /// Added to the denominator (`eps`).
    #[config(default = 1e-8)]
    pub epsilon: f64,
    /// Weight decay (`weight_decay`): added to the gradient, or with `decouple` AdamW-style.
    #[config(default = 0.0)]
    pub weight_decay: f64,
    /// Decoupled weight decay.
    #[config(default = false)]
    pub decouple: bool,
    /// Adam's bias correction in the step size.
    #[config(default = false)]
    pub use_bias_correction: bool,
    /// The initial d.
    #[config(default = 1e-6)]
    pub d0: f64,
    /// The most d may grow in one step (a factor; infinite by default).
    #[config(default = "f64::INFINITY")]
    pub growth_rate: f64,
}

/// `DAdaptSGD`'s settings, with its defaults. The rate given to each step is the reference's
/// `lr`, the multiplier of d ([`DEFAULT_LR`](Self::DEFAULT_LR) = 1).
#[derive(Config, Debug)]
pub struct DAdaptSgdConfig {
    /// Momentum, in the primal-averaging form of the reference (`momentum`).
    #[config(default = 0.0)]
    pub momentum: f64,
    /// Weight decay, added to the gradient (`weight_decay`).
    #[config(default = 0.0)]
    pub weight_decay: f64,
    /// The initial d.
    #[config(default = 1e-6)]
    pub d0: f64,
    /// The most d may grow in one step (a factor; infinite by default).
    #[config(default = "f64::INFINITY")]
    pub growth_rate: f64,
}

fn growth(name: &str, value: f64) -> Result<(), ConfigError> {
    crate::error::check(
        value > 0.0,
        name,
        "growth_rate",
        value,
        "positive (infinite for no limit)",
    )
}

impl DAdaptAdamConfig {
    /// The reference's default `lr`.
    pub const DEFAULT_LR: f64 = 1.0;

    /// The optimizer, or the first setting out of range.
    pub fn init(&self) -> Result<DAdaptAdam, ConfigError> {
        beta(ADAM, "beta_1", self.beta_1)?;
        beta(ADAM, "beta_2", self.beta_2)?;
        positive(ADAM, "epsilon", self.epsilon)?;
        non_negative(ADAM, "weight_decay", self.weight_decay)?;
        positive(ADAM, "d0", self.d0)?;
        growth(ADAM, self.growth_rate)?;
        Ok(DAdaptAdam {
            c: self.clone(),
            d: self.d0,
            numerator_weighted: 0.0,
            k: 0,
            states: HashMap::new(),
        })
    }
}

impl DAdaptSgdConfig {
    /// The reference's default `lr`.
    pub const DEFAULT_LR: f64 = 1.0;

    /// The optimizer, or the first setting out of range.
    pub fn init(&self) -> Result<DAdaptSgd, ConfigError> {
        beta(SGD, "momentum", self.momentum)?;
        non_negative(SGD, "weight_decay", self.weight_decay)?;
        positive(SGD, "d0", self.d0)?;
        growth(SGD, self.growth_rate)?;
        Ok(DAdaptSgd {
            c: self.clone(),
            d: self.d0,
            numerator_weighted: 0.0,
            g0_norm: 0.0,
            k: 0,
            states: HashMap::new(),
        })
    }
}

#[derive(Clone)]
struct AdamState {
    s: Tensor<1>,
    exp_avg: Tensor<1>,
    exp_avg_sq: Tensor<1>,
}

/// D-Adapt Adam over a whole module. With `lr` the rate given to the step, d the estimate before
/// it and `dlr = d·lr` (times Adam's bias correction with `use_bias_correction`):
///
/// ```text
/// n  = √β2·n + (1−√β2)·dlr·⟨g, s/(√v + ε)⟩            (v before this step's update)
/// m  = β1·m + dlr·(1−β1)·g;   v = β2·v + (1−β2)·g²
/// s  = √β2·s + dlr·(1−√β2)·g
/// d  = max(d, min(d·growth_rate, n / ((1−√β2)·Σ|s|)))
/// p  = p − m / (√v + ε)                          (decoupled decay: p = p − λ·dlr·p first)
/// ```
///
/// A step whose `Σ|s|` is 0 leaves the weights as they are.
#[derive(Clone)]
pub struct DAdaptAdam {
    c: DAdaptAdamConfig,
    d: f64,
    numerator_weighted: f64,
    k: u64,
    states: HashMap<ParamId, AdamState>,
}

impl WholeModuleOptimizer for DAdaptAdam {
    /// # Panics
    ///
    /// For a negative or non-finite `lr`.
    fn step<M: Module>(&mut self, lr: f64, module: M, mut grads: GradientsParams) -> M {
        crate::error::step_lr(ADAM, lr);
        let c = &self.c;
        let (beta_1, beta_2) = (c.beta_1, c.beta_2);
        let k = self.k;
        let bias_correction =
            params::adam_bias_correction(c.use_bias_correction, beta_1, beta_2, k);
        let dlr = self.d * lr * bias_correction;
        let sqrt_beta_2 = beta_2.sqrt();
        let (mut numerator_acum, mut sk_l1) = (0.0, 0.0);
        let coupled = if c.decouple { 0.0 } else { c.weight_decay };
        let mut slots = params::gather_decayed(&module, &mut grads, coupled);
        for slot in slots.iter_mut() {
            let p = &slot.value;
            let mut state = self.states.remove(&slot.id).unwrap_or_else(|| AdamState {
                s: p.zeros_like(),
                exp_avg: p.zeros_like(),
                exp_avg_sq: p.zeros_like(),
            });
            if lr > 0.0 {
                let g = slot.grad.clone();
                let denom = state.exp_avg_sq.clone().sqrt().add_scalar(c.epsilon);
                numerator_acum += dlr * scalar(g.clone().dot(state.s.clone() / denom));
                state.exp_avg =
                    state.exp_avg.mul_scalar(beta_1) + g.clone().mul_scalar(dlr * (1.0 - beta_1));
                state.exp_avg_sq = state.exp_avg_sq.mul_scalar(beta_2)
                    + g.clone().square().mul_scalar(1.0 - beta_2);
                state.s = state.s.mul_scalar(sqrt_beta_2) + g.mul_scalar(dlr * (1.0 - sqrt_beta_2));
                sk_l1 += scalar(state.s.clone().abs().sum());
            }
            self.states.insert(slot.id, state);
        }
        let numerator_weighted =
            sqrt_beta_2 * self.numerator_weighted + (1.0 - sqrt_beta_2) * numerator_acum;
        if sk_l1 == 0.0 {
            return module;
        }
        let d_hat = numerator_weighted / ((1.0 - sqrt_beta_2) * sk_l1);
        self.d = self.d.max(d_hat.min(self.d * c.growth_rate));
        self.numerator_weighted = numerator_weighted;
        let mut updated = HashMap::new();
        for slot in slots {
            let state = &self.states[&slot.id];
            let denom = state.exp_avg_sq.clone().sqrt().add_scalar(c.epsilon);
            let decoupled = if c.decouple { c.weight_decay } else { 0.0 };
            let p = params::decayed(slot.value, decoupled, dlr);
            updated.insert(slot.id, p - state.exp_avg.clone() / denom);
        }
        self.k = k + 1;
        params::replace(module, updated)
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut r = Record::default();
        r.scalar("k", self.k as f64);
        r.scalar("d", self.d);
        r.scalar("numerator_weighted", self.numerator_weighted);
        for (id, s) in &self.states {
            r.tensor(*id, "s", &s.s);
            r.tensor(*id, "exp_avg", &s.exp_avg);
            r.tensor(*id, "exp_avg_sq", &s.exp_avg_sq);
        }
        r.to_bytes(ADAM)
    }

    fn load_bytes(&mut self, bytes: &[u8], device: &Device) -> Result<(), RecordError> {
        let r = Record::from_bytes(bytes, ADAM)?;
        let k = r.take_scalar("k")? as u64;
        let d = r.take_scalar("d")?;
        let numerator_weighted = r.take_scalar("numerator_weighted")?;
        let states = record::states(&r, |id| {
            Ok(AdamState {
                s: r.take_tensor(id, "s", device)?,
                exp_avg: r.take_tensor(id, "exp_avg", device)?,
                exp_avg_sq: r.take_tensor(id, "exp_avg_sq", device)?,
            })
        })?;
        self.states = states;
        self.k = k;
        self.d = d;
        self.numerator_weighted = numerator_weighted;
        Ok(())
    }

    /// The step size d.
    fn estimate(&self) -> f64 {
        self.d
    }
}

#[derive(Clone)]
struct SgdState {
    s: Tensor<1>,
    x0: Tensor<1>,
}

/// D-Adapt SGD over a whole module, in the reference's dual-averaging form. With `lr` the rate
/// given to the step, d the estimate before it, `‖g0‖` the first step's gradient norm (without
/// weight decay, as the reference) and `dlr = d·lr/‖g0‖`:
///
/// ```text
/// n  = n + dlr·⟨g, s⟩;   s = s + dlr·g
/// d  = max(d, min(d·growth_rate, 2n/‖s‖))
/// p  = (1−c)·p + c·(x0 − s)                  (c = 1 − momentum)
/// ```
#[derive(Clone)]
pub struct DAdaptSgd {
    c: DAdaptSgdConfig,
    d: f64,
    numerator_weighted: f64,
    g0_norm: f64,
    k: u64,
    states: HashMap<ParamId, SgdState>,
}

impl WholeModuleOptimizer for DAdaptSgd {
    /// # Panics
    ///
    /// For a negative or non-finite `lr`.
    fn step<M: Module>(&mut self, lr: f64, module: M, mut grads: GradientsParams) -> M {
        crate::error::step_lr(SGD, lr);
        let c = &self.c;
        let ck = 1.0 - c.momentum;
        let mut slots = params::gather(&module, &mut grads);
        if self.k == 0 {
            // Without weight decay: the reference's `grad.add(…)` here is not in place.
            let g_sq: f64 = (slots.iter())
                .filter(|_| lr > 0.0)
                .map(|s| scalar(s.grad.clone().square().sum()))
                .sum();
            self.g0_norm = g_sq.sqrt();
        }
        let dlr = self.d * lr / self.g0_norm;
        let mut numerator_weighted = self.numerator_weighted;
        let mut sk_sq = 0.0;
        for slot in slots.iter_mut() {
            let p = &slot.value;
            let mut state = self.states.remove(&slot.id).unwrap_or_else(|| SgdState {
                s: p.zeros_like(),
                x0: p.clone(),
            });
            if c.weight_decay != 0.0 {
                slot.grad = slot.grad.clone() + p.clone().mul_scalar(c.weight_decay);
            }
            if lr > 0.0 {
                let g = slot.grad.clone();
                numerator_weighted += dlr * scalar(g.clone().dot(state.s.clone()));
                state.s = state.s + g.mul_scalar(dlr);
                sk_sq += scalar(state.s.clone().square().sum());
            }
            self.states.insert(slot.id, state);
        }
        // The reference has no rate-0 step: its sums are then undefined. Here such a step
        // (like one with zero gradients) leaves the weights as they are.
        if lr == 0.0 || sk_sq == 0.0 {
            return module;
        }
        let d_hat = 2.0 * numerator_weighted / sk_sq.sqrt();
        self.d = self.d.max(d_hat.min(self.d * c.growth_rate));
        self.numerator_weighted = numerator_weighted;
        let mut updated = HashMap::new();
        for slot in slots {
            let state = &self.states[&slot.id];
            let z = state.x0.clone() - state.s.clone();
            updated.insert(slot.id, slot.value.mul_scalar(1.0 - ck) + z.mul_scalar(ck));
        }
        self.k += 1;
        params::replace(module, updated)
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut r = Record::default();
        r.scalar("k", self.k as f64);
        r.scalar("d", self.d);
        r.scalar("numerator_weighted", self.numerator_weighted);
        r.scalar("g0_norm", self.g0_norm);
        for (id, s) in &self.states {
            r.tensor(*id, "s", &s.s);
            r.tensor(*id, "x0", &s.x0);
        }
        r.to_bytes(SGD)
    }

    fn load_bytes(&mut self, bytes: &[u8], device: &Device) -> Result<(), RecordError> {
        let r = Record::from_bytes(bytes, SGD)?;
        let k = r.take_scalar("k")? as u64;
        let d = r.take_scalar("d")?;
        let numerator_weighted = r.take_scalar("numerator_weighted")?;
        let g0_norm = r.take_scalar("g0_norm")?;
        let states = record::states(&r, |id| {
            Ok(SgdState {
                s: r.take_tensor(id, "s", device)?,
                x0: r.take_tensor(id, "x0", device)?,
            })
        })?;
        self.states = states;
        self.k = k;
        self.d = d;
        self.numerator_weighted = numerator_weighted;
        self.g0_norm = g0_norm;
        Ok(())
    }

    /// The step size d.
    fn estimate(&self) -> f64 {
        self.d
    }
}
