//! `dropout`: the share it keeps, its scale, its gradient and its seeding.

#![allow(deprecated)] // Device::ndarray

use burn::tensor::{Device, Distribution, Tensor, TensorData};

/// Dropout keeps about `1 − p` of the elements, scales them like Burn's, sends the gradient
/// through the same mask, and draws the same mask again after the device is reseeded.
fn check_dropout(device: Device) {
    let device = device.autodiff();
    let draw = |seed: u64| {
        device.seed(seed);
        let x = Tensor::<2>::ones([64, 500], &device).require_grad();
        let g = Tensor::<2>::random([64, 500], Distribution::Uniform(-1.0, 1.0), &device);
        let y = fastconv::dropout(x.clone(), 0.25);
        let grads = (y.clone() * g.clone()).sum().backward();
        let dx = x.grad(&grads).expect("x grad");
        let y = y.into_data().to_vec::<f32>().expect("f32");
        // d(Σ g·x·m)/dx = g·m, and with x = 1 the output is m itself. Both sides are one f32
        // product of the same two numbers, so they agree to the bit.
        let want = g * Tensor::from_data(TensorData::new(y.clone(), [64, 500]), &device);
        let (dx, want) = (dx.into_data(), want.into_data());
        assert!(
            dx.to_vec::<f32>().expect("f32") == want.to_vec::<f32>().expect("f32"),
            "dx = g·m"
        );
        y
    };
    let y = draw(5);
    let scale = (1.0 / 0.75) as f32;
    assert!(y.iter().all(|v| *v == 0.0 || *v == scale));
    let kept = y.iter().filter(|v| **v != 0.0).count() as f64 / y.len() as f64;
    assert!((kept - 0.75).abs() < 0.02, "kept {kept}");
    // (Not assert_eq: a failure would print 32,000 numbers.)
    assert!(y == draw(5), "same seed, same mask");
    assert!(y != draw(6), "another seed, another mask");
}

/// One test in its own binary: the generator is global to the process, and a test drawing
/// from it in parallel would change the masks between a seed and its draw.
#[test]
fn dropout_on_flex_and_ndarray() {
    check_dropout(Device::flex());
    check_dropout(Device::ndarray());
}
