//! `fastconv::linear` against Burn's `linear`: flex's bits on flex and on ndarray (values and
//! gradients, arbitrary floats, at 1, 2 and 3 threads), Burn's ndarray values where every sum is
//! exact, and the argument checks.

#![allow(deprecated)] // Device::ndarray

use burn::tensor::module::linear;
use burn::tensor::{Device, Distribution, Tensor, TensorData};

/// (rows, d_in, d_out): both networks' layers at a training batch, an evaluation chunk, a
/// shape past burn-flex's parallel threshold with a ragged width, and an empty batch.
const SHAPES: [(usize, usize, usize); 6] = [
    (64, 9216, 128),
    (64, 128, 10),
    (256, 800, 256),
    (1000, 256, 10),
    (33, 700, 131),
    (0, 7, 3),
];

fn bits(t: TensorData) -> Vec<u32> {
    let values = t.to_vec::<f32>().expect("f32");
    values.iter().map(|v| v.to_bits()).collect()
}

/// Inputs drawn once, as data to put on any device.
struct Inputs {
    x: TensorData,
    w: TensorData,
    b: TensorData,
    g: TensorData,
}

impl Inputs {
    fn random((rows, d_in, d_out): (usize, usize, usize), seed: u64) -> Self {
        let device = Device::flex();
        device.seed(seed);
        let normal = Distribution::Normal(0.0, 1.0);
        let draw = |shape: Vec<usize>| Tensor::<2>::random(shape.clone(), normal, &device);
        Self {
            x: draw(vec![rows, d_in]).into_data(),
            w: draw(vec![d_in, d_out]).into_data(),
            b: draw(vec![1, d_out]).reshape([d_out]).into_data(),
            g: draw(vec![rows, d_out]).into_data(),
        }
    }

    /// The inputs as multiples of 1/8, so every sum is exact and any order gives the same bits.
    fn eighths(self) -> Self {
        let grid = |t: TensorData| {
            let values: Vec<f32> = t
                .to_vec::<f32>()
                .expect("f32")
                .iter()
                .map(|v| (v * 8.0).floor().clamp(-8.0, 7.0) / 8.0)
                .collect();
            TensorData::new(values, t.shape().to_vec())
        };
        Self {
            x: grid(self.x),
            w: grid(self.w),
            b: grid(self.b),
            g: grid(self.g),
        }
    }

    /// (y, dx, dw, db) of `Σ g·(x·w + b)` on an autodiff `device`, by `fastconv::linear` or by
    /// Burn's `linear`.
    fn run(&self, fast: bool, device: &Device) -> [Vec<u32>; 4] {
        let x = Tensor::<2>::from_data(self.x.clone(), device).require_grad();
        let w = Tensor::<2>::from_data(self.w.clone(), device).require_grad();
        let b = Tensor::<1>::from_data(self.b.clone(), device).require_grad();
        let g = Tensor::<2>::from_data(self.g.clone(), device);
        let y = if fast {
            fastconv::linear(x.clone(), w.clone(), b.clone())
        } else {
            linear(x.clone(), w.clone(), Some(b.clone()))
        };
        let grads = (y.clone() * g).sum().backward();
        let grad = |t: Option<TensorData>| bits(t.expect("a gradient"));
        [
            bits(y.into_data()),
            grad(x.grad(&grads).map(|t| t.into_data())),
            grad(w.grad(&grads).map(|t| t.into_data())),
            grad(b.grad(&grads).map(|t| t.into_data())),
        ]
    }
}

fn assert_same(got: &[Vec<u32>; 4], want: &[Vec<u32>; 4], case: &str) {
    for (name, (g, w)) in ["y", "dx", "dw", "db"].iter().zip(got.iter().zip(want)) {
        assert_eq!(g.len(), w.len(), "{case}: {name} length");
        let differ = g.iter().zip(w).filter(|(a, b)| a != b).count();
        assert_eq!(
            differ,
            0,
            "{case}: {name}, {differ} of {} elements differ",
            g.len()
        );
    }
}

#[test]
fn flex_and_ndarray_give_burns_flex_bits_at_any_thread_count() {
    let flex = Device::flex().autodiff();
    let ndarray = Device::ndarray().autodiff();
    for (i, shape) in SHAPES.into_iter().enumerate() {
        let inputs = Inputs::random(shape, i as u64);
        let burn = inputs.run(false, &flex);
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("thread pool");
            let (on_flex, on_ndarray) =
                pool.install(|| (inputs.run(true, &flex), inputs.run(true, &ndarray)));
            assert_same(
                &on_flex,
                &burn,
                &format!("flex {shape:?}, {threads} threads"),
            );
            assert_same(
                &on_ndarray,
                &burn,
                &format!("ndarray {shape:?}, {threads} threads"),
            );
        }
    }
}

/// Burn's own ndarray multiply sums in another order: equal to it where sums are exact, and
/// not equal on arbitrary floats (the forward pass's long sums), so the test above can tell
/// the two apart.
#[test]
fn on_ndarray_it_computes_what_burns_ndarray_ops_compute() {
    let ndarray = Device::ndarray().autodiff();
    // Burn's ndarray matmul divides by zero on an empty batch, so that shape is left out here.
    for (i, shape) in SHAPES.into_iter().enumerate().filter(|(_, s)| s.0 > 0) {
        let inputs = Inputs::random(shape, 100 + i as u64).eighths();
        let case = format!("{shape:?}");
        assert_same(
            &inputs.run(true, &ndarray),
            &inputs.run(false, &ndarray),
            &case,
        );
    }
    let inputs = Inputs::random((64, 9216, 128), 7);
    let (fast, burn) = (inputs.run(true, &ndarray), inputs.run(false, &ndarray));
    assert!(
        fast[0] != burn[0],
        "the forward pass's 9216-term sums come out in another order on ndarray's own multiply"
    );
}

#[test]
fn without_autodiff_and_without_an_input_gradient() {
    let inputs = Inputs::random((5, 6, 4), 9);
    for device in [Device::flex(), Device::ndarray()] {
        let x = Tensor::<2>::from_data(inputs.x.clone(), &device);
        let w = Tensor::<2>::from_data(inputs.w.clone(), &device);
        let b = Tensor::<1>::from_data(inputs.b.clone(), &device);
        let fast = fastconv::linear(x.clone(), w.clone(), b.clone());
        assert_eq!(
            bits(fast.into_data()),
            bits(linear(x, w, Some(b)).into_data())
        );

        // An untracked input (a first layer) gets no gradient; the weights still do.
        let device = device.autodiff();
        let x = Tensor::<2>::from_data(inputs.x.clone(), &device);
        let w = Tensor::<2>::from_data(inputs.w.clone(), &device).require_grad();
        let b = Tensor::<1>::from_data(inputs.b.clone(), &device).require_grad();
        let grads = fastconv::linear(x.clone(), w.clone(), b.clone())
            .sum()
            .backward();
        assert!(x.grad(&grads).is_none());
        assert!(w.grad(&grads).is_some() && b.grad(&grads).is_some());
    }
}

#[test]
#[should_panic(expected = "linear: input has 5 features, weight expects 4")]
fn mismatched_features_are_named() {
    let device = Device::flex();
    fastconv::linear(
        Tensor::zeros([2, 5], &device),
        Tensor::zeros([4, 3], &device),
        Tensor::zeros([3], &device),
    );
}

#[test]
#[should_panic(expected = "linear: bias must have one value per output feature")]
fn a_bias_of_the_wrong_length_is_named() {
    let device = Device::flex();
    fastconv::linear(
        Tensor::zeros([2, 4], &device),
        Tensor::zeros([4, 3], &device),
        Tensor::zeros([2], &device),
    );
}
