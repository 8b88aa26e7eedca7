//! The optimizers, each with PyTorch's defaults so runs compare with PyTorch's.

use burn::optim::momentum::MomentumConfig;
use burn::optim::{
    AdaGradConfig, AdamConfig, AdamWConfig, ModuleOptimizer, RmsPropConfig, SgdConfig,
};
use clap::ValueEnum;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
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

    pub fn build(self) -> ModuleOptimizer {
        match self {
            Self::Sgd => SgdConfig::new().init(),
            Self::Momentum => SgdConfig::new()
                .with_momentum(Some(
                    MomentumConfig::new().with_momentum(0.9).with_dampening(0.0),
                ))
                .init(),
            Self::Adagrad => AdaGradConfig::new().with_epsilon(1e-10).init(),
            Self::Rmsprop => RmsPropConfig::new()
                .with_alpha(0.99)
                .with_momentum(0.0)
                .with_epsilon(1e-8)
                .init(),
            Self::Adam => AdamConfig::new().with_epsilon(1e-8).init(),
            Self::Adamw => AdamWConfig::new()
                .with_epsilon(1e-8)
                .with_weight_decay(0.01)
                .init(),
            Self::Adadelta => adadelta::AdadeltaConfig::new().init(),
        }
    }
}
