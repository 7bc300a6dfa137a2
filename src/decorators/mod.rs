//! The native halves of `@redis_cache`, `@request_cache` and `@site_cache`
//! (the Python front, with bare/with-arguments use and `async def`, is `caching.py`).
//!
//! - `RedisCached`: per-call keys `{site}|[user:{u}:]{module}.{qualname}::{digest}` with a
//!   digest that is stable across processes (`digest.rs`). A hit costs one GET at most, and none
//!   when the current request already has it: a per-request memo maps the call's arguments to
//!   its key, and the request-local cache maps the key to the value. Concurrent misses of one
//!   key in this process compute once; with `lock=True`, once per Redis.
//! - `RequestCached`: a per-request memo only.
//! - `SiteCached`: an in-process memo per site, across requests, with a per-function TTL and a
//!   FIFO bound, as Frappe's `site_cache`.
//!
//! Memo lookups use Python's own hashing and equality (as Frappe's dicts do), so `f(1)` and
//! `f(1.0)` share an entry and unhashable arguments simply skip the memo.

mod flight;
mod memo;
mod redis_cached;
mod request_cached;
mod site_cached;

use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyFrozenSet, PyTuple};

use crate::digest;
use crate::errors::{CacheError, CacheResult};
use crate::wrapper::RedisWrapper;

#[cfg(feature = "fastcall")]
pub(crate) use redis_cached::REDIS_CACHED_ENTRY;
pub use redis_cached::RedisCached;
#[cfg(feature = "fastcall")]
pub(crate) use request_cached::REQUEST_CACHED_ENTRY;
pub use request_cached::RequestCached;
pub use site_cached::SiteCached;

/// A decorator class's vectorcall entry point, which `fastcall` sets once at import (before any
/// instance exists). Each instance copies it into its `vectorcall` field, where CPython looks for
/// it; an empty field makes CPython call `__call__` instead, so the classes work without it.
#[cfg(feature = "fastcall")]
pub(crate) type EntryPoint = std::sync::OnceLock<pyo3::ffi::vectorcallfunc>;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);
/// A wrapper, or a function returning the wrapper in use (the drop-in's: `frappe.cache`).
static DEFAULT_CACHE: Mutex<Option<Py<PyAny>>> = Mutex::new(None);
/// Separates positional from keyword arguments in memo keys, as Frappe's `_KWD_MARK` does.
static KWD_MARK: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static CACHE_INFO: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static METHOD_TYPE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static WARN: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Sets the wrapper the decorators use when they were given no `cache=`: a `RedisWrapper`, a
/// function returning the one in use at each call (`None` when there is none), or `None`.
#[pyfunction]
pub fn set_default_cache(cache: Option<&Bound<'_, PyAny>>) -> CacheResult<()> {
    if let Some(c) = cache {
        if !c.is_instance_of::<RedisWrapper>() && !c.is_callable() {
            return Err(CacheError::Type(format!(
                "set_default_cache takes a RedisWrapper, a function returning one, or None; got {}",
                c.get_type().name()?
            )));
        }
    }
    let previous = std::mem::replace(
        &mut *DEFAULT_CACHE.lock(),
        cache.map(|c| c.clone().unbind()),
    );
    drop(previous);
    Ok(())
}

/// The wrapper the decorators use by default, if any.
#[pyfunction]
pub fn get_default_cache(py: Python<'_>) -> PyResult<Option<Py<RedisWrapper>>> {
    let Some(set) = DEFAULT_CACHE.lock().as_ref().map(|c| c.clone_ref(py)) else {
        return Ok(None);
    };
    let set = set.into_bound(py);
    let wrapper = if set.is_instance_of::<RedisWrapper>() {
        set
    } else {
        set.call0()?
    };
    Ok(wrapper.cast_into::<RedisWrapper>().ok().map(Bound::unbind))
}

/// The stable digest of a call's arguments (`None` when one has no stable form).
#[pyfunction]
#[pyo3(signature = (args, kwargs=None))]
pub fn arg_digest(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Option<String>> {
    digest::digest(py, args, kwargs)
}

pub(crate) fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// The memo key of a call: a lone non-tuple argument is its own key (no tuple to build on the
/// hot path); otherwise the args tuple, or `(args, KWD_MARK, frozenset(kwargs.items()))` with
/// keywords. The forms cannot collide: a lone tuple argument is keyed as the 1-tuple `(arg,)`.
/// An error means the arguments are unhashable: no memo for this call.
pub(crate) fn memo_key<'py>(
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = args.py();
    match kwargs.filter(|k| !k.is_empty()) {
        None => match args.len() {
            1 => {
                let only = args.get_item(0)?;
                Ok(if only.is_instance_of::<PyTuple>() {
                    args.clone().into_any()
                } else {
                    only
                })
            }
            _ => Ok(args.clone().into_any()),
        },
        Some(kwargs) => {
            let mark = KWD_MARK.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
                Ok(py.import("builtins")?.getattr("object")?.call0()?.unbind())
            })?;
            let items = PyFrozenSet::new(py, kwargs.items().iter())?;
            Ok(PyTuple::new(py, [args.as_any(), mark.bind(py), items.as_any()])?.into_any())
        }
    }
}

/// `memo_key` for a vectorcall without keywords, building a tuple only when it must.
#[cfg(feature = "fastcall")]
pub(crate) fn fast_memo_key<'py>(
    py: Python<'py>,
    argv: &[*mut pyo3::ffi::PyObject],
) -> Option<Bound<'py, PyAny>> {
    // SAFETY: the pointers are the vectorcall's borrowed arguments, alive for this call.
    let arg = |p: &*mut pyo3::ffi::PyObject| unsafe { Bound::from_borrowed_ptr(py, *p) };
    if let [only] = argv {
        let only = arg(only);
        if !only.is_instance_of::<PyTuple>() {
            return Some(only);
        }
    }
    PyTuple::new(py, argv.iter().map(arg))
        .ok()
        .map(Bound::into_any)
}

#[derive(Default)]
pub(crate) struct Counters {
    hits: AtomicU64,
    misses: AtomicU64,
}

impl Counters {
    pub(crate) fn hit(&self) {
        self.hits.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn miss(&self) {
        self.misses.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn info<'py>(
        &self,
        py: Python<'py>,
        maxsize: Option<usize>,
        currsize: Option<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let cls = CACHE_INFO.import(py, "frappe_cache.caching", "CacheInfo")?;
        cls.call1((
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
            maxsize,
            currsize,
        ))
    }
}

/// `types.MethodType(function, obj)`: decorated functions bind like plain functions.
pub(crate) fn bind_method(
    py: Python<'_>,
    function: Py<PyAny>,
    obj: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    match obj.filter(|o| !o.is_none()) {
        None => Ok(function),
        Some(obj) => {
            let method = METHOD_TYPE.import(py, "types", "MethodType")?;
            Ok(method.call1((function, obj))?.unbind())
        }
    }
}

pub(crate) fn warn(py: Python<'_>, message: String) -> PyResult<()> {
    let warn = WARN.import(py, "warnings", "warn")?;
    warn.call1((
        message,
        py.get_type::<pyo3::exceptions::PyRuntimeWarning>(),
        3,
    ))?;
    Ok(())
}

pub(crate) fn qualified_name(func: &Bound<'_, PyAny>) -> PyResult<String> {
    let module: String = func
        .getattr("__module__")
        .and_then(|m| m.extract())
        .unwrap_or_else(|_| "__main__".into());
    let qualname: String = match func.getattr("__qualname__") {
        Ok(q) => q.extract()?,
        Err(_) => func.getattr("__name__")?.extract()?,
    };
    Ok(format!("{module}.{qualname}"))
}

// ---------------------------------------------------------------------------------------------
// Garbage collection: each decorator class reports the Python objects it holds.

pub(crate) trait Traverse {
    fn traverse(&self, visit: pyo3::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError>;
}
