//! Time-to-live arguments, read in one place for every method and decorator that takes one:
//! `set_value(expires_in_sec=)`, `expire_key(time=)`, `@redis_cache(ttl=)` (Redis, whole
//! seconds), `@site_cache(ttl=)` and the socket timeouts (in-process, fractional seconds).

use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDelta, PyDeltaAccess, PyInt};

use crate::errors::{CacheError, CacheResult};

/// Whole seconds from an `int` or a `datetime.timedelta`, as redis-py's `ex=` takes them (a
/// timedelta's fraction of a second is dropped, as redis-py does). `positive`: zero or less is
/// refused, as Redis refuses `SET ... EX 0`; `expire_key` passes any number through to EXPIRE.
pub(crate) fn whole_seconds(
    value: &Bound<'_, PyAny>,
    name: &str,
    positive: bool,
) -> CacheResult<i64> {
    let seconds = if let Ok(delta) = value.cast::<PyDelta>() {
        delta.get_days() as i64 * 86_400 + delta.get_seconds() as i64
    } else if value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>() {
        value.extract::<i64>().map_err(|_| {
            CacheError::Python(PyValueError::new_err(format!(
                "{name} is too large: Redis takes at most {} seconds",
                i64::MAX
            )))
        })?
    } else {
        return Err(CacheError::Type(format!(
            "{name} must be a whole number of seconds (int) or a datetime.timedelta, not {}",
            value.get_type().name()?
        )));
    };
    if positive && seconds <= 0 {
        return Err(not_positive(name, seconds));
    }
    Ok(seconds)
}

/// A write's optional TTL: `None` (or absent) never expires, anything else is positive
/// `whole_seconds`.
pub(crate) fn expiry(value: Option<&Bound<'_, PyAny>>, name: &str) -> CacheResult<Option<i64>> {
    match value {
        Some(v) if !v.is_none() => Ok(Some(whole_seconds(v, name, true)?)),
        _ => Ok(None),
    }
}

/// A span in seconds given as an int or a float, kept in the process, so a fraction counts:
/// `@site_cache(ttl=)` and the wrapper's socket timeouts. `None` is passed through; what it
/// means (`none_means`) is said in the error, so the caller knows the way out.
pub(crate) fn duration(
    seconds: Option<f64>,
    name: &str,
    none_means: &str,
) -> CacheResult<Option<Duration>> {
    let Some(seconds) = seconds else {
        return Ok(None);
    };
    span(seconds, name).map(Some).map_err(|err| match err {
        CacheError::Config(m) => CacheError::Config(format!("{m}; pass None for {none_means}")),
        other => other,
    })
}

/// `duration` where None is not an option (the client cache's TTL: entries always expire).
pub(crate) fn span(seconds: f64, name: &str) -> CacheResult<Duration> {
    if seconds.is_nan() || seconds <= 0.0 {
        return Err(CacheError::Config(format!(
            "{name} must be a positive number of seconds, got {seconds}"
        )));
    }
    // Infinite or beyond what a Duration holds (about 585 billion years): refused, not a panic.
    Duration::try_from_secs_f64(seconds)
        .map_err(|_| CacheError::Config(format!("{name} is too large ({seconds} seconds)")))
}

fn not_positive(name: &str, seconds: i64) -> CacheError {
    CacheError::Python(PyValueError::new_err(format!(
        "{name} must be a positive number of seconds, got {seconds}; \
         pass None for no expiry"
    )))
}
