//! `Entries`: the store as two kinds of threads reach it.
//!
//! A hit must cost about a dict lookup, so the store takes no lock: only threads attached to
//! the interpreter touch it, and the GIL serialises them (the module declares `gil_used`, so a
//! free-threaded CPython turns the GIL back on when it is imported). The listener and the network
//! paths run detached: they leave what they learned (keys Redis invalidated, "flush everything")
//! in `inbox`, which the next attached use applies before it looks at anything. A hit therefore
//! never sees an entry whose invalidation had been received before it began.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};

use parking_lot::Mutex;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use super::store::Store;
use crate::errors::{CacheError, CacheResult};

#[derive(Default)]
struct Inbox {
    flush: bool,
    keys: Vec<Vec<u8>>,
}

pub(super) struct Entries {
    store: RefCell<Store<Py<PyAny>>>,
    inbox: Mutex<Inbox>,
    /// Set (under the inbox's lock) when the inbox holds something.
    dirty: AtomicBool,
}

// SAFETY: `store`, the only field that is not Sync, is reached through `with` alone, which takes
// a `Python` token: every such access holds the GIL, so there is never more than one at a time
// (the RefCell catches re-entry on one thread). The inbox is behind a mutex and the flag atomic.
unsafe impl Sync for Entries {}

impl Entries {
    pub(super) fn new(capacity: usize, ttl_ms: u64) -> Self {
        Entries {
            store: RefCell::new(Store::new(capacity, ttl_ms)),
            inbox: Mutex::new(Inbox::default()),
            dirty: AtomicBool::new(false),
        }
    }

    /// Runs `f` on the store, after applying what the inbox holds. Values that leave the store
    /// are dropped after `f`'s borrow ends (a `__del__` may call back into the cache), and `f`
    /// must not run Python code.
    #[inline]
    pub(super) fn with<R>(
        &self,
        _py: Python<'_>,
        f: impl FnOnce(&mut Store<Py<PyAny>>) -> R,
    ) -> CacheResult<R> {
        let mut store = self.store.try_borrow_mut().map_err(|_| {
            CacheError::Python(PyRuntimeError::new_err(
                "the client cache was re-entered while it was being updated",
            ))
        })?;
        if !self.dirty.load(Ordering::Acquire) {
            return Ok(f(&mut store));
        }
        let inbox = {
            let mut inbox = self.inbox.lock();
            self.dirty.store(false, Ordering::Release);
            std::mem::take(&mut *inbox)
        };
        let displaced = if inbox.flush {
            store.flush()
        } else {
            store.invalidate(inbox.keys.iter().map(Vec::as_slice))
        };
        let result = f(&mut store);
        drop(store);
        drop(displaced);
        Ok(result)
    }

    /// From any thread: these keys changed in Redis.
    pub(super) fn post_invalidation<'k>(&self, keys: impl IntoIterator<Item = &'k [u8]>) {
        let mut inbox = self.inbox.lock();
        if !inbox.flush {
            inbox.keys.extend(keys.into_iter().map(<[u8]>::to_vec));
            // A process that reads nothing for a long time must not pile keys up: past this
            // many, forgetting everything is cheaper and as correct.
            if inbox.keys.len() > 4096 {
                inbox.keys = Vec::new();
                inbox.flush = true;
            }
        }
        self.dirty.store(true, Ordering::Release);
    }

    /// From any thread: nothing cached may be served any more.
    pub(super) fn post_flush(&self) {
        let mut inbox = self.inbox.lock();
        inbox.keys = Vec::new();
        inbox.flush = true;
        self.dirty.store(true, Ordering::Release);
    }
}
