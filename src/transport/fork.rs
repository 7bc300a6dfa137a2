//! State that belongs to one process: a forked child never touches what it inherited.
//!
//! `os.fork()` copies the parent's memory, including locks other threads held at that instant
//! and sockets the parent keeps using. A `ForkLocal` value is tagged with the fork generation it
//! was made in; after a fork (the package's `os.register_at_fork` hook bumps the generation in
//! the child) the first use makes a fresh value and swaps it in without looking at the old one,
//! which is left as it is, never locked, never dropped (its locks may be held by threads that do
//! not exist in the child, and its sockets are the parent's).

use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};

/// Bumped in a forked child: comparing it costs an atomic load, where asking for the pid is a
/// system call.
static GENERATION: AtomicU64 = AtomicU64::new(0);

pub fn generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

/// Called in the child right after `fork()` (single-threaded there).
pub fn forked() {
    GENERATION.fetch_add(1, Ordering::AcqRel);
}

struct Slot<T> {
    generation: u64,
    value: T,
}

pub struct ForkLocal<T> {
    /// Never null. A slot is freed only by `drop`; one replaced after a fork is leaked.
    current: AtomicPtr<Slot<T>>,
}

impl<T> ForkLocal<T> {
    pub fn new(value: T) -> Self {
        ForkLocal {
            current: AtomicPtr::new(Box::into_raw(Box::new(Slot {
                generation: generation(),
                value,
            }))),
        }
    }

    /// This process's value, made with `make` if the one here was inherited through a fork.
    #[inline]
    pub fn get(&self, make: impl FnOnce() -> T) -> &T {
        let now = generation();
        let seen = self.current.load(Ordering::Acquire);
        // SAFETY: `current` always points to a live slot: slots are freed only in `drop`
        // (which has `&mut self`), and a replaced one is leaked, never freed.
        let slot = unsafe { &*seen };
        if slot.generation == now {
            return &slot.value;
        }
        let fresh = Box::into_raw(Box::new(Slot {
            generation: now,
            value: make(),
        }));
        match self
            .current
            .compare_exchange(seen, fresh, Ordering::AcqRel, Ordering::Acquire)
        {
            // SAFETY: `fresh` is the live slot now, and stays alive as long as `self` (see above).
            Ok(_) => unsafe { &(*fresh).value },
            Err(installed) => {
                // Another thread of this process swapped first: use its value, free ours (never
                // shared).
                // SAFETY: `fresh` came from `Box::into_raw` above and was not published.
                drop(unsafe { Box::from_raw(fresh) });
                // SAFETY: as for `seen`: `current` always points to a live slot.
                unsafe { &(*installed).value }
            }
        }
    }
}

impl<T> Drop for ForkLocal<T> {
    fn drop(&mut self) {
        let slot = *self.current.get_mut();
        // SAFETY: the slot came from `Box::into_raw` and `&mut self` means no reference into it
        // is alive. Only the current slot is freed: an inherited one is the parent's.
        drop(unsafe { Box::from_raw(slot) });
    }
}

// SAFETY: a `ForkLocal` hands out `&T` to any thread and moves a `T` between threads only by
// dropping it: the usual `Sync`/`Send` bounds of `T` carry over.
unsafe impl<T: Send + Sync> Sync for ForkLocal<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Send for ForkLocal<T> {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn a_new_generation_gets_a_fresh_value_and_leaves_the_old_alone() {
        let local = ForkLocal::new(Mutex::new(vec![1]));
        let held = local.get(|| unreachable!()).lock().unwrap();
        // As if another thread held this lock when the process forked:
        std::mem::forget(held);
        forked();
        let fresh = local.get(|| Mutex::new(vec![2]));
        assert_eq!(
            *fresh.lock().unwrap(),
            vec![2],
            "the child never waits on the held lock"
        );
        assert_eq!(*local.get(|| unreachable!()).lock().unwrap(), vec![2]);
    }
}
