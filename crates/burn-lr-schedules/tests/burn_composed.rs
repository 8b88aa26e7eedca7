//! `product` against Burn's own `ComposedLrScheduler` (reduction `Prod`), stepped side by side.

use burn_lr_schedules::ScheduleConfig;
use burn_optim::lr_scheduler::LrScheduler;
use burn_optim::lr_scheduler::composed::ComposedLrSchedulerConfig;
use burn_optim::lr_scheduler::linear::LinearLrSchedulerConfig;
use burn_optim::lr_scheduler::step::StepLrSchedulerConfig;

#[test]
fn product_steps_as_burns_composed_scheduler() {
    // A linear ramp down times a halving every 10 steps, past the ramp's end.
    let ours: ScheduleConfig = toml::from_str(
        r#"
        kind = "product"
        [[schedules]]
        kind = "linear"
        start_lr = 0.5
        end_lr = 0.05
        total_steps = 40
        [[schedules]]
        kind = "step"
        initial_lr = 1.0
        gamma = 0.5
        step_size = 10
        "#,
    )
    .unwrap();
    let mut ours = ours.build().unwrap();
    let mut burn = ComposedLrSchedulerConfig::new()
        .linear(LinearLrSchedulerConfig::new(0.5, 0.05, 40))
        .step(StepLrSchedulerConfig::new(1.0, 10).with_gamma(0.5))
        .init()
        .unwrap();

    let mut rates = Vec::new();
    for t in 0..60 {
        let (a, b) = (ours.step(), burn.step().base());
        // The parts compute their lines in other orders of operations: equal to rounding.
        assert!(
            (a - b).abs() <= 1e-12 * b.abs(),
            "step {t}: product {a}, Burn {b}"
        );
        rates.push(a);
    }
    // Both factors move: the ramp for 40 steps, the halving every 10.
    assert_eq!(rates[0], 0.5);
    assert!((rates[10] - 0.5 * (0.5 - 0.45 * 10.0 / 40.0)).abs() < 1e-15);
    assert!((rates[59] - 0.05 * 0.5f64.powi(5)).abs() < 1e-15);
}
