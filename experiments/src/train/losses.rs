//! The training losses kept on the device and read back every `K` steps in one read (and
//! whenever an evaluation, a checkpoint or the end of the run needs them), so the device's
//! queue is not drained every step. Divergence is judged from each batch as it is read: a
//! diverging run is found within `K` steps.

use burn::tensor::Tensor;

use super::readback;

/// A loss this many times the first one means the run has diverged (the first loss of a fresh
/// classifier is about ln(classes), so this is a loss no learning run comes back from cheaply).
pub const EXPLODED: f64 = 10.0;

/// Losses not read yet, oldest first, with the step each belongs to.
pub struct Losses {
    every: usize,
    pending: Vec<(u64, Tensor<1>)>,
    /// The tensors of the last read, already on the device, to pad a short read with.
    spare: Vec<Tensor<1>>,
    first: Option<f64>,
    last: f64,
}

/// A batch of losses read back.
pub struct Read {
    /// `(step, loss)` of every step read, in order.
    pub values: Vec<(u64, f64)>,
    /// The first step of the batch whose loss was not finite or exploded, with that loss.
    pub diverged_at: Option<(u64, f64)>,
}

impl Losses {
    /// Read every `every` steps (1: every step, as the CPU backends train); `first` is the
    /// first loss of a resumed run, which later losses are judged against.
    pub fn new(every: u64, first: Option<f64>) -> Self {
        Self {
            every: every.max(1) as usize,
            pending: Vec::new(),
            spare: Vec::new(),
            first,
            last: f64::NAN,
        }
    }

    /// Keeps the loss of `step` (its value, without the graph behind it); true when a read is
    /// due (then read before the step's update, so with `K = 1` a diverging step is never
    /// applied, as the CPU backends always trained).
    pub fn push(&mut self, step: u64, loss: &Tensor<1>) -> bool {
        self.pending.push((step, loss.clone().detach()));
        self.pending.len() >= self.every
    }

    /// Reads every pending loss at once; nothing is read when none is pending.
    pub fn read(&mut self) -> Read {
        let pending = std::mem::take(&mut self.pending);
        let mut read = Read {
            values: Vec::with_capacity(pending.len()),
            diverged_at: None,
        };
        if pending.is_empty() {
            return read;
        }
        let (steps, mut tensors): (Vec<u64>, Vec<Tensor<1>>) = pending.into_iter().unzip();
        // Always `every` distinct tensors: the concatenation is then the one kernel of a full
        // read whatever the number pending (an evaluation or a stop reads early). Fusion takes
        // a tensor given twice as one input, which would be another kernel, so the padding is
        // the last read's tensors where there are enough of them.
        let short = self.every - tensors.len().min(self.every);
        if short > 0 && self.spare.len() >= short {
            tensors.extend(self.spare.drain(..short));
        } else if short > 0 {
            let last = tensors[tensors.len() - 1].clone();
            tensors.resize(self.every, last);
        }
        if self.every > 1 {
            self.spare = tensors.clone();
        }
        let values = readback::floats(Tensor::cat(tensors, 0));
        for (step, value) in steps.into_iter().zip(values) {
            let value = value as f64;
            read.values.push((step, value));
            self.last = value;
            let first = *self.first.get_or_insert(value);
            let exploded = !value.is_finite() || value > EXPLODED * first.max(1e-3);
            if exploded && read.diverged_at.is_none() {
                read.diverged_at = Some((step, value));
            }
        }
        read
    }

    /// The first loss of the run, once read.
    pub fn first(&self) -> Option<f64> {
        self.first
    }

    /// The latest loss read (NaN before the first read), for progress lines.
    pub fn last(&self) -> f64 {
        self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, TensorData};

    fn loss(v: f32, device: &Device) -> Tensor<1> {
        Tensor::from_data(TensorData::new(vec![v], [1]), device)
    }

    #[test]
    fn losses_are_read_in_one_batch_every_k_steps_in_order() {
        let device = Device::flex();
        let mut losses = Losses::new(3, None);
        let before = readback::reads();
        assert!(!losses.push(0, &loss(2.5, &device)));
        assert!(!losses.push(1, &loss(2.0, &device)));
        assert!(losses.push(2, &loss(1.5, &device)));
        let read = losses.read();
        assert_eq!(read.values, vec![(0, 2.5), (1, 2.0), (2, 1.5)]);
        assert_eq!(read.diverged_at, None);
        assert_eq!(losses.first(), Some(2.5));
        assert_eq!(losses.last(), 1.5);
        assert!(
            losses.read().values.is_empty(),
            "nothing pending, nothing read"
        );
        // Other tests read in parallel: at least this one's read, and it was one.
        assert!(readback::reads() > before);
    }

    #[test]
    fn a_short_read_gives_only_its_own_losses_whatever_pads_it() {
        let device = Device::flex();
        let mut losses = Losses::new(4, None);
        // The first read short (padded by repetition), then a full one, then short ones
        // (padded with the previous read's tensors, a diverging one among them).
        losses.push(0, &loss(3.0, &device));
        assert_eq!(losses.read().values, vec![(0, 3.0)]);
        for (step, v) in [(1, 2.0), (2, 1.0), (3, 100.0), (4, 0.5)] {
            losses.push(step, &loss(v, &device));
        }
        let full = losses.read();
        assert_eq!(full.diverged_at, Some((3, 100.0)));
        losses.push(5, &loss(0.25, &device));
        let short = losses.read();
        assert_eq!(short.values, vec![(5, 0.25)]);
        assert_eq!(short.diverged_at, None, "the padding is not judged");
        losses.push(6, &loss(0.125, &device));
        losses.push(7, &loss(0.0625, &device));
        assert_eq!(losses.read().values, vec![(6, 0.125), (7, 0.0625)]);
        assert_eq!(losses.last(), 0.0625);
    }

    #[test]
    fn the_first_diverging_step_of_a_batch_is_named_and_every_loss_kept() {
        let device = Device::flex();
        let mut losses = Losses::new(4, Some(2.0));
        for (step, v) in [(10, 1.5), (11, 25.0), (12, f32::INFINITY), (13, 1.0)] {
            losses.push(step, &loss(v, &device));
        }
        let read = losses.read();
        assert_eq!(read.diverged_at, Some((11, 25.0)));
        let steps: Vec<u64> = read.values.iter().map(|v| v.0).collect();
        assert_eq!(steps, vec![10, 11, 12, 13]);
        assert_eq!(read.values[3].1, 1.0);
        // Within the bound: 19.9 < 10 × 2.0.
        let mut fine = Losses::new(1, Some(2.0));
        fine.push(0, &loss(19.9, &device));
        assert_eq!(fine.read().diverged_at, None);
        let mut nan = Losses::new(1, None);
        nan.push(0, &loss(f32::NAN, &device));
        assert_eq!(nan.read().diverged_at.map(|d| d.0), Some(0));
    }
}
