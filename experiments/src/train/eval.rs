//! Evaluation on the test set.

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;

use super::data::DeviceData;
use crate::model::Net;

/// Test loss and accuracy of `model` on the whole test set, in chunks.
pub fn evaluate(model: &Net, data: &DeviceData) -> (f64, f64) {
    let model = model.valid();
    let device = data.test_x.device();
    let loss_fn = CrossEntropyLossConfig::new().init(&device);
    let (mut loss_sum, mut correct) = (0.0f64, 0i64);
    let chunk = 1000;
    let mut start = 0;
    while start < data.n_test {
        let end = (start + chunk).min(data.n_test);
        let x = data.test_x.clone().slice(start..end);
        let y = data.test_y.clone().slice(start..end);
        let logits = model.forward(x);
        let loss: f32 = loss_fn.forward(logits.clone(), y.clone()).into_scalar();
        loss_sum += loss as f64 * (end - start) as f64;
        let predicted = logits.argmax(1).squeeze_dim::<1>(1);
        correct += predicted.equal(y).int().sum().into_scalar::<i64>();
        start = end;
    }
    (
        loss_sum / data.n_test as f64,
        correct as f64 / data.n_test as f64,
    )
}
