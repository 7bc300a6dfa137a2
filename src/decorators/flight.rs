//! In-process stampede protection: concurrent misses of one key compute once; the others wait
//! for the result.

use std::collections::HashMap;
use std::sync::Arc;
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};
use pyo3::prelude::*;

/// How long a caller waits for another thread's (or, with `lock=True`, process's) computation
/// of the same entry before computing it itself.
pub(super) const WAIT_FOR_OTHERS: Duration = Duration::from_secs(30);
/// How often a process waiting on another's `lock=True` computation looks for the result.
pub(super) const LOCK_POLL: Duration = Duration::from_millis(20);

pub(super) enum FlightState {
    Running,
    Done(Py<PyAny>),
    Failed,
}

/// One in-progress computation of a key that other threads may wait for.
pub(super) struct Flight {
    pub(super) owner: ThreadId,
    pub(super) state: Mutex<FlightState>,
    pub(super) finished: Condvar,
}

impl Flight {
    pub(super) fn finish(&self, result: FlightState) {
        *self.state.lock() = result;
        self.finished.notify_all();
    }

    /// Waits (the caller has released the GIL) until the leader finishes or `deadline`.
    pub(super) fn wait(&self, deadline: Instant) {
        let mut state = self.state.lock();
        while matches!(*state, FlightState::Running) {
            if self.finished.wait_until(&mut state, deadline).timed_out() {
                return;
            }
        }
    }

    pub(super) fn result(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        match &*self.state.lock() {
            FlightState::Done(value) => Some(value.clone_ref(py)),
            _ => None,
        }
    }
}

/// Unregisters the leader's flight however its computation ends (a raise included).
pub(super) type Flights = Mutex<HashMap<Vec<u8>, Arc<Flight>>>;

pub(super) struct Leading<'a> {
    pub(super) flights: &'a Flights,
    pub(super) key: &'a [u8],
    pub(super) flight: Arc<Flight>,
}

impl Drop for Leading<'_> {
    fn drop(&mut self) {
        {
            let mut state = self.flight.state.lock();
            if matches!(*state, FlightState::Running) {
                *state = FlightState::Failed;
            }
        }
        self.flight.finished.notify_all();
        self.flights.lock().remove(self.key);
    }
}
