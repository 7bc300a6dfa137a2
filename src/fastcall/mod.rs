//! The raw fast-call layer: CPython entry points written by hand for the hottest calls.
//!
//! - `hot.rs`: `get_value(key)` and `hget(name, key)` answered from the request cache, as raw
//!   `METH_FASTCALL` functions in front of PyO3's methods.
//! - `vectorcall.rs`: vectorcall for `@redis_cache` and `@request_cache` objects (PyO3 cannot
//!   declare it for a class).
//!
//! Both go around PyO3 (type slots changed after creation, PyO3's private trampolines), which is
//! why PyO3 is pinned exactly in Cargo.toml. Everything here is behind the `fastcall` cargo
//! feature (on by default): without it the same calls take PyO3's own paths, a little slower,
//! with the same results, so a PyO3 upgrade can switch this layer off and still pass every test.

mod hot;
mod vectorcall;

use pyo3::prelude::*;

/// Puts the fast entry points in place; called once, at import.
pub fn install(py: Python<'_>) -> PyResult<()> {
    vectorcall::install(py)?;
    hot::install(py)
}
