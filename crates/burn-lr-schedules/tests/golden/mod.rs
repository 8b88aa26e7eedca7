//! The tables PyTorch wrote (`pytorch_golden.py` → `pytorch.json`, `pytorch_momentum.py` →
//! `pytorch_momentum.json`) and the tolerance every comparison with them uses; read by the golden
//! tests here and by the `lr` command's tests in `experiments`.

// Each test reads the fields it compares; the others are there for the rest.
#![allow(dead_code)]

use burn_lr_schedules::ScheduleConfig;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Golden {
    pub torch_version: String,
    pub cases: Vec<Case>,
}

/// One schedule and what PyTorch (or the library named in `pytorch`) computed for it.
#[derive(Deserialize)]
pub struct Case {
    pub name: String,
    pub pytorch: String,
    /// The optimizer whose momentum (SGD's) or β1 (Adam's) was cycled; momentum cases only.
    #[serde(default)]
    pub optimizer: String,
    pub schedule: ScheduleConfig,
    pub lrs: Vec<f64>,
    /// The metric reported after each step; plateau cases only.
    #[serde(default)]
    pub metrics: Vec<f64>,
    /// The momentum in force at each step; momentum cases only.
    #[serde(default)]
    pub momentums: Vec<f64>,
}

/// Every policy's rates: `pytorch.json`.
pub fn rates() -> Golden {
    serde_json::from_str(include_str!("pytorch.json")).expect("golden file parses")
}

/// Rates and momenta of the schedules that cycle momentum: `pytorch_momentum.json`.
pub fn momenta() -> Golden {
    serde_json::from_str(include_str!("pytorch_momentum.json")).expect("golden file parses")
}

/// Equal to 1e-9 relative: what "exact" means against a float64 reference.
pub fn close(ours: f64, theirs: f64) -> bool {
    (ours - theirs).abs() <= 1e-9 * ours.abs().max(theirs.abs())
}
