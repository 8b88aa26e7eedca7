//! `cargo bench -p burn-lr-schedules`: the cost of one `LrScheduler::step()` for every preset policy
//! (every file of `configs/schedules`), against a budget of 100 ns, next to a plain
//! constant-rate closure as the floor.

use std::hint::black_box;
use std::time::Instant;

use burn_lr_schedules::ScheduleConfig;
use burn_optim::lr_scheduler::LrScheduler;

#[path = "../tests/presets/mod.rs"]
mod presets;
use presets::read_presets as presets;

#[derive(serde::Deserialize)]
struct File {
    schedule: ScheduleConfig,
}

const STEPS: u64 = 2_000_000;
const BUDGET_NS: f64 = 100.0;

/// Nanoseconds per call of `f`, the best of five rounds of `STEPS` calls.
fn per_call(mut f: impl FnMut() -> f64) -> f64 {
    (0..5)
        .map(|_| {
            let start = Instant::now();
            let mut sum = 0.0;
            for _ in 0..STEPS {
                sum += f();
            }
            black_box(sum);
            start.elapsed().as_nanos() as f64 / STEPS as f64
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let floor = per_call(|| black_box(0.1));
    println!("| preset | kind | ns per step() | × floor | within {BUDGET_NS} ns |");
    println!("|---|---|---|---|---|");
    let mut over = 0;
    for (name, text) in presets() {
        let file: File = toml::from_str(&text).expect("preset parses");
        let mut scheduler = file.schedule.build().expect("preset is valid");
        // Steps past the schedule's own length too: 2M steps cover every phase.
        let ns = per_call(|| scheduler.step());
        over += usize::from(ns > BUDGET_NS);
        println!(
            "| {name} | {} | {ns:.1} | {:.0} | {} |",
            file.schedule.kind(),
            ns / floor.max(1e-3),
            if ns <= BUDGET_NS { "yes" } else { "NO" }
        );
    }
    println!("\nfloor (a closure returning a constant): {floor:.2} ns per call");
    if over > 0 {
        eprintln!("{over} policies above {BUDGET_NS} ns per step");
        std::process::exit(1);
    }
}
