//! Every learning-rate schedule as a Burn [`LrScheduler`](burn_optim::lr_scheduler::LrScheduler):
//! exact to the formula, validated, composable and resumable.
//!
//! A policy is a value answering `lr(t)` for `t = 0, 1, 2, …`, where `t` counts the optimizer
//! steps taken before. [`ScheduleConfig`] holds any policy (deserializable from a TOML table
//! tagged by `kind`); [`ScheduleConfig::policy`] validates it into a pure [`Policy`], and
//! [`ScheduleConfig::build`] into a [`Scheduler`], whose n-th `step()` returns `lr(n − 1)`.
//!
//! | kind | parameters (default) | lr(t) | counterpart |
//! |---|---|---|---|
//! | `constant` | `lr` | `lr` | a float |
//! | `step` | `initial_lr`, `gamma`, `step_size` | `initial_lr·gamma^⌊t/step_size⌋` | PyTorch `StepLR` |
//! | `multistep` | `initial_lr`, `gamma`, `milestones` | `initial_lr·gamma^(number of milestones ≤ t)` | PyTorch `MultiStepLR` |
//! | `exponential` | `initial_lr`, `decay_rate` | `initial_lr·e^(−decay_rate·t)` | PyTorch `ExponentialLR`, Keras `ExponentialDecay` |
//! | `inverse_time` | `initial_lr`, `decay_rate`, `decay_steps` (1), `staircase` (false) | `initial_lr/(1+decay_rate·t/decay_steps)` | Keras `InverseTimeDecay` |
//! | `inverse_sqrt` | `peak_lr`, `warmup_steps`, `timescale` (`warmup_steps`, or 10 000) | ramp from 0, then `peak_lr/√((t+τ−W)/τ)` | Hugging Face `get_inverse_sqrt_schedule` |
//! | `polynomial` | `initial_lr`, `end_lr` (0), `power` (1), `total_steps`, `cycle` (false) | `(initial_lr−end_lr)·(1−s/D)^power+end_lr` | Keras `PolynomialDecay`, PyTorch `PolynomialLR` |
//! | `cosine` | `max_lr`, `min_lr` (0), `total_steps` | `min_lr+½(max_lr−min_lr)(1+cos(π·min(t,T)/T))` | PyTorch `CosineAnnealingLR` |
//! | `cosine_restarts` | `max_lr`, `min_lr` (0), `first_cycle_steps`, `cycle_mult` (1), `cycle_decay` (1), `cycle_limit` (none) | SGDR, peaks `max_lr·cycle_decay^i` | PyTorch `CosineAnnealingWarmRestarts`, timm `CosineLRScheduler` |
//! | `cyclical` | `base_lr`, `max_lr`, `step_size`, `mode` (`triangular`), `gamma` (1), `window` (`triangular`), `cycle_momentum` (true), `base_momentum` (0.8), `max_momentum` (0.9) | `base_lr+(max_lr−base_lr)·w(x)·f`; momentum mirrored | PyTorch `CyclicLR` |
//! | `one_cycle` | `max_lr`, `total_steps`, `pct_start` (0.3), `div_factor` (25), `final_div_factor` (1e4), `anneal_strategy` (`cos`), `three_phase` (false), `cycle_momentum` (true), `base_momentum` (0.85), `max_momentum` (0.95) | two or three annealed phases; momentum against them | PyTorch `OneCycleLR` |
//! | `linear` | `start_lr`, `end_lr`, `total_steps` | straight line, then `end_lr` | PyTorch `LinearLR` |
//! | `rex` | `max_lr`, `min_lr` (0), `total_steps` | `min_lr+(max_lr−min_lr)(1−p)/(1−p/2)` | REX (Chen et al. 2022) |
//! | `warmup` | `warmup_steps`, `start_lr` (0), `after` | linear ramp to `after(0)`, then `after(t−W)` | Hugging Face `*_with_warmup` |
//! | `wsd` | `peak_lr`, `warmup_steps`, `stable_steps`, `decay_steps`, `min_lr` (0), `decay_shape` (`linear`) | warm-up, stable, decay | Hugging Face `get_wsd_schedule` |
//! | `sequential` | `milestones`, `schedules` | schedule `i` from milestone `i−1`, its clock restarted | optax `join_schedules` |
//! | `product` | `schedules` | the parts' rates multiplied | Burn `ComposedLrScheduler` (`Prod`) |
//! | `plateau` | `initial_lr`, `mode` (`min`), `factor` (0.1), `patience` (10), `threshold` (1e-4), `threshold_mode` (`rel`), `cooldown` (0), `min_lr` (0), `eps` (1e-8) | reduced when a reported metric stalls; also as `warmup`'s `after` or `sequential`'s last schedule | PyTorch `ReduceLROnPlateau` |
//!
//! Each policy's page gives its exact formula; the repository's `docs/schedules.md` has the
//! same table with every formula written out, the momentum `one_cycle` and `cyclical` set, and
//! the experiment's presets. A test (`tests/doc_tables.rs`) keeps the kind column of this
//! table, of that file's and of the repository's `README.md` equal to [`Kind::ALL`].
//!
//! Learning rates have no upper bound; every invalid parameter is reported as one line naming
//! it, e.g.
//! `cyclical: max_lr (0.001) must be greater than base_lr (0.01)`.
//!
//! `one_cycle` and `cyclical` also cycle the optimizer's momentum (Adam's β1) against the rate,
//! as PyTorch does by default: [`Policy::momentum`] gives it for each step (see
//! [`Schedule::momentum`]); the optimizers of this repository's `momentum` crate apply it.
//!
//! # In a hand-written Burn training loop
//!
//! ```
//! use burn::module::Module;
//! use burn::nn::{Linear, LinearConfig};
//! use burn::optim::{GradientsParams, Optimizer, SgdConfig};
//! use burn::tensor::{Device, Tensor};
//! use burn_optim::lr_scheduler::LrScheduler;
//! use burn_lr_schedules::ScheduleConfig;
//!
//! let config: ScheduleConfig = toml::from_str(r#"
//!     kind = "warmup"
//!     warmup_steps = 2
//!     [after]
//!     kind = "cosine"
//!     max_lr = 0.1
//!     total_steps = 8
//! "#).unwrap();
//! let mut scheduler = config.build().unwrap();
//!
//! let device = Device::flex().autodiff();
//! let mut model: Linear = LinearConfig::new(3, 1).init(&device);
//! let mut optim = SgdConfig::new().init();
//! let (x, y) = (Tensor::<2>::ones([4, 3], &device), Tensor::<2>::zeros([4, 1], &device));
//! for _ in 0..10 {
//!     let loss = (model.forward(x.clone()) - y.clone()).powi_scalar(2).mean();
//!     let grads = GradientsParams::from_grads(loss.backward(), &model);
//!     model = optim.step(scheduler.step(), model, grads);
//! }
//! assert_eq!(scheduler.steps(), 10);
//! ```
//!
//! # With Burn's `Learner`
//!
//! [`Scheduler`] implements `LrScheduler`, so it goes wherever Burn 0.22's own training loop
//! (`burn-train`) takes a scheduler: `Learner::new(model, optimizer, scheduler)`, launched by
//! `SupervisedTraining`, which calls `step()` before every optimizer step. Reduce-on-plateau also
//! needs the validation metric after each epoch, which that loop gives no scheduler: the
//! `burn-train` feature adds `learner::PlateauFeed`, which delivers it through the loop's
//! early-stopping hook. The repository's `crates/learner-example` trains MNIST this way and
//! checks the rate the loop applied at every step against `lr(t)`.
#![cfg_attr(feature = "burn-train", doc = include_str!("learner.md"))]
//!
//! # Epochs, reduce-on-plateau, loss decay
//!
//! - [`Policy::per_epoch`] holds the rate constant within an epoch, so the epoch-counted formulas
//!   of the textbooks apply while Burn calls `step()` every iteration.
//! - `plateau` needs a metric that `step()` does not carry: report it through the
//!   [`PlateauHandle`] from [`Scheduler::plateau`] (see [`Plateau`]); after a warm-up or a
//!   `sequential`'s earlier parts, reports count once the plateau part has started.
//! - [`LossDecay`] uses any policy as a multiplier on the loss at a fixed learning rate.
//!
//! `examples/burn_training.rs` trains a small Burn model with a config-built schedule.
//!
//! # Parameter groups
//!
//! Burn's `ModuleLrScheduler` gives each parameter group its own scheduler (a backbone at a
//! lower rate than its head, fastai's discriminative rates):
//! `ModuleLrScheduler::new(backbone).with_group(ParamGroup::from_predicate("head"), head)` takes
//! [`Scheduler`]s as it takes Burn's own, in a hand-written loop or in `Learner::new`, and its
//! record nests theirs. [`check_group_record`] refuses a grouped record saved under other
//! schedules, which Burn's `load_record` would load. `examples/param_groups.rs` trains a backbone
//! and a head this way.
//!
//! # Lengths as shares of the run
//!
//! With the `toml` feature, the `shares` module reads a schedule table whose lengths are percentages of
//! the run (`total_steps = "100%"`, `milestones = ["50%", "75%"]`) and makes them steps once the
//! run's length is known, so one config file fits any number of epochs or batch size.
//!
//! # More in the repository
//!
//! Beside the crate, the repository holds an experiment that trains CNNs on MNIST under every
//! schedule, and its documentation in `docs/`: `docs/schedules.md` (every kind, momentum,
//! presets, this crate in a Burn project), `docs/experiment.md` (the experiment and its flags),
//! `docs/study.md` (every schedule tuned on the same budget, and what the committed study and
//! reports found), `docs/speed.md`, `docs/cluster.md` (sweeps as Slurm job arrays) and
//! `docs/reliability.md` (checkpoints, resume, determinism).

#![warn(missing_docs)]

mod config;
mod constant;
mod cosine;
mod cyclical;
mod defaults;
mod error;
mod exponential;
mod groups;
mod inverse_sqrt;
#[cfg(feature = "burn-train")]
pub mod learner;
mod length;
mod loss_decay;
mod one_cycle;
mod plateau;
mod policy;
mod polynomial;
mod product;
mod rex;
mod scale;
mod schedule;
mod scheduler;
mod sequential;
#[cfg(feature = "toml")]
pub mod shares;
mod step;
mod warmup;

pub use config::{KINDS, Kind, MAX_RATE, ScheduleConfig, UnknownKind};
pub use constant::Constant;
pub use cosine::{Cosine, CosineRestarts};
pub use cyclical::{Cyclical, CyclicalMode, Window};
pub use error::ScheduleError;
pub use exponential::{Exponential, InverseTime};
pub use groups::{GroupRecordMismatch, check_group_record};
pub use inverse_sqrt::InverseSqrt;
pub use loss_decay::LossDecay;
pub use one_cycle::{AnnealStrategy, OneCycle};
pub use plateau::{Plateau, PlateauHandle, PlateauMode, PlateauState, ThresholdMode};
pub use policy::Policy;
pub use polynomial::{Linear, Polynomial};
pub use product::Product;
pub use rex::Rex;
pub use schedule::Schedule;
pub use scheduler::{RecordMismatch, Scheduler};
pub use sequential::Sequential;
pub use step::{Multistep, Step};
pub use warmup::{DecayShape, Warmup, Wsd};
