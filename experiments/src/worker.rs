//! The work queue of a sweep: its runs handed out in order to `jobs` workers on each device,
//! until the runs are done or one of them stops (a signal or `--stop-after`).

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Ending, Error, Result};

/// Runs `work` on every item, `jobs` at a time on each of `places` (a place is what a worker
/// needs: a device with its copy of the data). Each worker gets its own state from `start`,
/// told whether workers run side by side. With `threads`, each side-by-side worker runs in a
/// rayon pool of its own with that many threads (on the CPU, where the kernels' parallel loops
/// use the pool they run in), instead of all sharing the global one. Returns
/// [`Ending::Stopped`] when any item stopped:
/// no new item starts after that, and the workers in flight finish theirs. The first error of a
/// worker is returned once all have ended.
pub fn run_queue<P, T, S>(
    places: &[P],
    jobs: usize,
    threads: Option<usize>,
    items: &[T],
    start: impl Fn(bool) -> S + Sync,
    work: impl Fn(&P, &T, &mut S) -> Result<Ending> + Sync,
) -> Result<Ending>
where
    P: Sync,
    T: Sync,
{
    let next = AtomicUsize::new(0);
    let worker = |place: &P, side_by_side: bool| -> Result<Ending> {
        let mut state = start(side_by_side);
        loop {
            let Some(item) = items.get(next.fetch_add(1, Ordering::SeqCst)) else {
                return Ok(Ending::Finished);
            };
            if work(place, item, &mut state)? == Ending::Stopped {
                // A signal reaches every worker, and --stop-after stops each run at the same
                // step: the others end their run too; none starts a new one.
                next.store(items.len(), Ordering::SeqCst);
                return Ok(Ending::Stopped);
            }
        }
    };
    let endings: Vec<Result<Ending>> = if jobs * places.len() <= 1 {
        places.iter().take(1).map(|p| worker(p, false)).collect()
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = places
                .iter()
                .flat_map(|place| (0..jobs).map(move |_| place))
                .map(|place| {
                    scope.spawn(|| match threads {
                        None => worker(place, true),
                        Some(n) => match rayon::ThreadPoolBuilder::new().num_threads(n).build() {
                            Ok(pool) => pool.install(|| worker(place, true)),
                            Err(e) => Err(Error::new(format!(
                                "cannot start a thread pool of {n} for a training job: {e}"
                            ))),
                        },
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(Error::new("a training thread panicked")))
                })
                .collect()
        })
    };
    let mut ending = Ending::Finished;
    for e in endings {
        if e? == Ending::Stopped {
            ending = Ending::Stopped;
        }
    }
    Ok(ending)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn every_item_is_done_once_across_places_and_jobs() {
        let done = Mutex::new(Vec::new());
        let items: Vec<u32> = (0..20).collect();
        let ending = run_queue(
            &["a", "b"],
            3,
            None,
            &items,
            |_| (),
            |_, &i, _| {
                done.lock().unwrap().push(i);
                Ok(Ending::Finished)
            },
        )
        .unwrap();
        assert_eq!(ending, Ending::Finished);
        let mut done = done.into_inner().unwrap();
        done.sort();
        assert_eq!(done, items);
    }

    #[test]
    fn a_stop_ends_the_queue_and_an_error_is_returned() {
        let items: Vec<u32> = (0..10).collect();
        let started = Mutex::new(0);
        let ending = run_queue(
            &[()],
            1,
            None,
            &items,
            |plain| assert!(!plain),
            |_, &i, _| {
                *started.lock().unwrap() += 1;
                Ok(if i == 3 {
                    Ending::Stopped
                } else {
                    Ending::Finished
                })
            },
        )
        .unwrap();
        assert_eq!((ending, *started.lock().unwrap()), (Ending::Stopped, 4));
        let err = run_queue(
            &[()],
            2,
            None,
            &items,
            |_| (),
            |_, &i, _| {
                if i == 5 {
                    Err(Error::new("run 5 failed"))
                } else {
                    Ok(Ending::Finished)
                }
            },
        )
        .unwrap_err();
        assert_eq!(err.message(), "run 5 failed");
    }

    #[test]
    fn side_by_side_workers_run_in_pools_of_their_own() {
        let items: Vec<u32> = (0..6).collect();
        let sizes = Mutex::new(Vec::new());
        run_queue(
            &[()],
            2,
            Some(1),
            &items,
            |_| (),
            |_, _, _| {
                sizes.lock().unwrap().push(rayon::current_num_threads());
                Ok(Ending::Finished)
            },
        )
        .unwrap();
        assert_eq!(sizes.into_inner().unwrap(), vec![1; 6]);
    }
}
