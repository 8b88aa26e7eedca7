//! Momentum cycling against PyTorch's: the rate and the momentum (SGD's `momentum`, Adam's β1)
//! that `OneCycleLR` and `CyclicLR` put in force for each step, and a warm-up in front of
//! one-cycle (`SequentialLR`), as `golden/pytorch_momentum.py` wrote them to
//! `golden/pytorch_momentum.json`, to 1e-9 relative.

mod golden;

use golden::close;

#[test]
fn rates_and_momenta_match_pytorch() {
    let golden = golden::momenta();
    assert!(golden.torch_version.starts_with('2'));
    let mut checked = 0;
    for case in &golden.cases {
        let policy = (case.schedule.policy()).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        assert!(policy.cycles_momentum(), "{}", case.name);
        assert_eq!(case.lrs.len(), case.momentums.len());
        for (t, (&lr, &m)) in case.lrs.iter().zip(&case.momentums).enumerate() {
            let (our_lr, our_m) = (policy.lr(t as u64), policy.momentum(t as u64));
            let what = format!("{} ({}): t = {t}", case.name, case.pytorch);
            assert!(
                close(our_lr, lr),
                "{what}: rate ours {our_lr}, PyTorch {lr}"
            );
            let our_m = our_m.unwrap_or_else(|| panic!("{what}: no momentum"));
            assert!(
                close(our_m, m),
                "{what}: momentum ours {our_m}, PyTorch {m}"
            );
        }
        checked += case.momentums.len();
    }
    assert!(checked > 5_000, "only {checked} values checked");
}

#[test]
fn golden_covers_every_shape_for_sgd_and_adam_and_the_momenta_move() {
    let cases = golden::momenta().cases;
    for shape in [
        "one_cycle_cos_two",
        "one_cycle_cos_three",
        "one_cycle_linear_two",
        "one_cycle_linear_three",
        "cyclical_triangular_",
        "cyclical_triangular2_",
        "cyclical_exp_range_",
        "warmup_one_cycle_",
    ] {
        for optimizer in ["sgd", "adam"] {
            let case = cases
                .iter()
                .find(|c| c.name.starts_with(shape) && c.optimizer == optimizer)
                .unwrap_or_else(|| panic!("no golden case {shape}* with {optimizer}"));
            // Guards the comparison above against a trace whose momentum never moved.
            let moves = case.momentums.windows(2).filter(|w| w[0] != w[1]).count();
            assert!(moves > 10, "{}: momentum moves {moves} times", case.name);
        }
    }
}
