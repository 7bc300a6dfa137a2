//! `LocalCache`: the Python mapping over one `Store`, with what the wrapper needs around it
//! (the request's site and user, the decorators' memos), and the GIL-bound cell that holds it.

use std::cell::{Cell, UnsafeCell};

use pyo3::exceptions::{PyKeyError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use pyo3::{PyTraverseError, PyVisit};

use super::store::{Key, Store};

/// A cell for state that is only touched while attached to the interpreter.
///
/// The module declares that it needs the GIL (`gil_used`), so attached threads run one at a
/// time and no two can be inside `with` at once; the flag turns a nested access on the same
/// thread (Python code run while the state is borrowed: `__del__`, `__eq__`) into a refusal
/// instead of a second `&mut`.
pub struct GilCell<T> {
    borrowed: Cell<bool>,
    value: UnsafeCell<T>,
}

// SAFETY: every access goes through `with`, which takes a `Python` token: the caller is attached,
// and with the GIL (the module is not declared free-threaded) only one thread is attached at a
// time. `borrowed` then makes the access exclusive on that thread as well.
unsafe impl<T: Send> Sync for GilCell<T> {}

impl<T> GilCell<T> {
    pub fn new(value: T) -> Self {
        GilCell {
            borrowed: Cell::new(false),
            value: UnsafeCell::new(value),
        }
    }

    /// Runs `f` on the state, or returns `None` when it is already borrowed further up this
    /// thread's stack.
    pub fn with<R>(&self, _py: Python<'_>, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        if self.borrowed.replace(true) {
            return None;
        }
        struct Release<'a>(&'a Cell<bool>);
        impl Drop for Release<'_> {
            fn drop(&mut self) {
                self.0.set(false);
            }
        }
        let _release = Release(&self.borrowed);
        // SAFETY: attached (the token) and not borrowed (the flag, now set until `_release`
        // drops): this is the only reference to the value.
        Some(f(unsafe { &mut *self.value.get() }))
    }
}

/// The state of one request scope.
pub struct ScopeState {
    /// The site prefix of keys built in this scope (Frappe: `frappe.local.conf.db_name`).
    pub site: String,
    /// The request's user for `user=True`; `None` under the drop-in, which asks Frappe's
    /// session each time (see `set_user_resolver`).
    pub user: Option<String>,
    pub store: Store<Py<PyAny>>,
    /// Keys that are neither str nor bytes (a shared int key, an app's tuple key).
    others: Option<Py<PyDict>>,
    /// Reused to build keys on the hit path, so a local hit allocates nothing.
    pub scratch: Vec<u8>,
}

impl ScopeState {
    fn new(site: String, user: Option<String>) -> Self {
        ScopeState {
            site,
            user,
            store: Store::default(),
            others: None,
            scratch: Vec::new(),
        }
    }
}

/// `frappe.local.cache`: one request's local cache, a mutable mapping.
///
/// Reads, writes, `in`, `get`, `setdefault`, `pop`, `del`, `clear`, iteration and `len` all act
/// on the store the wrapper uses. `keys()`, `values()` and `items()` return lists (snapshots);
/// iteration order is unspecified.
#[pyclass(module = "frappe_cache._native", frozen, mapping)]
pub struct LocalCache {
    state: GilCell<ScopeState>,
}

/// A Python key, as the store holds it.
enum PyKey<'a, 'py> {
    Rust(Key<'a>),
    Other(&'a Bound<'py, PyAny>),
}

/// Which map `key` belongs in: str and bytes (subclasses included, by their contents, as their
/// equality goes) in Rust, anything else in the Python dict.
fn classify<'a, 'py>(key: &'a Bound<'py, PyAny>) -> PyResult<PyKey<'a, 'py>> {
    if let Ok(s) = key.cast::<PyString>() {
        return Ok(PyKey::Rust(Key::Text(s.to_str()?)));
    }
    if let Ok(b) = key.cast::<PyBytes>() {
        return Ok(PyKey::Rust(Key::Bytes(b.as_bytes())));
    }
    Ok(PyKey::Other(key))
}

fn busy() -> PyErr {
    pyo3::exceptions::PyRuntimeError::new_err(
        "frappe.local.cache was used from code running inside one of its own operations (a \
         __del__ or __eq__ of a cached object); retry the operation outside it",
    )
}

impl LocalCache {
    pub fn new(site: String, user: Option<String>) -> Self {
        LocalCache {
            state: GilCell::new(ScopeState::new(site, user)),
        }
    }

    pub fn with<R>(&self, py: Python<'_>, f: impl FnOnce(&mut ScopeState) -> R) -> Option<R> {
        self.state.with(py, f)
    }

    fn with_or_busy<R>(&self, py: Python<'_>, f: impl FnOnce(&mut ScopeState) -> R) -> PyResult<R> {
        self.state.with(py, f).ok_or_else(busy)
    }

    fn others<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        self.with_or_busy(py, |s| s.others.as_ref().map(|d| d.bind(py).clone()))
    }

    fn others_or_new<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let made = PyDict::new(py);
        self.with_or_busy(py, |s| {
            s.others
                .get_or_insert_with(|| made.unbind())
                .bind(py)
                .clone()
        })
    }

    /// The value at `key`, as a new reference.
    pub fn lookup<'py>(&self, key: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let py = key.py();
        match classify(key)? {
            PyKey::Rust(k) => self.with_or_busy(py, |s| s.store.get(k).map(|v| v.bind(py).clone())),
            PyKey::Other(k) => match self.others(py)? {
                Some(d) => d.get_item(k),
                None => {
                    k.hash()?; // an unhashable key is an error, as in a dict
                    Ok(None)
                }
            },
        }
    }

    /// Sets `key` (displaced values are dropped after the borrow).
    pub fn assign(&self, key: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let py = key.py();
        match classify(key)? {
            PyKey::Rust(k) => {
                let displaced =
                    self.with_or_busy(py, |s| s.store.put(k, value.clone().unbind()))?;
                drop(displaced);
                Ok(())
            }
            PyKey::Other(k) => {
                let others = self.others_or_new(py)?;
                if others.contains(k)? {
                    self.with(py, |s| s.store.bump_epoch());
                }
                others.set_item(k, value)
            }
        }
    }

    /// Removes `key`, returning its value.
    pub fn take<'py>(&self, key: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let py = key.py();
        match classify(key)? {
            PyKey::Rust(k) => {
                let gone = self.with_or_busy(py, |s| s.store.remove(k))?;
                Ok(gone.map(|v| v.into_bound(py)))
            }
            PyKey::Other(k) => {
                let Some(others) = self.others(py)? else {
                    k.hash()?;
                    return Ok(None);
                };
                let value = others.get_item(k)?;
                if value.is_some() {
                    others.del_item(k)?;
                    self.with(py, |s| s.store.bump_epoch());
                }
                Ok(value)
            }
        }
    }

    /// Every key, as Python objects (a snapshot).
    fn key_list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let (bytes, text): (Vec<Vec<u8>>, Vec<String>) = self.with_or_busy(py, |s| {
            (
                s.store.bytes_entries().map(|(k, _)| k.to_vec()).collect(),
                s.store.text_entries().map(|(k, _)| k.to_owned()).collect(),
            )
        })?;
        let out = PyList::empty(py);
        for k in bytes {
            out.append(PyBytes::new(py, &k))?;
        }
        for k in text {
            out.append(PyString::new(py, &k))?;
        }
        if let Some(others) = self.others(py)? {
            for k in others.keys() {
                out.append(k)?;
            }
        }
        Ok(out)
    }

    /// A plain dict with the same items.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        let rust: Vec<(Bound<'py, PyAny>, Bound<'py, PyAny>)> = self.with_or_busy(py, |s| {
            s.store
                .bytes_entries()
                .map(|(k, v)| (PyBytes::new(py, k).into_any(), v.bind(py).clone()))
                .chain(
                    s.store
                        .text_entries()
                        .map(|(k, v)| (PyString::new(py, k).into_any(), v.bind(py).clone())),
                )
                .collect()
        })?;
        for (k, v) in rust {
            out.set_item(k, v)?;
        }
        if let Some(others) = self.others(py)? {
            out.update(others.as_mapping())?;
        }
        Ok(out)
    }

    fn count(&self, py: Python<'_>) -> PyResult<usize> {
        let rust = self.with_or_busy(py, |s| s.store.len())?;
        Ok(rust + self.others(py)?.map_or(0, |d| d.len()))
    }

    /// Empties the store (entries and memos), dropping what it held after the borrow.
    pub fn empty(&self, py: Python<'_>) -> PyResult<()> {
        let (displaced, others) = self.with_or_busy(py, |s| (s.store.clear(), s.others.take()))?;
        drop(displaced);
        drop(others);
        Ok(())
    }
}

fn missing(key: &Bound<'_, PyAny>) -> PyErr {
    PyKeyError::new_err(key.clone().unbind())
}

#[pymethods]
impl LocalCache {
    /// An empty request cache for `site` (a dict or mapping given first fills it).
    #[new]
    #[pyo3(signature = (site, user=None, items=None))]
    fn py_new(
        py: Python<'_>,
        site: String,
        user: Option<String>,
        items: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let cache = LocalCache::new(site, user.filter(|u| !u.is_empty()));
        if let Some(items) = items {
            cache.fill(py, items)?;
        }
        Ok(cache)
    }

    #[getter]
    fn site(&self, py: Python<'_>) -> PyResult<String> {
        self.with_or_busy(py, |s| s.site.clone())
    }

    #[getter]
    fn user(&self, py: Python<'_>) -> PyResult<Option<String>> {
        self.with_or_busy(py, |s| s.user.clone())
    }

    fn __getitem__<'py>(&self, key: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.lookup(key)?.ok_or_else(|| missing(key))
    }

    fn __setitem__(&self, key: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        self.assign(key, value)
    }

    fn __delitem__(&self, key: &Bound<'_, PyAny>) -> PyResult<()> {
        match self.take(key)? {
            Some(_) => Ok(()),
            None => Err(missing(key)),
        }
    }

    fn __contains__(&self, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        let py = key.py();
        match classify(key)? {
            PyKey::Rust(k) => self.with_or_busy(py, |s| s.store.contains(k)),
            PyKey::Other(k) => match self.others(py)? {
                Some(d) => d.contains(k),
                None => k.hash().map(|_| false),
            },
        }
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        self.count(py)
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.key_list(py)?.as_any().try_iter()?.into_any())
    }

    #[pyo3(signature = (key, default=None))]
    fn get<'py>(
        &self,
        key: &Bound<'py, PyAny>,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = key.py();
        Ok(self
            .lookup(key)?
            .or(default)
            .unwrap_or_else(|| py.None().into_bound(py)))
    }

    #[pyo3(signature = (key, default=None))]
    fn setdefault<'py>(
        &self,
        key: &Bound<'py, PyAny>,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = key.py();
        if let Some(found) = self.lookup(key)? {
            return Ok(found);
        }
        let value = default.unwrap_or_else(|| py.None().into_bound(py));
        self.assign(key, &value)?;
        Ok(value)
    }

    #[pyo3(signature = (key, *default))]
    fn pop<'py>(
        &self,
        key: &Bound<'py, PyAny>,
        default: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if default.len() > 1 {
            return Err(PyTypeError::new_err(format!(
                "pop expected at most 2 arguments, got {}",
                default.len() + 1
            )));
        }
        match self.take(key)? {
            Some(value) => Ok(value),
            None if default.len() == 1 => default.get_item(0),
            None => Err(missing(key)),
        }
    }

    fn popitem<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let keys = self.key_list(py)?;
        let Some(key) = keys.iter().last() else {
            return Err(PyKeyError::new_err(
                "popitem(): frappe.local.cache is empty",
            ));
        };
        let value = self.take(&key)?.ok_or_else(|| missing(&key))?;
        PyTuple::new(py, [key, value])
    }

    fn clear(&self, py: Python<'_>) -> PyResult<()> {
        self.empty(py)
    }

    #[pyo3(signature = (other=None, **kwargs))]
    fn update(
        &self,
        py: Python<'_>,
        other: Option<&Bound<'_, PyAny>>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        if let Some(other) = other {
            self.fill(py, other)?;
        }
        if let Some(kwargs) = kwargs {
            self.fill(py, kwargs.as_any())?;
        }
        Ok(())
    }

    fn keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.key_list(py)
    }

    fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self.to_dict(py)?;
        Ok(items.values())
    }

    fn items<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self.to_dict(py)?;
        Ok(items.items())
    }

    /// A plain dict copy, as `dict.copy()` gives.
    fn copy<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.to_dict(py)
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        if !other.is_instance(&mapping_abc(py)?)? {
            return Ok(false);
        }
        let theirs = PyDict::new(py);
        theirs.call_method1(pyo3::intern!(py, "update"), (other,))?;
        self.to_dict(py)?.eq(theirs)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("LocalCache({})", self.to_dict(py)?.repr()?))
    }

    /// A store borrowed at the moment the collector runs is skipped: that only hides edges,
    /// which keeps objects alive rather than freeing them early.
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        // SAFETY: the GC calls this attached to the interpreter.
        let py = unsafe { Python::assume_attached() };
        let visited = self.state.with(py, |s| {
            for v in s.store.values() {
                visit.call(v)?;
            }
            if let Some(others) = &s.others {
                visit.call(others)?;
            }
            Ok(())
        });
        visited.unwrap_or(Ok(()))
    }

    fn __clear__(&self) {
        // SAFETY: the GC calls this attached to the interpreter.
        let py = unsafe { Python::assume_attached() };
        let _ = self.empty(py);
    }
}

impl LocalCache {
    /// Copies the items of a mapping (or of an iterable of pairs) in.
    pub(super) fn fill(&self, py: Python<'_>, items: &Bound<'_, PyAny>) -> PyResult<()> {
        let pairs = if items.hasattr(pyo3::intern!(py, "keys"))? {
            let mut out = Vec::new();
            for k in items.call_method0(pyo3::intern!(py, "keys"))?.try_iter()? {
                let k = k?;
                let v = items.get_item(&k)?;
                out.push((k, v));
            }
            out
        } else {
            let mut out = Vec::new();
            for pair in items.try_iter()? {
                let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair?.extract()?;
                out.push((k, v));
            }
            out
        };
        for (k, v) in pairs {
            self.assign(&k, &v)?;
        }
        Ok(())
    }
}

fn mapping_abc(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    static MAPPING: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    Ok(MAPPING
        .get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            Ok(py.import("collections.abc")?.getattr("Mapping")?.unbind())
        })?
        .bind(py)
        .clone())
}
