//! `@request_cache`: memoized for the current request scope only.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

#[cfg(feature = "fastcall")]
use super::memo::memo_get;
use super::memo::{forget_request_memo, request_memo};
use super::*;

// ---------------------------------------------------------------------------------------------
// @request_cache

#[pyclass(module = "frappe_cache._native", frozen, dict, weakref)]
pub struct RequestCached {
    /// Read by CPython through `tp_vectorcall_offset` (see `fastcall/vectorcall.rs`).
    #[cfg(feature = "fastcall")]
    pub(crate) vectorcall: Option<pyo3::ffi::vectorcallfunc>,
    id: u64,
    func: Py<PyAny>,
    counters: Counters,
}

/// `RequestCached`'s vectorcall entry point (see `EntryPoint`).
#[cfg(feature = "fastcall")]
pub(crate) static REQUEST_CACHED_ENTRY: EntryPoint = EntryPoint::new();

impl Traverse for RequestCached {
    fn traverse(&self, visit: pyo3::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError> {
        visit.call(&self.func)
    }
}

#[pymethods]
impl RequestCached {
    #[new]
    pub(crate) fn new(func: &Bound<'_, PyAny>) -> CacheResult<Self> {
        if !func.is_callable() {
            return Err(CacheError::Type(
                "@request_cache decorates a function or method".into(),
            ));
        }
        Ok(RequestCached {
            #[cfg(feature = "fastcall")]
            vectorcall: REQUEST_CACHED_ENTRY.get().copied(),
            id: next_id(),
            func: func.clone().unbind(),
            counters: Counters::default(),
        })
    }

    #[pyo3(signature = (*args, **kwargs))]
    pub(crate) fn __call__(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let func = self.func.bind(py);
        // Outside a request, or with unhashable arguments: call through, never raise (Frappe).
        let Some((memo, _)) = request_memo(py, self.id) else {
            return Ok(func.call(args, kwargs)?.unbind());
        };
        let Ok(call) = memo_key(args, kwargs) else {
            return Ok(func.call(args, kwargs)?.unbind());
        };
        match memo.get_item(&call) {
            Ok(Some(value)) => {
                self.counters.hit();
                Ok(value.unbind())
            }
            Ok(None) => {
                self.counters.miss();
                let value = func.call(args, kwargs)?;
                let _ = memo.set_item(&call, &value);
                Ok(value.unbind())
            }
            Err(_) => Ok(func.call(args, kwargs)?.unbind()),
        }
    }

    /// Lets the garbage collector see the function (and what else we hold): a decorated closure
    /// that refers back to itself is a cycle it must be able to collect.
    fn __traverse__(&self, visit: pyo3::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError> {
        self.traverse(visit)
    }

    fn __get__(
        slf: Py<Self>,
        py: Python<'_>,
        obj: Option<&Bound<'_, PyAny>>,
        _owner: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        bind_method(py, slf.into_any(), obj)
    }

    /// Forgets this function's results in the current request.
    fn clear_cache(&self, py: Python<'_>) {
        forget_request_memo(py, self.id);
    }

    fn cache_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let size = request_memo(py, self.id).map(|(m, _)| m.len());
        self.counters.info(py, None, size)
    }
}

#[cfg(feature = "fastcall")]
impl RequestCached {
    /// The vectorcall fast path (`fastcall/vectorcall.rs`): this request's memo, keyed by the
    /// arguments as they come.
    pub(crate) fn fast_hit(
        &self,
        py: Python<'_>,
        argv: &[*mut pyo3::ffi::PyObject],
    ) -> Option<Py<PyAny>> {
        let (memo, _) = request_memo(py, self.id)?;
        let hit = memo_get(&memo, &fast_memo_key(py, argv)?)?;
        self.counters.hit();
        Some(hit.unbind())
    }
}
