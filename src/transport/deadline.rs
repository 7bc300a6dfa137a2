//! One deadline per call, and noticing Ctrl-C while waiting on the network.
//!
//! A call (a command, a pipeline, a SCAN loop) gets one `Deadline` when it starts; every wait
//! under it (for the shared connection, for a pooled connection, for a connect, a write, a
//! read) takes what is left of it, so `socket_timeout` bounds the whole call. Waits are cut into
//! slices of at most `SLICE`: between slices the caller's interrupt check runs (the wrapper's
//! attaches to the interpreter for `PyErr_CheckSignals`), so Ctrl-C ends a wait within about a
//! slice, while the thread holds no GIL as it waits.

use std::time::Duration;

use super::clock::now_ms;

use crate::errors::{CacheError, CacheResult};

/// The longest single wait between two interrupt checks.
pub const SLICE: Duration = Duration::from_millis(100);

/// Checks for a pending interrupt (Ctrl-C): `Err` aborts the call with that error.
pub type Interrupt = dyn Fn() -> CacheResult<()> + Sync;

fn no_interrupt() -> CacheResult<()> {
    Ok(())
}

#[derive(Clone, Copy)]
pub struct Deadline<'a> {
    /// On `clock::now_ms`'s clock.
    at: Option<u64>,
    timeout: Option<Duration>,
    interrupt: &'a Interrupt,
}

impl<'a> Deadline<'a> {
    /// `timeout` from now (`None`: no deadline).
    pub fn after(timeout: Option<Duration>) -> Deadline<'static> {
        Deadline {
            at: timeout.map(|t| now_ms().saturating_add(ceil_ms(t))),
            timeout,
            interrupt: &no_interrupt,
        }
    }

    /// The same deadline, checking `interrupt` between slices of waiting.
    pub fn with_interrupt<'b>(self, interrupt: &'b Interrupt) -> Deadline<'b> {
        Deadline {
            at: self.at,
            timeout: self.timeout,
            interrupt,
        }
    }

    /// This deadline or `within` from now, whichever comes first (a connect's own limit).
    pub fn capped(self, within: Option<Duration>) -> Deadline<'a> {
        let cap = within.map(|t| now_ms().saturating_add(ceil_ms(t)));
        let at = match (self.at, cap) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Deadline { at, ..self }
    }

    /// Time left (`None`: unbounded); zero once passed.
    pub fn remaining(&self) -> Option<Duration> {
        self.at
            .map(|at| Duration::from_millis(at.saturating_sub(now_ms())))
    }

    pub fn expired(&self) -> bool {
        self.remaining().is_some_and(|r| r.is_zero())
    }

    /// How long the next blocking step may wait: at most `SLICE`, never zero (socket timeouts
    /// cannot be zero). `Err` once the deadline has passed.
    pub fn slice(&self) -> CacheResult<Duration> {
        match self.remaining() {
            None => Ok(SLICE),
            Some(left) if left.is_zero() => Err(self.timed_out()),
            Some(left) => Ok(left.min(SLICE).max(Duration::from_millis(1))),
        }
    }

    /// After a slice ran out: the deadline's error if it has passed, the interrupt's if one is
    /// pending, else `Ok` (wait another slice).
    pub fn check(&self) -> CacheResult<()> {
        if self.expired() {
            return Err(self.timed_out());
        }
        (self.interrupt)()
    }

    pub fn timed_out(&self) -> CacheError {
        match self.timeout {
            Some(t) => CacheError::Timeout(format!(
                "Redis did not answer in time (socket_timeout={}s)",
                t.as_secs_f64()
            )),
            None => CacheError::Timeout("Redis did not answer in time".into()),
        }
    }
}

/// Whole milliseconds, rounded up (a 0.5 ms timeout is not no time at all).
fn ceil_ms(d: Duration) -> u64 {
    u64::try_from(d.as_nanos().div_ceil(1_000_000)).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_are_bounded_and_end_with_the_deadline() {
        let d = Deadline::after(Some(Duration::from_millis(250)));
        let s = d.slice().unwrap();
        assert!(s <= SLICE && s > Duration::ZERO);
        let over = Deadline::after(Some(Duration::ZERO));
        assert!(matches!(over.slice(), Err(CacheError::Timeout(_))));
        assert!(matches!(over.check(), Err(CacheError::Timeout(_))));
        let forever = Deadline::after(None);
        assert_eq!(forever.slice().unwrap(), SLICE);
        assert!(forever.check().is_ok());
    }

    #[test]
    fn an_interrupt_ends_the_wait() {
        let interrupt = || Err(CacheError::connection("interrupted"));
        let d = Deadline::after(None).with_interrupt(&interrupt);
        assert!(matches!(d.check(), Err(CacheError::Connection(..))));
    }

    #[test]
    fn capping_keeps_the_earlier_limit() {
        let d =
            Deadline::after(Some(Duration::from_secs(10))).capped(Some(Duration::from_millis(5)));
        assert!(d.remaining().unwrap() <= Duration::from_millis(5));
        let d =
            Deadline::after(Some(Duration::from_millis(5))).capped(Some(Duration::from_secs(10)));
        assert!(d.remaining().unwrap() <= Duration::from_millis(5));
        let d = Deadline::after(None).capped(None);
        assert!(d.remaining().is_none());
    }
}
