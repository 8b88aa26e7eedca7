//! Evaluation: the network without autodiff over a held-out set in large chunks, loss and
//! accuracy read back.

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::{Int, Tensor};

use super::data::DeviceData;
use crate::model::Net;

/// Mean cross-entropy and accuracy of `model` on the first `n` images of `x` and labels `y`.
fn evaluate_on(model: &Net, x: &Tensor<4>, y: &Tensor<1, Int>, n: usize) -> (f64, f64) {
    let model = model.valid();
    let device = x.device();
    let loss_fn = CrossEntropyLossConfig::new().init(&device);
    let (mut loss_sum, mut correct) = (0.0f64, 0i64);
    let chunk = 1000;
    let mut start = 0;
    while start < n {
        let end = (start + chunk).min(n);
        let xs = x.clone().slice(start..end);
        let ys = y.clone().slice(start..end);
        let logits = model.forward(xs);
        let loss: f32 = loss_fn.forward(logits.clone(), ys.clone()).into_scalar();
        loss_sum += loss as f64 * (end - start) as f64;
        let predicted = logits.argmax(1).squeeze_dim::<1>(1);
        correct += predicted.equal(ys).int().sum().into_scalar::<i64>();
        start = end;
    }
    (loss_sum / n.max(1) as f64, correct as f64 / n.max(1) as f64)
}

/// Loss and accuracy on the test set.
pub fn evaluate(model: &Net, data: &DeviceData) -> (f64, f64) {
    evaluate_on(model, &data.test_x, &data.test_y, data.n_test)
}

/// Loss and accuracy on the validation set.
pub fn validate(model: &Net, data: &DeviceData) -> (f64, f64) {
    evaluate_on(model, &data.val_x, &data.val_y, data.n_val)
}
