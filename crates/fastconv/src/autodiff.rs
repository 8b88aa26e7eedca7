//! [`CnnOps`] for `Autodiff<B>`: the inner backend's forward pass, recorded as one graph node
//! whose backward pass calls the inner backend's [`CnnKernels`] backward.
//!
//! Inputs are checkpointed rather than cloned, so the checkpoint strategy decides whether they
//! are kept or recomputed; what only the forward pass knows (the ReLU's output, pooling's
//! winners, dropout's mask) is the node's state.

use burn::backend::autodiff::NodeId;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend};

use crate::backend::{CnnKernels, CnnOps, Grads, Saved};

#[derive(Debug)]
struct ConvReluBackward;

impl<B: CnnKernels> Backward<B, 3> for ConvReluBackward {
    /// Input, weight and bias as checkpointed nodes; the output itself.
    type State = (NodeId, NodeId, NodeId, FloatTensor<B>);

    fn backward(
        self,
        ops: Ops<Self::State, 3>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let parents = ops.parents.map(|p| p.map(|node| node.id));
        let grad = grads.consume::<B>(&ops.node);
        let (x, weight, bias, output) = ops.state;
        let saved = Saved {
            x: checkpointer.retrieve_node_output::<FloatTensor<B>>(x),
            weight: checkpointer.retrieve_node_output::<FloatTensor<B>>(weight),
            bias: checkpointer.retrieve_node_output::<FloatTensor<B>>(bias),
            output,
        };
        // An untracked input (a network's first layer) skips the input gradient's matmul.
        register::<B>(
            grads,
            parents,
            B::conv_backward(saved, grad, parents[0].is_some()),
        );
    }
}

/// Registers the gradients of a node whose parents are (input, weight, bias): each for the
/// parents that are tracked (the input's was computed only when its parent is).
fn register<B: Backend>(
    grads: &mut Gradients,
    [x, weight, bias]: [Option<NodeId>; 3],
    (x_grad, weight_grad, bias_grad): Grads<B>,
) {
    if let (Some(id), Some(g)) = (x, x_grad) {
        grads.register::<B>(id, g);
    }
    if let Some(id) = weight {
        grads.register::<B>(id, weight_grad);
    }
    if let Some(id) = bias {
        grads.register::<B>(id, bias_grad);
    }
}

#[derive(Debug)]
struct MaxPoolBackward;

impl<B: CnnKernels> Backward<B, 1> for MaxPoolBackward {
    /// The input as a checkpointed node, the window size and what the forward pass remembered.
    type State = (NodeId, usize, B::PoolIndices);

    fn backward(
        self,
        ops: Ops<Self::State, 1>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let [node_x] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        let (x, size, indices) = ops.state;
        let x = checkpointer.retrieve_node_output::<FloatTensor<B>>(x);
        if let Some(node) = node_x {
            grads.register::<B>(node.id, B::pool_backward(x, size, indices, grad));
        }
    }
}

#[derive(Debug)]
struct DropoutBackward;

impl<B: CnnKernels> Backward<B, 1> for DropoutBackward {
    type State = B::DropoutMask;

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x] = ops.parents;
        let grad = grads.consume::<B>(&ops.node);
        if let Some(node) = node_x {
            grads.register::<B>(node.id, B::dropout_backward(ops.state, grad));
        }
    }
}

#[derive(Debug)]
struct LinearBackward;

impl<B: CnnKernels> Backward<B, 3> for LinearBackward {
    /// Input and weight as checkpointed nodes.
    type State = (NodeId, NodeId);

    fn backward(
        self,
        ops: Ops<Self::State, 3>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let parents = ops.parents.map(|p| p.map(|node| node.id));
        let grad = grads.consume::<B>(&ops.node);
        let (x, weight) = ops.state;
        let x = checkpointer.retrieve_node_output::<FloatTensor<B>>(x);
        let weight = checkpointer.retrieve_node_output::<FloatTensor<B>>(weight);
        register::<B>(
            grads,
            parents,
            B::linear_backward(x, weight, grad, parents[0].is_some()),
        );
    }
}

impl<B: CnnKernels, C: CheckpointStrategy> CnnOps for Autodiff<B, C> {
    fn conv2d_relu(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        match ConvReluBackward
            .prepare::<C>([x.node(), weight.node(), bias.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let state_x = prep.checkpoint(&x);
                let state_w = prep.checkpoint(&weight);
                let state_b = prep.checkpoint(&bias);
                let output = B::conv_forward(
                    x.into_primitive(),
                    weight.into_primitive(),
                    bias.into_primitive(),
                );
                prep.finish((state_x, state_w, state_b, output.clone()), output)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::conv_forward(
                x.into_primitive(),
                weight.into_primitive(),
                bias.into_primitive(),
            )),
        }
    }

    fn max_pool2d(x: FloatTensor<Self>, size: usize) -> FloatTensor<Self> {
        match MaxPoolBackward
            .prepare::<C>([x.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let state_x = prep.checkpoint(&x);
                let (output, indices) = B::pool_forward(x.into_primitive(), size);
                prep.finish((state_x, size, indices), output)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::pool_forward(x.into_primitive(), size).0),
        }
    }

    /// The two operations, each its own node: their backward passes are the ones above, and
    /// training keeps the bits it had before this operation existed.
    fn conv2d_relu_pool(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        size: usize,
    ) -> FloatTensor<Self> {
        Self::max_pool2d(Self::conv2d_relu(x, weight, bias), size)
    }

    fn dropout(x: FloatTensor<Self>, prob: f64) -> FloatTensor<Self> {
        match DropoutBackward
            .prepare::<C>([x.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let (output, mask) = B::dropout_forward(x.into_primitive(), prob);
                prep.finish(mask, output)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::dropout_forward(x.into_primitive(), prob).0),
        }
    }

    fn linear(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
    ) -> FloatTensor<Self> {
        match LinearBackward
            .prepare::<C>([x.node(), weight.node(), bias.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let state = (prep.checkpoint(&x), prep.checkpoint(&weight));
                let output = B::linear_forward(
                    x.into_primitive(),
                    weight.into_primitive(),
                    bias.into_primitive(),
                );
                prep.finish(state, output)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::linear_forward(
                x.into_primitive(),
                weight.into_primitive(),
                bias.into_primitive(),
            )),
        }
    }
}
