//! The optimizers, each with PyTorch's defaults so runs compare with PyTorch's.
//!
//! Under a schedule that cycles momentum (`one_cycle`, `cyclical`), `momentum`, `adam` and
//! `adamw` come from `crates/momentum` instead of Burn, so that the schedule can set the
//! momentum (β1) of every step; every other run keeps Burn's optimizers, and its numbers
//! (`adam` as `fastconv::FusedAdam`, Burn's `Adam` with its step fused on the CPU backends, to
//! the same bits). The schedule-free, Prodigy and D-Adaptation optimizers come from
//! `crates/lr-free`, with their reference defaults; they step the whole module at once, so a
//! run holds an [`Optim`], one of either kind.

use burn::module::Module;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{
    AdaGradConfig, AdamWConfig, GradientsParams, ModuleOptimizer, RmsPropConfig, SgdConfig,
};
use burn::tensor::{Bytes, Device};
use clap::ValueEnum;
use lr_free::WholeModuleOptimizer;
use momentum::MomentumHandle;
use serde::{Deserialize, Serialize};

/// The momentum of `momentum` and the β1 of `adam` and `adamw` (PyTorch's defaults), in force
/// wherever the schedule does not cycle it.
pub const MOMENTUM: f64 = 0.9;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OptimizerKind {
    /// Plain SGD.
    Sgd,
    /// SGD with momentum 0.9 (no dampening, as in PyTorch).
    Momentum,
    /// Adagrad (eps 1e-10).
    Adagrad,
    /// RMSprop (alpha 0.99, eps 1e-8, no momentum).
    Rmsprop,
    /// Adam (betas 0.9, 0.999, eps 1e-8; Burn's own default eps is 1e-5).
    Adam,
    /// AdamW (weight decay 0.01, eps 1e-8).
    Adamw,
    /// Adadelta (rho 0.9, eps 1e-6), equal to PyTorch's.
    Adadelta,
    /// Schedule-free SGD (schedulefree 1.4.1: momentum 0.9; default lr 1.0), evaluated at x.
    ScheduleFreeSgd,
    /// Schedule-free AdamW (schedulefree 1.4.1: betas 0.9, 0.999, eps 1e-8; default lr 0.0025),
    /// evaluated at x.
    ScheduleFreeAdamw,
    /// Prodigy (prodigyopt 1.1.2 defaults); the rate multiplies its estimated step size d.
    Prodigy,
    /// D-Adapt Adam (dadaptation 3.2 defaults); the rate multiplies d.
    DadaptAdam,
    /// D-Adapt SGD (dadaptation 3.2 defaults); the rate multiplies d.
    DadaptSgd,
}

impl OptimizerKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Sgd => "sgd",
            Self::Momentum => "momentum",
            Self::Adagrad => "adagrad",
            Self::Rmsprop => "rmsprop",
            Self::Adam => "adam",
            Self::Adamw => "adamw",
            Self::Adadelta => "adadelta",
            Self::ScheduleFreeSgd => "schedule-free-sgd",
            Self::ScheduleFreeAdamw => "schedule-free-adamw",
            Self::Prodigy => "prodigy",
            Self::DadaptAdam => "dadapt-adam",
            Self::DadaptSgd => "dadapt-sgd",
        }
    }

    /// The reference's default rate, for the optimizers that are meant to train without a
    /// schedule (a run of one given none trains at it as a constant).
    pub fn default_lr(self) -> Option<f64> {
        match self {
            Self::ScheduleFreeSgd => Some(lr_free::SgdScheduleFreeConfig::DEFAULT_LR),
            Self::ScheduleFreeAdamw => Some(lr_free::AdamWScheduleFreeConfig::DEFAULT_LR),
            Self::Prodigy => Some(lr_free::ProdigyConfig::DEFAULT_LR),
            Self::DadaptAdam => Some(lr_free::DAdaptAdamConfig::DEFAULT_LR),
            Self::DadaptSgd => Some(lr_free::DAdaptSgdConfig::DEFAULT_LR),
            _ => None,
        }
    }

    /// Whether the rate is a multiplier of a step size the optimizer estimates itself
    /// (Prodigy, D-Adaptation), so an LR range test has nothing to find.
    pub fn estimates_step_size(self) -> bool {
        matches!(self, Self::Prodigy | Self::DadaptAdam | Self::DadaptSgd)
    }

    /// Whether the update divides by a running gradient magnitude (loss decay is then not a
    /// learning-rate schedule in disguise).
    pub fn is_adaptive(self) -> bool {
        !matches!(self, Self::Sgd | Self::Momentum | Self::ScheduleFreeSgd)
    }

    /// Whether the optimizer has a momentum a schedule can cycle (SGD's momentum, Adam's β1).
    pub fn takes_momentum(self) -> bool {
        matches!(self, Self::Momentum | Self::Adam | Self::Adamw)
    }

    /// The optimizer, and with `cycled` (for the kinds that [take momentum](Self::takes_momentum))
    /// the handle through which the schedule sets its momentum before each step; the same
    /// defaults either way, [`MOMENTUM`] included.
    pub fn build_for(self, cycled: bool) -> (Optim, Option<MomentumHandle>) {
        let (optim, handle) = match self {
            _ if !cycled => return (self.build(), None),
            Self::Momentum => momentum::SgdMomentumConfig::new()
                .with_momentum(MOMENTUM)
                .init(),
            Self::Adam => momentum::AdamConfig::new().with_beta_1(MOMENTUM).init(),
            Self::Adamw => momentum::AdamConfig::new()
                .with_beta_1(MOMENTUM)
                .with_weight_decay(0.01)
                .with_decoupled_weight_decay(true)
                .init(),
            _ => return (self.build(), None),
        };
        (Optim::Module(optim), Some(handle))
    }

    pub fn build(self) -> Optim {
        // The references' defaults are in range: `init` cannot refuse them.
        let defaults = "the reference defaults are valid";
        let module = match self {
            Self::ScheduleFreeSgd => {
                return Optim::ScheduleFree(
                    lr_free::SgdScheduleFreeConfig::new()
                        .init()
                        .expect(defaults),
                );
            }
            Self::ScheduleFreeAdamw => {
                return Optim::ScheduleFree(
                    lr_free::AdamWScheduleFreeConfig::new()
                        .init()
                        .expect(defaults),
                );
            }
            Self::Prodigy => {
                return Optim::Prodigy(lr_free::ProdigyConfig::new().init().expect(defaults));
            }
            Self::DadaptAdam => {
                return Optim::DAdaptAdam(lr_free::DAdaptAdamConfig::new().init().expect(defaults));
            }
            Self::DadaptSgd => {
                return Optim::DAdaptSgd(lr_free::DAdaptSgdConfig::new().init().expect(defaults));
            }
            Self::Sgd => SgdConfig::new().init(),
            Self::Momentum => SgdConfig::new()
                .with_momentum(Some(
                    MomentumConfig::new()
                        .with_momentum(MOMENTUM)
                        .with_dampening(0.0),
                ))
                .init(),
            Self::Adagrad => AdaGradConfig::new().with_epsilon(1e-10).init(),
            Self::Rmsprop => RmsPropConfig::new()
                .with_alpha(0.99)
                .with_momentum(0.0)
                .with_epsilon(1e-8)
                .init(),
            // Burn's Adam to the bit, its step fused into one pass on flex and ndarray.
            Self::Adam => fastconv::FusedAdam::new(0.9, 0.999, 1e-8).init(),
            Self::Adamw => AdamWConfig::new()
                .with_epsilon(1e-8)
                .with_weight_decay(0.01)
                .init(),
            Self::Adadelta => adadelta::AdadeltaConfig::new().init(),
        };
        Optim::Module(module)
    }
}

/// A run's optimizer: one of Burn's per-parameter kind in a `ModuleOptimizer`, or one of
/// `crates/lr-free`'s, which step the whole module.
#[derive(Clone)]
pub enum Optim {
    Module(ModuleOptimizer),
    ScheduleFree(lr_free::ScheduleFree),
    Prodigy(lr_free::Prodigy),
    DAdaptAdam(lr_free::DAdaptAdam),
    DAdaptSgd(lr_free::DAdaptSgd),
}

/// `$body` with `$o` bound to whichever whole-module optimizer `$optim` holds, `$module` for
/// Burn's.
macro_rules! whole {
    ($optim:expr, $o:ident => $body:expr, $m:ident => $module:expr) => {
        match $optim {
            Optim::Module($m) => $module,
            Optim::ScheduleFree($o) => $body,
            Optim::Prodigy($o) => $body,
            Optim::DAdaptAdam($o) => $body,
            Optim::DAdaptSgd($o) => $body,
        }
    };
}

impl Optim {
    /// One step at `lr`.
    pub fn step<M: Module>(&mut self, lr: f64, model: M, grads: GradientsParams) -> M {
        whole!(self, o => o.step(lr, model, grads), m => m.step(lr, model, grads))
    }

    /// The state, for a checkpoint.
    pub fn to_bytes(&self) -> std::result::Result<Vec<u8>, String> {
        whole!(self, o => Ok(o.to_bytes()), m => m.into_bytes().map(|b| b.to_vec()).map_err(|e| format!("{e:?}")))
    }

    /// This optimizer with the state of `bytes` (from [`to_bytes`](Self::to_bytes)) in place.
    pub fn load(self, bytes: &[u8], device: &Device) -> std::result::Result<Self, String> {
        let mut this = self;
        whole!(&mut this, o => o.load_bytes(bytes, device).map_err(|e| e.to_string())?, m => {
            let loaded = m.clone().from_bytes(Bytes::from_bytes_vec(bytes.to_vec()));
            *m = loaded.map_err(|e| format!("{e:?}"))?;
        });
        Ok(this)
    }

    /// What `metrics.csv` records beside the rate: d (Prodigy, D-Adaptation) or schedule-free's
    /// averaging weight after the step; nothing for Burn's optimizers.
    pub fn estimate(&self) -> Option<f64> {
        whole!(self, o => Some(o.estimate()), _m => None)
    }

    /// The weights to evaluate: schedule-free's average x; the model itself otherwise.
    pub fn evaluated<M: Module>(&self, model: &M) -> M {
        match self {
            Optim::ScheduleFree(sf) => sf.averaged(model.clone()),
            _ => model.clone(),
        }
    }
}
