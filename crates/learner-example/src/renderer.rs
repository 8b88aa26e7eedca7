//! One line per epoch instead of Burn's default renderer, which (without its terminal UI) prints
//! the progress of every batch.

use burn_train::logger::{EvaluationProgressLogger, TrainingProgressLogger};
use std::collections::HashMap;

use burn_train::metric::{MetricDefinition, MetricId};
use burn_train::renderer::{
    EvaluationName, MetricState, MetricsRenderer, MetricsRendererEvaluation,
    MetricsRendererTraining,
};

/// Prints `epoch N/M: valid Loss 0.44, Accuracy 87.80 %` after each epoch, then Burn's summary.
#[derive(Default)]
pub struct EpochLines {
    total: usize,
    names: HashMap<MetricId, String>,
    /// The latest validation value of each metric, in the order first seen.
    valid: Vec<(MetricId, String)>,
}

impl MetricsRendererTraining for EpochLines {
    fn update_train(&mut self, _state: MetricState) {}

    fn update_valid(&mut self, state: MetricState) {
        let (MetricState::Generic(entry) | MetricState::Numeric(entry, _)) = state;
        // Formatted as "epoch <running value> - batch <value>": keep the epoch's.
        let text = entry.serialized_entry.formatted;
        let value = text.split(" - batch").next().unwrap_or(&text);
        let value = value.trim_start_matches("epoch ").to_string();
        match self.valid.iter_mut().find(|(id, _)| *id == entry.metric_id) {
            Some(slot) => slot.1 = value,
            None => self.valid.push((entry.metric_id, value)),
        }
    }
}

impl MetricsRendererEvaluation for EpochLines {
    fn update_test(&mut self, _name: EvaluationName, _state: MetricState) {}
}

impl TrainingProgressLogger for EpochLines {
    fn start(&mut self, total: usize, _start: usize, _items: Option<usize>, _: Option<&str>) {
        self.total = total;
    }
    fn update_epoch(&mut self, epoch: usize) {
        let metrics: Vec<String> = (self.valid.drain(..))
            .map(|(id, value)| match self.names.get(&id) {
                Some(name) => format!("{name} {value}"),
                None => value,
            })
            .collect();
        println!("epoch {epoch}/{}: valid {}", self.total, metrics.join(", "));
    }
    fn start_split(&mut self, _split: &str, _total_items: usize) {}
    fn update_split(&mut self, _items_processed: usize) {}
    fn end_split(&mut self) {}
    fn end(&mut self) {}
    fn log_event_training(&mut self, _event: String) {}
}

impl EvaluationProgressLogger for EpochLines {
    fn start_global_progress(&mut self, _total_tests: usize) {}
    fn start_test(&mut self, _name: &str, _total_items: usize) {}
    fn update_test_progress(&mut self, _items_processed: usize) {}
    fn end_test(&mut self) {}
    fn end_global_progress(&mut self) {}
    fn log_event_evaluation(&mut self, _event: String) {}
}

impl MetricsRenderer for EpochLines {
    fn manual_close(&mut self) {}
    fn register_metric(&mut self, definition: MetricDefinition) {
        self.names
            .insert(definition.metric_id, definition.name.to_string());
    }
}
