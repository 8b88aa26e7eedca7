//! The optimizers, each with PyTorch's defaults so runs compare with PyTorch's.
//!
//! Under a schedule that cycles momentum (`one_cycle`, `cyclical`), `momentum`, `adam` and
//! `adamw` come from `crates/momentum` instead of Burn, so that the schedule can set the
//! momentum (β1) of every step; every other run keeps Burn's optimizers, and its numbers
//! (`adam` as `fastconv::FusedAdam`, Burn's `Adam` with its step fused on the CPU backends, to
//! the same bits).

use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdaGradConfig, AdamWConfig, ModuleOptimizer, RmsPropConfig, SgdConfig};
use clap::ValueEnum;
use momentum::MomentumHandle;
use serde::{Deserialize, Serialize};

/// The momentum of `momentum` and the β1 of `adam` and `adamw` (PyTorch's defaults), in force
/// wherever the schedule does not cycle it.
pub const MOMENTUM: f64 = 0.9;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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
        }
    }

    /// Whether the update divides by a running gradient magnitude (loss decay is then not a
    /// learning-rate schedule in disguise).
    pub fn is_adaptive(self) -> bool {
        !matches!(self, Self::Sgd | Self::Momentum)
    }

    /// Whether the optimizer has a momentum a schedule can cycle (SGD's momentum, Adam's β1).
    pub fn takes_momentum(self) -> bool {
        matches!(self, Self::Momentum | Self::Adam | Self::Adamw)
    }

    /// The optimizer, and with `cycled` (for the kinds that [take momentum](Self::takes_momentum))
    /// the handle through which the schedule sets its momentum before each step; the same
    /// defaults either way, [`MOMENTUM`] included.
    pub fn build_for(self, cycled: bool) -> (ModuleOptimizer, Option<MomentumHandle>) {
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
        (optim, Some(handle))
    }

    pub fn build(self) -> ModuleOptimizer {
        match self {
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
        }
    }
}
