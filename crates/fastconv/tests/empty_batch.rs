//! A batch of 0 images (the last, empty chunk of a data set, or a filter that let nothing
//! through) goes forward and backward through every op with the right shapes and no panic, on
//! the backend with the fast kernels (flex) and on one that composes Burn's ops (ndarray).

#![allow(deprecated)] // Device::ndarray

use burn::tensor::{Device, Tensor};

fn zeros_of<const D: usize>(t: Tensor<D>) -> bool {
    t.into_data()
        .to_vec::<f32>()
        .expect("f32")
        .iter()
        .all(|v| *v == 0.0)
}

fn conv(device: Device) {
    let x = Tensor::<4>::zeros([0, 3, 8, 8], &device).require_grad();
    let w = Tensor::<4>::ones([4, 3, 3, 3], &device).require_grad();
    let b = Tensor::<1>::ones([4], &device).require_grad();
    let y = fastconv::conv2d_relu(x.clone(), w.clone(), b.clone());
    assert_eq!(y.dims(), [0, 4, 6, 6]);
    let grads = y.sum().backward();
    assert_eq!(x.grad(&grads).expect("x grad").dims(), [0, 3, 8, 8]);
    // No image, no gradient: zeros of the parameters' shapes.
    let dw = w.grad(&grads).expect("w grad");
    assert_eq!(dw.dims(), [4, 3, 3, 3]);
    assert!(zeros_of(dw));
    let db = b.grad(&grads).expect("b grad");
    assert_eq!(db.dims(), [4]);
    assert!(zeros_of(db));
}

fn pool(device: Device) {
    let x = Tensor::<4>::zeros([0, 3, 8, 8], &device).require_grad();
    let y = fastconv::max_pool2d(x.clone(), 2);
    assert_eq!(y.dims(), [0, 3, 4, 4]);
    let grads = y.sum().backward();
    assert_eq!(x.grad(&grads).expect("x grad").dims(), [0, 3, 8, 8]);
}

fn dropout(device: Device) {
    let x = Tensor::<2>::zeros([0, 10], &device).require_grad();
    let y = fastconv::dropout(x.clone(), 0.5);
    assert_eq!(y.dims(), [0, 10]);
    let grads = y.sum().backward();
    assert_eq!(x.grad(&grads).expect("x grad").dims(), [0, 10]);
}

/// The whole chain a network runs, tracked, with the weights' gradients at the end.
fn network(device: Device) {
    let x = Tensor::<4>::zeros([0, 1, 28, 28], &device);
    let w = Tensor::<4>::ones([8, 1, 5, 5], &device).require_grad();
    let b = Tensor::<1>::zeros([8], &device).require_grad();
    let y = fastconv::dropout(
        fastconv::max_pool2d(fastconv::conv2d_relu(x, w.clone(), b), 2),
        0.25,
    );
    assert_eq!(y.dims(), [0, 8, 12, 12]);
    let grads = y.sum().backward();
    assert!(zeros_of(w.grad(&grads).expect("w grad")));
}

fn check(device: Device) {
    let tracked = device.clone().autodiff();
    conv(tracked.clone());
    pool(tracked.clone());
    dropout(tracked.clone());
    network(tracked);
    // Without autodiff, the forward passes alone.
    let x = Tensor::<4>::zeros([0, 3, 8, 8], &device);
    let w = Tensor::<4>::ones([4, 3, 3, 3], &device);
    let y = fastconv::conv2d_relu(x, w, Tensor::ones([4], &device));
    assert_eq!(y.dims(), [0, 4, 6, 6]);
    assert_eq!(fastconv::max_pool2d(y, 3).dims(), [0, 4, 2, 2]);
    let z = fastconv::dropout(Tensor::<2>::zeros([0, 10], &device), 0.5);
    assert_eq!(z.dims(), [0, 10]);
}

#[test]
fn flex() {
    check(Device::flex());
}

#[test]
fn ndarray() {
    check(Device::ndarray());
}
