//! Schedule-free SGD and AdamW (Defazio et al. 2024, "The Road Less Scheduled"), equal to
//! `schedulefree` 1.4.1's `SGDScheduleFree` and `AdamWScheduleFree`.

use std::collections::HashMap;

use burn_core as burn;

use burn::config::Config;
use burn::module::{Module, ParamId};
use burn::tensor::{Device, Tensor};
use burn_optim::GradientsParams;

use crate::WholeModuleOptimizer;
use crate::error::{ConfigError, beta, non_negative, positive};
use crate::params::{self, lerp};
use crate::record::{self, Record, RecordError};

/// `SGDScheduleFree`'s settings, with its defaults (its `lr` is the rate given to each step:
/// [`DEFAULT_LR`](Self::DEFAULT_LR) as the reference).
#[derive(Config, Debug)]
pub struct SgdScheduleFreeConfig {
    /// β: how far y sits from z towards the average x (the reference's `momentum`), in (0, 1).
    #[config(default = 0.9)]
    pub momentum: f64,
    /// Weight decay, added to the gradient at y (`weight_decay`).
    #[config(default = 0.0)]
    pub weight_decay: f64,
    /// Linear warm-up of the rate over this many steps (`warmup_steps`).
    #[config(default = 0)]
    pub warmup_steps: u64,
    /// Polynomial weighting of the average by the step, `(k+1)^r` (`r`).
    #[config(default = 0.0)]
    pub r: f64,
    /// The average weights step k by `lr_max^weight_lr_power` (`weight_lr_power`).
    #[config(default = 2.0)]
    pub weight_lr_power: f64,
}

/// `AdamWScheduleFree`'s settings, with its defaults (its `lr` is the rate given to each step:
/// [`DEFAULT_LR`](Self::DEFAULT_LR) as the reference).
#[derive(Config, Debug)]
pub struct AdamWScheduleFreeConfig {
    /// β1: the interpolation between z and x, as SGD's `momentum`.
    #[config(default = 0.9)]
    pub beta_1: f64,
    /// β2: decay of the squared-gradient average.
    #[config(default = 0.999)]
    pub beta_2: f64,
    /// Added to the denominator (`eps`).
    #[config(default = 1e-8)]
    pub epsilon: f64,
    /// Decoupled weight decay, added to the normalised gradient at y (`weight_decay`).
    #[config(default = 0.0)]
    pub weight_decay: f64,
    /// Linear warm-up of the rate over this many steps (`warmup_steps`).
    #[config(default = 0)]
    pub warmup_steps: u64,
    /// Polynomial weighting of the average by the step (`r`).
    #[config(default = 0.0)]
    pub r: f64,
    /// The average weights step k by `lr_max^weight_lr_power` (`weight_lr_power`).
    #[config(default = 2.0)]
    pub weight_lr_power: f64,
}

impl SgdScheduleFreeConfig {
    /// The reference's default `lr`.
    pub const DEFAULT_LR: f64 = 1.0;

    /// The optimizer, or the first setting out of range.
    pub fn init(&self) -> Result<ScheduleFree, ConfigError> {
        let name = "schedule-free SGD";
        crate::error::check(
            self.momentum > 0.0 && self.momentum < 1.0,
            name,
            "momentum",
            self.momentum,
            "above 0 and below 1",
        )?;
        non_negative(name, "weight_decay", self.weight_decay)?;
        non_negative(name, "r", self.r)?;
        non_negative(name, "weight_lr_power", self.weight_lr_power)?;
        Ok(ScheduleFree::new(
            Variant::Sgd,
            Common {
                beta: self.momentum,
                weight_decay: self.weight_decay,
                warmup_steps: self.warmup_steps,
                r: self.r,
                weight_lr_power: self.weight_lr_power,
            },
        ))
    }
}

impl AdamWScheduleFreeConfig {
    /// The reference's default `lr`.
    pub const DEFAULT_LR: f64 = 0.0025;

    /// The optimizer, or the first setting out of range.
    pub fn init(&self) -> Result<ScheduleFree, ConfigError> {
        let name = "schedule-free AdamW";
        // β1 = 0 would divide by zero in `eval` (x = y + (1 − 1/β)(z − y)).
        crate::error::check(
            self.beta_1 > 0.0 && self.beta_1 < 1.0,
            name,
            "beta_1",
            self.beta_1,
            "above 0 and below 1",
        )?;
        beta(name, "beta_2", self.beta_2)?;
        positive(name, "epsilon", self.epsilon)?;
        non_negative(name, "weight_decay", self.weight_decay)?;
        non_negative(name, "r", self.r)?;
        non_negative(name, "weight_lr_power", self.weight_lr_power)?;
        Ok(ScheduleFree::new(
            Variant::AdamW {
                beta_2: self.beta_2,
                epsilon: self.epsilon,
            },
            Common {
                beta: self.beta_1,
                weight_decay: self.weight_decay,
                warmup_steps: self.warmup_steps,
                r: self.r,
                weight_lr_power: self.weight_lr_power,
            },
        ))
    }
}

#[derive(Clone, Debug)]
enum Variant {
    Sgd,
    AdamW { beta_2: f64, epsilon: f64 },
}

#[derive(Clone, Debug)]
struct Common {
    beta: f64,
    weight_decay: f64,
    warmup_steps: u64,
    r: f64,
    weight_lr_power: f64,
}

#[derive(Clone)]
struct State {
    z: Tensor<1>,
    /// AdamW only.
    exp_avg_sq: Option<Tensor<1>>,
}

/// Schedule-free SGD or AdamW over a whole module, as the reference: the module holds y (where
/// gradients are taken) while training; z is the base sequence; x, the average that is
/// evaluated, is `y` moved away from `z`: `x = y + (1 − 1/β)(z − y)`.
///
/// Per step `k` (from 0), with `lr` the rate given to it:
///
/// ```text
/// lr_k  = lr · min(1, (k+1)/warmup_steps)
/// lr_max = max(lr_max, lr_k)
/// c     = (k+1)^r · lr_max^p / Σ_{j≤k} (j+1)^r · lr_max_j^p      (p = weight_lr_power)
/// g     = ∇f(y) + λ·y                       (SGD)
/// g     = ∇f(y) / (√(v/(1−β2^(k+1))) + ε) + λ·y,  v = β2·v + (1−β2)·∇f(y)²   (AdamW)
/// y     = lerp(y, z, c) + lr_k·(β·(1−c) − 1)·g
/// z     = z − lr_k·g
/// ```
///
/// # Training and evaluation
///
/// [`eval`](Self::eval) turns the module into x and [`train`](Self::train) back into y, as the
/// reference's `optimizer.eval()` / `optimizer.train()`; [`step`](WholeModuleOptimizer::step)
/// needs train mode. [`averaged`](Self::averaged) gives x without switching, so the training
/// weights stay exactly as they are (`eval` then `train` rounds them). Save checkpoints in
/// train mode. The optimizer starts in train mode (the reference starts in eval mode, where its
/// first `train()` does nothing, as there is no z yet).
///
/// # BatchNorm
///
/// Batch-norm statistics gathered at y do not fit x. The reference's advice: before evaluating,
/// in eval mode, run a few training batches through the network in training mode without
/// stepping, so the running statistics are recomputed at x. Networks without BatchNorm need
/// nothing.
#[derive(Clone)]
pub struct ScheduleFree {
    variant: Variant,
    c: Common,
    k: u64,
    weight_sum: f64,
    lr_max: f64,
    /// The last step's averaging weight c (logged as the estimate).
    ckp1: f64,
    train_mode: bool,
    states: HashMap<ParamId, State>,
}

impl ScheduleFree {
    fn new(variant: Variant, c: Common) -> Self {
        Self {
            variant,
            c,
            k: 0,
            weight_sum: 0.0,
            lr_max: -1.0,
            ckp1: 0.0,
            train_mode: true,
            states: HashMap::new(),
        }
    }

    fn name(&self) -> &'static str {
        match self.variant {
            Variant::Sgd => "schedule-free SGD",
            Variant::AdamW { .. } => "schedule-free AdamW",
        }
    }

    /// Whether the module holds y (training) rather than x.
    pub fn is_train_mode(&self) -> bool {
        self.train_mode
    }

    /// Steps taken.
    pub fn steps(&self) -> u64 {
        self.k
    }

    /// The module moved by `w` towards z, parameter by parameter.
    fn toward_z<M: Module>(&self, module: M, w: f64) -> M {
        let moved = params::values(&module)
            .into_iter()
            .filter_map(|(id, value)| {
                let z = self.states.get(&id)?.z.clone();
                Some((id, lerp(value, z, w)))
            })
            .collect();
        params::replace(module, moved)
    }

    /// The module at x, the averaged weights to evaluate, and the optimizer in eval mode
    /// (`optimizer.eval()`). Nothing happens in eval mode.
    pub fn eval<M: Module>(&mut self, module: M) -> M {
        if !self.train_mode {
            return module;
        }
        self.train_mode = false;
        self.toward_z(module, 1.0 - 1.0 / self.c.beta)
    }

    /// The module back at y and the optimizer in train mode (`optimizer.train()`). Nothing
    /// happens in train mode.
    pub fn train<M: Module>(&mut self, module: M) -> M {
        if self.train_mode {
            return module;
        }
        self.train_mode = true;
        self.toward_z(module, 1.0 - self.c.beta)
    }

    /// x, the weights to evaluate, from a module at y (in train mode), leaving the optimizer as
    /// it is.
    ///
    /// # Panics
    ///
    /// In eval mode (the module given is then already x).
    pub fn averaged<M: Module>(&self, module: M) -> M {
        assert!(
            self.train_mode,
            "{}: averaged() needs train mode, where the module holds y",
            self.name()
        );
        self.toward_z(module, 1.0 - 1.0 / self.c.beta)
    }
}

impl WholeModuleOptimizer for ScheduleFree {
    /// # Panics
    ///
    /// In eval mode (as the reference raises), or for a negative or non-finite `lr`.
    fn step<M: Module>(&mut self, lr: f64, module: M, mut grads: GradientsParams) -> M {
        crate::error::step_lr(self.name(), lr);
        assert!(
            self.train_mode,
            "{}: step() in eval mode; call train() first, as the reference requires",
            self.name()
        );
        let c = &self.c;
        let k = self.k;
        let sched = if k < c.warmup_steps {
            (k + 1) as f64 / c.warmup_steps as f64
        } else {
            1.0
        };
        let lr = lr * sched;
        self.lr_max = self.lr_max.max(lr);
        let weight = ((k + 1) as f64).powf(c.r) * self.lr_max.powf(c.weight_lr_power);
        self.weight_sum += weight;
        let ckp1 = if self.weight_sum == 0.0 {
            0.0
        } else {
            weight / self.weight_sum
        };
        self.ckp1 = ckp1;
        let bias_correction2 = match self.variant {
            Variant::AdamW { beta_2, .. } => 1.0 - beta_2.powf((k + 1) as f64),
            Variant::Sgd => 1.0,
        };
        let mut updated = HashMap::new();
        for slot in params::gather(&module, &mut grads) {
            let y = slot.value;
            let state = self.states.remove(&slot.id).unwrap_or_else(|| State {
                z: y.clone(),
                exp_avg_sq: matches!(self.variant, Variant::AdamW { .. }).then(|| y.zeros_like()),
            });
            let (grad, exp_avg_sq) = match self.variant {
                Variant::Sgd => (slot.grad, None),
                Variant::AdamW { beta_2, epsilon } => {
                    let v = state.exp_avg_sq.expect("AdamW state");
                    let v =
                        v.mul_scalar(beta_2) + slot.grad.clone().square().mul_scalar(1.0 - beta_2);
                    let denom = v
                        .clone()
                        .div_scalar(bias_correction2)
                        .sqrt()
                        .add_scalar(epsilon);
                    (slot.grad / denom, Some(v))
                }
            };
            let grad = if c.weight_decay != 0.0 {
                grad + y.clone().mul_scalar(c.weight_decay)
            } else {
                grad
            };
            let y = lerp(y, state.z.clone(), ckp1)
                + grad.clone().mul_scalar(lr * (c.beta * (1.0 - ckp1) - 1.0));
            let z = state.z - grad.mul_scalar(lr);
            updated.insert(slot.id, y);
            self.states.insert(slot.id, State { z, exp_avg_sq });
        }
        self.k = k + 1;
        params::replace(module, updated)
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut r = Record::default();
        r.scalar("k", self.k as f64);
        r.scalar("weight_sum", self.weight_sum);
        r.scalar("lr_max", self.lr_max);
        r.scalar("ckp1", self.ckp1);
        r.scalar("train_mode", f64::from(u8::from(self.train_mode)));
        for (id, s) in &self.states {
            r.tensor(*id, "z", &s.z);
            if let Some(v) = &s.exp_avg_sq {
                r.tensor(*id, "exp_avg_sq", v);
            }
        }
        r.to_bytes(self.name())
    }

    fn load_bytes(&mut self, bytes: &[u8], device: &Device) -> Result<(), RecordError> {
        let r = Record::from_bytes(bytes, self.name())?;
        let adamw = matches!(self.variant, Variant::AdamW { .. });
        let k = r.take_scalar("k")? as u64;
        let weight_sum = r.take_scalar("weight_sum")?;
        let lr_max = r.take_scalar("lr_max")?;
        let ckp1 = r.take_scalar("ckp1")?;
        let train_mode = r.take_scalar("train_mode")? != 0.0;
        let states = record::states(&r, |id| {
            Ok(State {
                z: r.take_tensor(id, "z", device)?,
                exp_avg_sq: if adamw {
                    Some(r.take_tensor(id, "exp_avg_sq", device)?)
                } else {
                    None
                },
            })
        })?;
        self.states = states;
        self.k = k;
        self.weight_sum = weight_sum;
        self.lr_max = lr_max;
        self.ckp1 = ckp1;
        self.train_mode = train_mode;
        Ok(())
    }

    /// The last step's averaging weight c (0 before the first step).
    fn estimate(&self) -> f64 {
        self.ckp1
    }
}
