//! How close the bench is to the machine: the practical peak of a large matrix multiply through
//! `gemm` (the kernels' own) and the process's CPU time, for the cores kept busy.

use std::time::Instant;

/// Side of the square matrices of the peak measurement: 2·2048³ ≈ 17.2 GFLOP a multiply.
pub const PEAK_SIZE: usize = 2048;

/// Timed multiplies of the peak measurement, after one untimed.
pub const PEAK_REPS: u32 = 3;

/// The practical peak in GFLOP/s: `PEAK_SIZE`² fp32 matrices multiplied through `gemm` on
/// `threads` threads of the rayon pool the kernels use, best of `PEAK_REPS` after a warm-up.
pub fn peak_gflops(threads: usize) -> f64 {
    let n = PEAK_SIZE;
    let lhs: Vec<f32> = (0..n * n).map(|i| (i % 7) as f32 * 0.25 - 0.75).collect();
    let rhs: Vec<f32> = (0..n * n).map(|i| (i % 5) as f32 * 0.5 - 1.0).collect();
    let mut dst = vec![0.0f32; n * n];
    let mut multiply = || {
        let start = Instant::now();
        // SAFETY: three contiguous row-major n×n buffers, strides (n, 1), all in bounds.
        unsafe {
            gemm::gemm(
                n,
                n,
                n,
                dst.as_mut_ptr(),
                1,
                n as isize,
                false,
                lhs.as_ptr(),
                1,
                n as isize,
                rhs.as_ptr(),
                1,
                n as isize,
                0.0,
                1.0,
                false,
                false,
                false,
                gemm::Parallelism::Rayon(threads),
            )
        }
        start.elapsed().as_secs_f64()
    };
    multiply();
    let best = (0..PEAK_REPS)
        .map(|_| multiply())
        .fold(f64::INFINITY, f64::min);
    2.0 * (n as f64).powi(3) / best / 1e9
}

/// CPU seconds (user + system) this process has used so far, all threads together; `None`
/// where `getrusage` is unavailable.
pub fn cpu_seconds() -> Option<f64> {
    #[cfg(unix)]
    {
        let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        // SAFETY: getrusage fills the struct it is given; RUSAGE_SELF is always valid.
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) } != 0 {
            return None;
        }
        // SAFETY: initialised by the successful call above (and zeroed before it).
        let usage = unsafe { usage.assume_init() };
        let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
        Some(seconds(usage.ru_utime) + seconds(usage.ru_stime))
    }
    #[cfg(not(unix))]
    {
        None
    }
}
