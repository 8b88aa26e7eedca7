//! The two CNNs: a fast LeNet-like one for CPU sweeps, and PyTorch's MNIST-example CNN.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};
use clap::ValueEnum;
use fastconv::max_pool2d;
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
}

impl ModelKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Lenet => "lenet",
            Self::PytorchExample => "pytorch-example",
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
        let x = max_pool2d(conv_relu(&self.conv1, x), 2); // 24×12×12
        let x = max_pool2d(conv_relu(&self.conv2, x), 2); // 32×5×5
        let x = x.flatten::<2>(1, 3);
        self.fc2.forward(relu(self.fc1.forward(x)))
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
        let x = conv_relu(&self.conv2, x);
        let x = dropout(&self.dropout1, max_pool2d(x, 2));
        let x = relu(self.fc1.forward(x.flatten::<2>(1, 3)));
        self.fc2.forward(dropout(&self.dropout2, x))
    }
}

/// `relu(conv(x))` as one `fastconv` operation, which has a fast CPU kernel on flex. Every
/// convolution here is the plain kind it computes: stride 1, no padding.
fn conv_relu(conv: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    let weight = conv.weight.val();
    let bias = match &conv.bias {
        Some(bias) => bias.val(),
        None => Tensor::zeros([weight.dims()[0]], &x.device()),
    };
    fastconv::conv2d_relu(x, weight, bias)
}

/// Burn's `Dropout` with the mask drawn by `fastconv::dropout`, which is many times faster on the
/// CPU; it acts when Burn's would: while training, on an autodiff device.
fn dropout<const D: usize>(layer: &Dropout, x: Tensor<D>) -> Tensor<D> {
    if !layer.training.is_enabled() || !x.device().is_autodiff() || layer.prob == 0.0 {
        return x;
    }
    fastconv::dropout(x, layer.prob)
}

/// Either network, so the training loop is written once.
#[derive(Module, Debug)]
pub enum Net {
    Lenet(Lenet),
    PytorchExample(PytorchExample),
}

impl Net {
    pub fn new(kind: ModelKind, device: &Device) -> Self {
        match kind {
            ModelKind::Lenet => Self::Lenet(Lenet::new(device)),
            ModelKind::PytorchExample => Self::PytorchExample(PytorchExample::new(device)),
        }
    }

    /// Logits `[batch, 10]` for images `[batch, 1, 28, 28]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        match self {
            Self::Lenet(m) => m.forward(x),
            Self::PytorchExample(m) => m.forward(x),
        }
    }
}
