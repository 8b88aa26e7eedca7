//! Schedules inside Burn's own training loop, on a few hundred MNIST images: the rate the
//! optimizer received at every step is the schedule's `lr(t)`, and reduce-on-plateau fed by the
//! validation loss cuts the rate after `patience` flat epochs.

mod common;

use burn_lr_schedules::{ScheduleConfig, Scheduler};
use common::{images, run};
use learner_example::{Images, Run, train};

fn config(toml_text: &str) -> ScheduleConfig {
    toml::from_str(toml_text).unwrap()
}

/// A rate far too small to move any f32 weight (1e-30 times a gradient is below the rounding of
/// every weight the initialisation draws): the validation loss is exactly the same each epoch,
/// so every epoch after the first fails to improve, for the plateau's threshold and for Burn's
/// early stopping (which counts any decrease, however small). `eps` (the smallest change of rate
/// applied, PyTorch's 1e-8 by default) is lowered to match.
fn flat_plateau(patience: u64) -> Scheduler {
    config(&format!(
        "kind = 'plateau'\ninitial_lr = 1e-30\nfactor = 0.5\neps = 0\npatience = {patience}"
    ))
    .build()
    .unwrap()
}

/// `rates` is `first` for `epochs_before` epochs of 8 steps, then `then` for `epochs_after`.
fn epochs_at(first: f64, epochs_before: usize, then: f64, epochs_after: usize) -> Vec<f64> {
    let mut rates = vec![first; 8 * epochs_before];
    rates.extend(vec![then; 8 * epochs_after]);
    rates
}

fn trained_rates(images: &Images, run: &Run, scheduler: Scheduler) -> Vec<f64> {
    let dir = tempfile::tempdir().unwrap();
    let trained = train(images, run, scheduler, dir.path()).unwrap();
    assert_eq!(trained.interrupted, None);
    trained.rates
}

#[test]
fn the_loop_applies_lr_t_at_every_step() {
    let images = images();
    let run = run(3);
    let per_step = [
        "kind = 'warmup'\nwarmup_steps = 4\n[after]\nkind = 'cosine'\nmax_lr = 0.1\ntotal_steps = 20",
        "kind = 'one_cycle'\nmax_lr = 0.2\ntotal_steps = 24",
        "kind = 'cyclical'\nbase_lr = 0.01\nmax_lr = 0.1\nstep_size = 5\nmode = 'triangular2'",
    ];
    let mut policies: Vec<_> = per_step
        .iter()
        .map(|c| config(c).policy().unwrap())
        .collect();
    // Counted in epochs: the loop still calls `step()` every iteration.
    let step = config("kind = 'step'\ninitial_lr = 0.1\ngamma = 0.5\nstep_size = 1");
    policies.push(step.policy().unwrap().per_epoch(8).unwrap());

    for policy in policies {
        let rates = trained_rates(&images, &run, Scheduler::new(policy.clone()));
        assert_eq!(rates.len(), 24, "{:?}", policy.config());
        for (t, &rate) in rates.iter().enumerate() {
            let expected = policy.lr(t as u64);
            assert!(
                (rate - expected).abs() <= 1e-12,
                "{:?}: step {t} applied {rate}, lr(t) = {expected}",
                policy.config()
            );
        }
        // The rates move, so an off-by-one in the loop's stepping would not match.
        assert!(rates.windows(2).any(|w| w[0] != w[1]));
    }
}

#[test]
fn plateau_fed_by_the_validation_loss_cuts_after_patience_flat_epochs() {
    let images = images();
    let run = run(5);
    for (patience, expected, final_lr) in [
        // PyTorch's rule: the cut comes when more than `patience` reports in a row fail to
        // improve. Epoch 1 sets the best; with patience 1, epochs 2 and 3 are flat, so epoch 4
        // trains at half the rate (and epochs 4 and 5 cut it again after the last one).
        (1, epochs_at(1e-30, 3, 5e-31, 2), 2.5e-31),
        // With patience 3 the first cut falls after the last epoch.
        (3, epochs_at(1e-30, 5, 0.0, 0), 5e-31),
    ] {
        let scheduler = flat_plateau(patience);
        let handle = scheduler.plateau().unwrap();
        let rates = trained_rates(&images, &run, scheduler);
        assert_eq!(handle.state().reports, 5, "one report per epoch");
        assert_eq!(rates, expected, "patience {patience}");
        assert_eq!(handle.lr(), final_lr, "patience {patience}");
    }
}

#[test]
fn plateau_and_early_stopping_share_the_loops_one_hook() {
    let images = images();
    // Planned for 5 epochs; Burn's early stopping ends it after 2 flat epochs (epoch 3), while
    // the plateau (patience 0) halves the rate after every flat epoch.
    let run = Run {
        stop_after_flat_epochs: Some(2),
        ..run(5)
    };
    let scheduler = flat_plateau(0);
    let handle = scheduler.plateau().unwrap();
    let rates = trained_rates(&images, &run, scheduler);
    assert_eq!(rates, epochs_at(1e-30, 2, 5e-31, 1));
    assert_eq!(handle.state().reports, 3);
    assert_eq!(handle.lr(), 2.5e-31);
}
