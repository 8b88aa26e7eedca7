//! How often a run reads from its device and how much it hands it at once: the one fact both
//! the backends and the models' evaluation chunks are sized from.

/// How a run talks to its device: how often the training losses are read back, and how many
/// images an evaluation pass takes. The CPU backends compute each operation when it is asked
/// for, so a read costs nothing extra there: they read every step, which keeps the bits of
/// every result trained before. A GPU drains its queue at each read, so it reads in batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Traffic {
    /// Steps between reads of the training losses (also read at every evaluation, checkpoint
    /// and stop); a diverging run is found within this many steps.
    pub read_every: u64,
    /// Images a forward pass of evaluation takes at once.
    pub eval_chunk: usize,
}

impl Traffic {
    /// flex and ndarray.
    pub const CPU: Self = Self {
        read_every: 1,
        eval_chunk: 1000,
    };
    /// wgpu: up to 5,000 images a pass, fewer where the device's largest buffer needs it
    /// (`ModelKind::gpu_eval_chunk`).
    pub const GPU: Self = Self {
        read_every: 16,
        eval_chunk: 5000,
    };
}
