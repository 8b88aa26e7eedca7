//! Evaluation: the network without autodiff over a held-out set in chunks sized for the
//! device; each chunk's loss and correct count stay on the device, and all of them are read
//! back in one read per set.

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::{Int, Tensor};

use super::data::DeviceData;
use super::readback;
use crate::model::Net;

/// Mean cross-entropy and accuracy of `model` on the first `n` images of `x` and labels `y`,
/// `chunk` images a forward pass.
fn evaluate_on(
    model: &Net,
    (x, y): (&Tensor<4>, &Tensor<1, Int>),
    n: usize,
    chunk: usize,
) -> (f64, f64) {
    let model = model.valid();
    let device = x.device();
    let loss_fn = CrossEntropyLossConfig::new().init(&device);
    let (mut losses, mut corrects, mut sizes) = (Vec::new(), Vec::new(), Vec::new());
    let mut start = 0;
    while start < n {
        let end = (start + chunk.max(1)).min(n);
        let xs = x.clone().slice(start..end);
        let ys = y.clone().slice(start..end);
        let logits = model.forward(xs);
        losses.push(loss_fn.forward(logits.clone(), ys.clone()));
        let predicted = logits.argmax(1).squeeze_dim::<1>(1);
        // A count below 2^24 is exact as f32, so it travels with the losses in one read.
        corrects.push(predicted.equal(ys).int().sum().float());
        sizes.push(end - start);
        start = end;
    }
    if sizes.is_empty() {
        return (0.0, 0.0);
    }
    let chunks = sizes.len();
    let values = readback::floats(Tensor::cat([losses, corrects].concat(), 0));
    // Summed on the host in f64, chunk by chunk, as the per-chunk reads before summed them.
    let loss_sum: f64 = (values[..chunks].iter().zip(&sizes))
        .map(|(&loss, &size)| loss as f64 * size as f64)
        .sum();
    let correct: f64 = values[chunks..].iter().map(|&c| c as f64).sum();
    (loss_sum / n as f64, correct / n as f64)
}

/// Loss and accuracy on the test set.
pub fn evaluate(model: &Net, data: &DeviceData) -> (f64, f64) {
    let set = (&data.test_x, &data.test_y);
    evaluate_on(model, set, data.n_test, data.eval_chunk)
}

/// Loss and accuracy on the validation set.
pub fn validate(model: &Net, data: &DeviceData) -> (f64, f64) {
    let set = (&data.val_x, &data.val_y);
    evaluate_on(model, set, data.n_val, data.eval_chunk)
}
