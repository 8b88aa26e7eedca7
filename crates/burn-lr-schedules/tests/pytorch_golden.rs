//! Every policy PyTorch has, against the learning rates PyTorch computed for the same parameters
//! (`golden/pytorch_golden.py` wrote `golden/pytorch.json`), to 1e-9 relative; likewise Hugging
//! Face's `get_inverse_sqrt_schedule`, timm's `CosineLRScheduler` (restarts with `cycle_decay`,
//! `cycle_limit`) and, having no library, REX from the paper's form of its formula.

mod golden;

use burn_optim::lr_scheduler::LrScheduler;
use golden::close;

#[test]
fn every_case_matches_pytorch() {
    let golden = golden::rates();
    assert!(golden.torch_version.starts_with('2'));
    let mut checked = 0;
    for case in &golden.cases {
        let mut scheduler = case
            .schedule
            .build()
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let ours: Vec<f64> = if case.metrics.is_empty() {
            (0..case.lrs.len()).map(|_| scheduler.step()).collect()
        } else {
            let handle = scheduler.plateau().expect("plateau case");
            case.metrics
                .iter()
                .map(|&m| {
                    scheduler.step();
                    handle.report(m);
                    scheduler.peek()
                })
                .collect()
        };
        for (t, (&a, &b)) in ours.iter().zip(&case.lrs).enumerate() {
            assert!(
                close(a, b),
                "{} ({}): t = {t}: ours {a}, PyTorch {b}",
                case.name,
                case.pytorch
            );
        }
        checked += ours.len();
    }
    assert!(checked > 10_000, "only {checked} values checked");
}

#[test]
fn golden_covers_every_pytorch_scheduler_and_mode() {
    let names: Vec<String> = golden::rates().cases.into_iter().map(|c| c.name).collect();
    for prefix in [
        "step_",
        "multistep_",
        "exponential_",
        "linear_",
        "polynomial_",
        "cosine_0",
        "cosine_restarts_",
        "cyclical_triangular_",
        "cyclical_triangular2_",
        "cyclical_exp_range_",
        "one_cycle_cos_two",
        "one_cycle_cos_three",
        "one_cycle_linear_two",
        "one_cycle_linear_three",
        "warmup_cosine_",
        "plateau_min_rel",
        "plateau_min_abs",
        "plateau_max_rel",
        "plateau_max_abs",
        "inverse_sqrt_",
        "rex_",
        "timm_cosine_restarts_",
    ] {
        assert!(
            names.iter().any(|n| n.starts_with(prefix)),
            "no golden case {prefix}*"
        );
    }
}

#[test]
fn plateau_reductions_actually_happen_in_the_golden_cases() {
    // Guards the comparison above against a metric series that never triggers the rule.
    for case in golden::rates()
        .cases
        .iter()
        .filter(|c| !c.metrics.is_empty())
    {
        let distinct = case.lrs.windows(2).filter(|w| w[0] != w[1]).count();
        assert!(distinct >= 1, "{} never reduces", case.name);
    }
}
