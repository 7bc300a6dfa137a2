//! `@site_cache`: in this process, per site, across requests, as Frappe's `site_cache`.

use std::time::{Duration, Instant};

use parking_lot::Mutex;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use super::*;

// ---------------------------------------------------------------------------------------------
// @site_cache

#[pyclass(module = "frappe_cache._native", frozen, dict, weakref)]
pub struct SiteCached {
    func: Py<PyAny>,
    ttl: Option<Duration>,
    maxsize: Option<usize>,
    /// `(site, memo key) -> value`, in insertion order (FIFO eviction).
    entries: Py<PyDict>,
    /// When every entry of this function expires (Frappe's TTL is per function, not per entry).
    expiration: Mutex<Option<Instant>>,
    counters: Counters,
}

impl Traverse for SiteCached {
    fn traverse(&self, visit: pyo3::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError> {
        visit.call(&self.func)?;
        visit.call(&self.entries)
    }
}

#[pymethods]
impl SiteCached {
    #[new]
    #[pyo3(signature = (func, ttl=None, maxsize=None))]
    fn new(
        py: Python<'_>,
        func: &Bound<'_, PyAny>,
        ttl: Option<f64>,
        maxsize: Option<usize>,
    ) -> CacheResult<Self> {
        if !func.is_callable() {
            return Err(CacheError::Type(
                "@site_cache decorates a function or method".into(),
            ));
        }
        let ttl = crate::ttl::duration(ttl, "ttl", "entries that never expire")?;
        if maxsize == Some(0) {
            return Err(CacheError::Python(pyo3::exceptions::PyValueError::new_err(
                "maxsize must be at least 1, or None for no bound",
            )));
        }
        Ok(SiteCached {
            func: func.clone().unbind(),
            ttl,
            maxsize,
            entries: PyDict::new(py).unbind(),
            expiration: Mutex::new(ttl.map(|t| Instant::now() + t)),
            counters: Counters::default(),
        })
    }

    #[pyo3(signature = (*args, **kwargs))]
    fn __call__(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let func = self.func.bind(py);
        let Some(site) = crate::request_cache::current_site(py) else {
            return Ok(func.call(args, kwargs)?.unbind());
        };
        let entries = self.entries.bind(py);
        if let Some(ttl) = self.ttl {
            let expired = {
                let mut expiration = self.expiration.lock();
                let now = Instant::now();
                let expired = expiration.is_some_and(|e| now >= e);
                if expired {
                    *expiration = Some(now + ttl);
                }
                expired
            };
            if expired {
                entries.clear();
            }
        }
        // Unhashable arguments raise TypeError, as Frappe's site_cache intends.
        let call = memo_key(args, kwargs)?;
        let key = PyTuple::new(py, [site.into_pyobject(py)?.into_any(), call])?;
        match entries.get_item(&key) {
            Ok(Some(value)) => {
                self.counters.hit();
                Ok(value.unbind())
            }
            Ok(None) => {
                self.counters.miss();
                let value = func.call(args, kwargs)?;
                if let Some(maxsize) = self.maxsize {
                    while entries.len() >= maxsize {
                        let Some((oldest, _)) = entries.iter().next() else {
                            break;
                        };
                        entries.del_item(oldest)?;
                    }
                }
                let _ = entries.set_item(&key, &value);
                Ok(value.unbind())
            }
            Err(err) => Err(err),
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

    /// Forgets every entry of this function, for every site.
    fn clear_cache(&self, py: Python<'_>) {
        self.entries.bind(py).clear();
    }

    fn cache_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.counters
            .info(py, self.maxsize, Some(self.entries.bind(py).len()))
    }

    #[getter]
    fn ttl(&self) -> Option<f64> {
        self.ttl.map(|t| t.as_secs_f64())
    }

    #[getter]
    fn maxsize(&self) -> Option<usize> {
        self.maxsize
    }
}
