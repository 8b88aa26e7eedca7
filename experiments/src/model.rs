//! The networks: a fast LeNet-like CNN for CPU sweeps, PyTorch's MNIST-example CNN (with
//! dropout), and a two-hidden-layer MLP (no convolution, no weight sharing).

use burn::module::{Module, Param};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};
use clap::ValueEnum;
use serde::{Deserialize, Serialize};

/// Which network to train.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// conv 5×5 24, pool, conv 3×3 32, pool, fc 256, fc 10: 215,194 parameters.
    Lenet,
    /// PyTorch's MNIST example: conv 3×3 32, conv 3×3 64, pool, dropout 0.25, fc 9216→128,
    /// dropout 0.5, fc 10: 1,199,882 parameters.
    PytorchExample,
    /// fc 784→256, fc 256→256, fc 10, ReLU between: 269,322 parameters.
    Mlp,
}

impl ModelKind {
    /// Whether training draws dropout masks (from the device's generator).
    pub fn has_dropout(self) -> bool {
        self == Self::PytorchExample
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Lenet => "lenet",
            Self::PytorchExample => "pytorch-example",
            Self::Mlp => "mlp",
        }
    }

    /// The layers that multiply, in order, with their shapes: what the FLOP count reads.
    pub fn layers(self) -> Vec<Layer> {
        match self {
            Self::Lenet => vec![
                Layer::Conv {
                    in_channels: 1,
                    out_channels: 24,
                    kernel: 5,
                    in_size: 28,
                },
                Layer::Conv {
                    in_channels: 24,
                    out_channels: 32,
                    kernel: 3,
                    in_size: 12,
                },
                Layer::Linear {
                    inputs: 32 * 5 * 5,
                    outputs: 256,
                },
                Layer::Linear {
                    inputs: 256,
                    outputs: 10,
                },
            ],
            Self::PytorchExample => vec![
                Layer::Conv {
                    in_channels: 1,
                    out_channels: 32,
                    kernel: 3,
                    in_size: 28,
                },
                Layer::Conv {
                    in_channels: 32,
                    out_channels: 64,
                    kernel: 3,
                    in_size: 26,
                },
                Layer::Linear {
                    inputs: 9216,
                    outputs: 128,
                },
                Layer::Linear {
                    inputs: 128,
                    outputs: 10,
                },
            ],
            Self::Mlp => vec![
                Layer::Linear {
                    inputs: 784,
                    outputs: 256,
                },
                Layer::Linear {
                    inputs: 256,
                    outputs: 256,
                },
                Layer::Linear {
                    inputs: 256,
                    outputs: 10,
                },
            ],
        }
    }

    /// The largest buffer one image needs in a forward pass, in f32 values: a convolution's
    /// output, or its unfolded input where the kernel multiplies through im2col
    /// (k²·C_in per output position), or a linear layer's input or output.
    pub fn largest_buffer_per_image(self) -> u64 {
        (self.layers().into_iter())
            .map(|l| match l {
                Layer::Conv {
                    in_channels,
                    out_channels,
                    kernel,
                    in_size,
                } => {
                    let out = (in_size - kernel + 1).pow(2);
                    out * out_channels.max(kernel * kernel * in_channels)
                }
                Layer::Linear { inputs, outputs } => inputs.max(outputs),
            })
            .max()
            .unwrap_or(1)
    }

    /// Images an evaluation pass on a GPU takes at once: as many as [`Traffic::GPU`] allows
    /// whose largest buffer fits in `limit` bytes (the device's largest storage binding).
    ///
    /// [`Traffic::GPU`]: crate::traffic::Traffic::GPU
    pub fn gpu_eval_chunk(self, limit: u64) -> usize {
        let per_image = 4 * self.largest_buffer_per_image();
        let fits = (limit / per_image.max(1)).max(1) as usize;
        fits.min(crate::traffic::Traffic::GPU.eval_chunk)
    }

    /// Floating-point operations to train on one image, counted from the layer shapes.
    ///
    /// Convention: only convolutions and linear layers count. A multiply–add is 2 FLOP, so a
    /// layer's forward pass is 2·MACs; its backward pass is 2·MACs for the weight gradient and
    /// 2·MACs for the input gradient, except the first layer, whose input (the image) needs no
    /// gradient. So training is 6·MACs summed over the layers, less 2·MACs of the first.
    /// Biases, ReLU, pooling, dropout, the loss and the optimizer update are left out: they are
    /// a per-element cost, well under 1% here.
    pub fn train_flop_per_image(self) -> u64 {
        let layers = self.layers();
        let all: u64 = layers.iter().map(|l| 6 * l.macs()).sum();
        all - layers.first().map_or(0, |l| 2 * l.macs())
    }

    /// Floating-point operations of one image's forward pass: 2·MACs summed over the layers
    /// (the convention of [`train_flop_per_image`](Self::train_flop_per_image)).
    pub fn forward_flop_per_image(self) -> u64 {
        self.layers().iter().map(|l| 2 * l.macs()).sum()
    }
}

/// A layer that multiplies, by its shape (square images and kernels, stride 1, no padding).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    Conv {
        in_channels: u64,
        out_channels: u64,
        kernel: u64,
        /// Height (= width) of its input.
        in_size: u64,
    },
    Linear {
        inputs: u64,
        outputs: u64,
    },
}

impl Layer {
    /// Multiply–adds for one image's forward pass.
    pub fn macs(self) -> u64 {
        match self {
            Self::Conv {
                in_channels,
                out_channels,
                kernel,
                in_size,
            } => {
                let out = in_size - kernel + 1;
                out * out * out_channels * in_channels * kernel * kernel
            }
            Self::Linear { inputs, outputs } => inputs * outputs,
        }
    }
}

#[derive(Module, Debug)]
pub struct Lenet {
    conv1: Conv2d,
    conv2: Conv2d,
    fc1: Linear,
    fc2: Linear,
}

impl Lenet {
    fn new(device: &Device) -> Self {
        Self {
            conv1: Conv2dConfig::new([1, 24], [5, 5]).init(device),
            conv2: Conv2dConfig::new([24, 32], [3, 3]).init(device),
            fc1: LinearConfig::new(32 * 5 * 5, 256).init(device),
            fc2: LinearConfig::new(256, 10).init(device),
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        let x = conv_relu_pool(&self.conv1, x, 2); // 24×12×12
        let x = conv_relu_pool(&self.conv2, x, 2); // 32×5×5
        let x = x.flatten::<2>(1, 3);
        linear(&self.fc2, relu(linear(&self.fc1, x)))
    }
}

#[derive(Module, Debug)]
pub struct PytorchExample {
    conv1: Conv2d,
    conv2: Conv2d,
    dropout1: Dropout,
    fc1: Linear,
    dropout2: Dropout,
    fc2: Linear,
}

impl PytorchExample {
    fn new(device: &Device) -> Self {
        Self {
            conv1: Conv2dConfig::new([1, 32], [3, 3]).init(device),
            conv2: Conv2dConfig::new([32, 64], [3, 3]).init(device),
            dropout1: DropoutConfig::new(0.25).init(),
            fc1: LinearConfig::new(9216, 128).init(device),
            dropout2: DropoutConfig::new(0.5).init(),
            fc2: LinearConfig::new(128, 10).init(device),
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        let x = conv_relu(&self.conv1, x);
        let x = dropout(&self.dropout1, conv_relu_pool(&self.conv2, x, 2));
        let x = relu(linear(&self.fc1, x.flatten::<2>(1, 3)));
        linear(&self.fc2, dropout(&self.dropout2, x))
    }
}

#[derive(Module, Debug)]
pub struct Mlp {
    fc1: Linear,
    fc2: Linear,
    fc3: Linear,
}

impl Mlp {
    fn new(device: &Device) -> Self {
        Self {
            fc1: LinearConfig::new(784, 256).init(device),
            fc2: LinearConfig::new(256, 256).init(device),
            fc3: LinearConfig::new(256, 10).init(device),
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        let x = relu(linear(&self.fc1, x.flatten::<2>(1, 3)));
        linear(&self.fc3, relu(linear(&self.fc2, x)))
    }
}

/// `relu(conv(x))` as one `fastconv` operation, which has a fast CPU kernel on flex. Every
/// convolution here is the plain kind it computes: stride 1, no padding.
fn conv_relu(conv: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    let weight = conv.weight.val();
    let bias = bias_or_zeros(&conv.bias, weight.dims()[0], &x.device());
    fastconv::conv2d_relu(x, weight, bias)
}

/// `max_pool2d(relu(conv(x)), size)`: the same values and gradients as the two, and without
/// autodiff (evaluation) each image is pooled while its convolution output is in cache.
fn conv_relu_pool(conv: &Conv2d, x: Tensor<4>, size: usize) -> Tensor<4> {
    let weight = conv.weight.val();
    let bias = bias_or_zeros(&conv.bias, weight.dims()[0], &x.device());
    fastconv::conv2d_relu_pool(x, weight, bias, size)
}

/// Burn's `Linear` through `fastconv::linear`: the same bits on flex, and on ndarray flex's
/// matrix multiply instead of ndarray's slower one.
fn linear(layer: &Linear, x: Tensor<2>) -> Tensor<2> {
    let weight = layer.weight.val();
    let bias = bias_or_zeros(&layer.bias, weight.dims()[1], &x.device());
    fastconv::linear(x, weight, bias)
}

/// A layer's bias, or `len` zeros for a layer built without one (the fastconv ops take one).
fn bias_or_zeros(bias: &Option<Param<Tensor<1>>>, len: usize, device: &Device) -> Tensor<1> {
    match bias {
        Some(bias) => bias.val(),
        None => Tensor::zeros([len], device),
    }
}

/// Burn's `Dropout` with the mask drawn by `fastconv::dropout`, which is many times faster on the
/// CPU; it acts when Burn's would: while training, on an autodiff device.
fn dropout<const D: usize>(layer: &Dropout, x: Tensor<D>) -> Tensor<D> {
    if !layer.training.is_enabled() || !x.device().is_autodiff() || layer.prob == 0.0 {
        return x;
    }
    fastconv::dropout(x, layer.prob)
}

/// Any of the networks, so the training loop is written once.
#[derive(Module, Debug)]
pub enum Net {
    Lenet(Lenet),
    PytorchExample(PytorchExample),
    Mlp(Mlp),
}

impl Net {
    pub fn new(kind: ModelKind, device: &Device) -> Self {
        match kind {
            ModelKind::Lenet => Self::Lenet(Lenet::new(device)),
            ModelKind::PytorchExample => Self::PytorchExample(PytorchExample::new(device)),
            ModelKind::Mlp => Self::Mlp(Mlp::new(device)),
        }
    }

    /// Logits `[batch, 10]` for images `[batch, 1, 28, 28]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        match self {
            Self::Lenet(m) => m.forward(x),
            Self::PytorchExample(m) => m.forward(x),
            Self::Mlp(m) => m.forward(x),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flop_count_matches_a_hand_count() {
        // LeNet's first layer: a 5×5 kernel over a 28×28 image gives 24×24 outputs in each of
        // 24 channels, each output 25 multiply–adds: 345,600 MACs, 691,200 forward FLOP.
        let first = ModelKind::Lenet.layers()[0];
        assert_eq!(first.macs(), 24 * 24 * 24 * 25);
        assert_eq!(2 * first.macs(), 691_200);
        // The whole of LeNet by hand: conv2 10·10·32·24·9 = 691,200, fc1 800·256 = 204,800,
        // fc2 2,560 MACs; 6× the sum less 2× the first layer's.
        let macs = 345_600 + 691_200 + 204_800 + 2_560;
        assert_eq!(ModelKind::Lenet.forward_flop_per_image(), 2 * macs);
        assert_eq!(
            ModelKind::Lenet.train_flop_per_image(),
            6 * macs - 2 * 345_600
        );
        // PyTorch's example: conv2 (24·24·64·32·9 MACs) dominates.
        let macs = 26 * 26 * 32 * 9 + 24 * 24 * 64 * 32 * 9 + 9216 * 128 + 1280;
        assert_eq!(
            ModelKind::PytorchExample.train_flop_per_image(),
            6 * macs - 2 * 26 * 26 * 32 * 9
        );
    }

    #[test]
    fn the_layer_shapes_match_the_networks() {
        // Weights and biases from the shapes equal the parameters of the network itself (and
        // the counts in ModelKind's docs), so the FLOP count reads the layers that run.
        let device = burn::tensor::Device::flex();
        for (kind, params) in [
            (ModelKind::Lenet, 215_194),
            (ModelKind::PytorchExample, 1_199_882),
            (ModelKind::Mlp, 269_322),
        ] {
            let n: u64 = kind
                .layers()
                .iter()
                .map(|l| match *l {
                    Layer::Conv {
                        in_channels,
                        out_channels,
                        kernel,
                        ..
                    } => out_channels * (in_channels * kernel * kernel + 1),
                    Layer::Linear { inputs, outputs } => outputs * (inputs + 1),
                })
                .sum();
            assert_eq!(n, params, "{}", kind.name());
            assert_eq!(
                Net::new(kind, &device).num_params() as u64,
                n,
                "{}",
                kind.name()
            );
        }
    }
}
