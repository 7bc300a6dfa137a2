//! The request-local cache: Frappe's `frappe.local.cache`, one per request (or job), per thread.
//!
//! `Store` is plain data, generic over the stored value, so `cargo test` exercises it without an
//! interpreter. The binding half is `LocalCache`, a Python mapping over one `Store` plus what the
//! wrapper needs around it (the site and user of the request, the decorators' memos). The
//! thread's current `LocalCache` is what the wrapper reads and fills; under the Frappe drop-in it
//! is also the object `frappe.local.cache` holds, so Frappe's code, apps and the wrapper all act
//! on one store, as they act on one dict in Frappe.
//!
//! Keys are what Frappe's `make_key` returns: bytes for every prefixed key, the key as given for
//! shared ones. Bytes and str keys live in Rust maps (the hit path builds the key in a reused
//! buffer and looks it up without allocating); any other key type goes to a Python dict.
//! A hash is stored as Frappe stores it: a dict `{field: value}` under the hash's name.
//!
//! Re-entrancy rule: a displaced Python object may run `__del__` when dropped, and that code may
//! call back into the cache. Every mutation therefore returns what it displaced, and callers drop
//! it only after the borrow has ended. A nested access while the store is borrowed finds no
//! store and bypasses the cache (`with_scope` returns `None`).

use std::cell::{Cell, RefCell, UnsafeCell};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use pyo3::exceptions::{PyKeyError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use pyo3::{PyTraverseError, PyVisit};

use crate::errors::{CacheError, CacheResult};

/// What one mutation pushed out of the cache, to be dropped outside the borrow.
pub type Displaced<V> = Vec<V>;

/// FxHash (rustc's hasher): a multiply-rotate per 8 bytes. A request-local map is small, short
/// lived and keyed by the application's own key names, so SipHash's flooding resistance buys
/// nothing here, while its cost is a measurable share of a local hit.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, mut bytes: &[u8]) {
        while let Some((chunk, rest)) = bytes.split_first_chunk::<8>() {
            self.add(u64::from_le_bytes(*chunk));
            bytes = rest;
        }
        if let Some((chunk, rest)) = bytes.split_first_chunk::<4>() {
            self.add(u32::from_le_bytes(*chunk) as u64);
            bytes = rest;
        }
        for &b in bytes {
            self.add(b as u64);
        }
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A key of the store that Rust can hold without Python: Frappe's keys are bytes (prefixed) or,
/// when shared, whatever the caller passed (usually a str).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key<'a> {
    Bytes(&'a [u8]),
    Text(&'a str),
}

/// One request's entries, and the decorators' per-request memos.
pub struct Store<V> {
    bytes: FxMap<Vec<u8>, V>,
    text: FxMap<String, V>,
    /// Per decorated function (by its id): the decorators' per-request memo.
    memos: FxMap<u64, V>,
    /// Counts removals and overwrites: a memo that copied a value while the epoch was N can
    /// return it without a lookup while the epoch is still N.
    epoch: u64,
}

impl<V> Default for Store<V> {
    fn default() -> Self {
        Store {
            bytes: FxMap::default(),
            text: FxMap::default(),
            memos: FxMap::default(),
            epoch: 0,
        }
    }
}

impl<V> Store<V> {
    pub fn get(&self, key: Key<'_>) -> Option<&V> {
        match key {
            Key::Bytes(k) => self.bytes.get(k),
            Key::Text(k) => self.text.get(k),
        }
    }

    pub fn contains(&self, key: Key<'_>) -> bool {
        self.get(key).is_some()
    }

    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    pub fn len(&self) -> usize {
        self.bytes.len() + self.text.len()
    }

    /// Sets `key`, returning the value it replaced.
    pub fn put(&mut self, key: Key<'_>, value: V) -> Option<V> {
        let slot = match key {
            Key::Bytes(k) => match self.bytes.get_mut(k) {
                Some(slot) => slot,
                None => {
                    self.bytes.insert(k.to_vec(), value);
                    return None;
                }
            },
            Key::Text(k) => match self.text.get_mut(k) {
                Some(slot) => slot,
                None => {
                    self.text.insert(k.to_owned(), value);
                    return None;
                }
            },
        };
        self.epoch += 1;
        Some(std::mem::replace(slot, value))
    }

    /// The value at `key`, inserting `make()` first when there is none.
    pub fn get_or_insert_with(&mut self, key: Key<'_>, make: impl FnOnce() -> V) -> &V {
        match key {
            Key::Bytes(k) => {
                if !self.bytes.contains_key(k) {
                    self.bytes.insert(k.to_vec(), make());
                }
                &self.bytes[k]
            }
            Key::Text(k) => {
                if !self.text.contains_key(k) {
                    self.text.insert(k.to_owned(), make());
                }
                &self.text[k]
            }
        }
    }

    pub fn remove(&mut self, key: Key<'_>) -> Option<V> {
        let gone = match key {
            Key::Bytes(k) => self.bytes.remove(k),
            Key::Text(k) => self.text.remove(k),
        };
        if gone.is_some() {
            self.epoch += 1;
        }
        gone
    }

    /// Empties the entries and the memos.
    pub fn clear(&mut self) -> Displaced<V> {
        let mut out: Vec<V> = self.bytes.drain().map(|(_, v)| v).collect();
        out.extend(self.text.drain().map(|(_, v)| v));
        out.extend(self.memos.drain().map(|(_, v)| v));
        self.epoch += 1;
        out
    }

    /// The bytes keys that `matches` accepts, sorted (for offline `get_keys`).
    pub fn bytes_keys_where(&self, mut matches: impl FnMut(&[u8]) -> bool) -> Vec<Vec<u8>> {
        let mut keys: Vec<Vec<u8>> = self.bytes.keys().filter(|k| matches(k)).cloned().collect();
        keys.sort();
        keys
    }

    pub fn bytes_entries(&self) -> impl Iterator<Item = (&[u8], &V)> {
        self.bytes.iter().map(|(k, v)| (k.as_slice(), v))
    }

    pub fn text_entries(&self) -> impl Iterator<Item = (&str, &V)> {
        self.text.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn memo(&self, function: u64) -> Option<&V> {
        self.memos.get(&function)
    }

    pub fn set_memo(&mut self, function: u64, memo: V) -> Option<V> {
        self.memos.insert(function, memo)
    }

    pub fn drop_memo(&mut self, function: u64) -> Option<V> {
        self.memos.remove(&function)
    }

    fn values(&self) -> impl Iterator<Item = &V> {
        self.bytes
            .values()
            .chain(self.text.values())
            .chain(self.memos.values())
    }
}

// ---------------------------------------------------------------------------------------------
// Binding: `LocalCache`, and the current thread's.

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
                    self.with(py, |s| s.store.epoch += 1);
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
                    self.with(py, |s| s.store.epoch += 1);
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
    fn fill(&self, py: Python<'_>, items: &Bound<'_, PyAny>) -> PyResult<()> {
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

thread_local! {
    /// This thread's current request cache.
    static CURRENT: RefCell<Option<Py<LocalCache>>> = const { RefCell::new(None) };
}

/// This thread's current request cache, as a new reference.
pub fn current(py: Python<'_>) -> Option<Py<LocalCache>> {
    CURRENT
        .try_with(|cell| cell.try_borrow().ok()?.as_ref().map(|c| c.clone_ref(py)))
        .ok()
        .flatten()
}

/// Runs `f` on this thread's open scope. `None` when there is no scope, or when the scope is
/// already borrowed further up this thread's stack (then the call simply bypasses the cache).
#[inline]
pub fn with_scope<R>(py: Python<'_>, f: impl FnOnce(&mut ScopeState) -> R) -> Option<R> {
    CURRENT
        .try_with(|cell| {
            let slot = cell.try_borrow().ok()?;
            slot.as_ref()?.get().with(py, f)
        })
        .ok()
        .flatten()
}

/// Installs `cache` (or none) as this thread's request cache and returns the one it replaces.
fn swap_current(cache: Option<Py<LocalCache>>) -> CacheResult<Option<Py<LocalCache>>> {
    CURRENT
        .try_with(|cell| {
            cell.try_borrow_mut()
                .map(|mut slot| std::mem::replace(&mut *slot, cache))
                .map_err(|_| {
                    CacheError::Scope("the request scope cannot change while it is in use".into())
                })
        })
        .map_err(|_| CacheError::Scope("this thread is shutting down".into()))?
}

fn checked_site(site: String) -> CacheResult<String> {
    if site.is_empty() {
        return Err(CacheError::Scope(
            "a request scope needs a site: pass the site's db_name, e.g. begin_request(\"_1a2b3c\")"
                .into(),
        ));
    }
    Ok(site)
}

fn new_cache(py: Python<'_>, site: String, user: Option<String>) -> CacheResult<Py<LocalCache>> {
    let cache = LocalCache::new(checked_site(site)?, user.filter(|u| !u.is_empty()));
    Ok(Py::new(py, cache)?)
}

/// Opens (or resets) this thread's request-local cache, as `frappe.init` does.
#[pyfunction]
#[pyo3(signature = (site, user=None))]
pub fn begin_request(py: Python<'_>, site: String, user: Option<String>) -> CacheResult<()> {
    let previous = swap_current(Some(new_cache(py, site, user)?))?;
    drop(previous);
    Ok(())
}

/// Drops this thread's request-local cache, as `frappe.destroy` does.
#[pyfunction]
pub fn end_request() -> CacheResult<()> {
    let previous = swap_current(None)?;
    drop(previous);
    Ok(())
}

/// This thread's request-local cache (`frappe.local.cache` under the drop-in), or `None`.
#[pyfunction]
pub fn local_cache(py: Python<'_>) -> Option<Py<LocalCache>> {
    current(py)
}

/// Makes `cache` this thread's request-local cache: a `LocalCache` as it is, anything else
/// (Frappe's `frappe.local.cache = {}`) as a new one with its items. Returns the one now in use.
/// `site` (Frappe's `db_name`, formatted as Frappe formats it) becomes its site.
#[pyfunction]
pub fn adopt_local_cache(
    py: Python<'_>,
    cache: &Bound<'_, PyAny>,
    site: String,
) -> CacheResult<Py<LocalCache>> {
    let adopted: Py<LocalCache> = match cache.cast::<LocalCache>() {
        Ok(ours) => {
            let ours = ours.clone().unbind();
            ours.get().with(py, |s| s.site = site);
            ours
        }
        Err(_) => {
            let fresh = LocalCache::new(site, None);
            if !cache.is_none() {
                fresh.fill(py, cache)?;
            }
            Py::new(py, fresh)?
        }
    };
    let previous = swap_current(Some(adopted.clone_ref(py)))?;
    drop(previous);
    Ok(adopted)
}

/// Changes the site of this thread's request cache (Frappe assigned `frappe.local.conf`).
#[pyfunction]
pub fn set_scope_site(py: Python<'_>, site: String) {
    with_scope(py, |s| s.site = site);
}

static USER_RESOLVER: PyOnceLock<parking_lot::Mutex<Option<Py<PyAny>>>> = PyOnceLock::new();

/// Sets the function that answers `user=True` in scopes opened without a user (the drop-in
/// passes one that reads `frappe.local.session.user`, as Frappe's `make_key` does), or `None`.
#[pyfunction]
pub fn set_user_resolver(py: Python<'_>, resolver: Option<Py<PyAny>>) {
    let slot = USER_RESOLVER.get_or_init(py, || parking_lot::Mutex::new(None));
    let previous = std::mem::replace(&mut *slot.lock(), resolver);
    drop(previous);
}

/// The current user for `user=True`: the scope's own, else the resolver's answer formatted as
/// Frappe's f-string would (`None` when neither exists).
pub fn current_user_name(py: Python<'_>) -> CacheResult<Option<String>> {
    if let Some(Some(user)) = with_scope(py, |s| s.user.clone()) {
        return Ok(Some(user));
    }
    let resolver = USER_RESOLVER
        .get(py)
        .and_then(|slot| slot.lock().as_ref().map(|r| r.clone_ref(py)));
    match resolver {
        Some(resolver) => {
            let user = resolver.bind(py).call0()?;
            Ok(Some(user.str()?.to_str()?.to_owned()))
        }
        None => Ok(None),
    }
}

#[pyfunction]
pub fn current_site(py: Python<'_>) -> Option<String> {
    with_scope(py, |s| s.site.clone())
}

#[pyfunction]
pub fn current_user(py: Python<'_>) -> CacheResult<Option<String>> {
    if current(py).is_none() {
        return Ok(None);
    }
    current_user_name(py)
}

/// `with request_scope(site, user):` opens a scope and restores the enclosing one on exit.
#[pyclass(module = "frappe_cache._native", frozen)]
pub struct RequestScope {
    site: String,
    user: Option<String>,
    /// The cache that was current when this scope was entered; put back on exit.
    outer: parking_lot::Mutex<Option<Option<Py<LocalCache>>>>,
}

#[pymethods]
impl RequestScope {
    fn __enter__(slf: Py<Self>, py: Python<'_>) -> CacheResult<Py<Self>> {
        let this = slf.get();
        let cache = new_cache(py, this.site.clone(), this.user.clone())?;
        let outer = swap_current(Some(cache))?;
        *this.outer.lock() = Some(outer);
        Ok(slf)
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, PyTuple>) -> CacheResult<bool> {
        let outer = self.outer.lock().take().unwrap_or(None);
        let ours = swap_current(outer)?;
        drop(ours);
        Ok(false)
    }

    fn __repr__(&self) -> String {
        format!("RequestScope(site={:?}, user={:?})", self.site, self.user)
    }
}

#[pyfunction]
#[pyo3(signature = (site, user=None))]
pub fn request_scope(site: String, user: Option<String>) -> RequestScope {
    RequestScope {
        site,
        user,
        outer: parking_lot::Mutex::new(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fx_hash_depends_on_every_byte() {
        let hash = |b: &[u8]| {
            let mut h = FxHasher::default();
            h.write(b);
            h.finish()
        };
        let base = b"site|some_key_name".to_vec();
        for i in 0..base.len() {
            let mut other = base.clone();
            other[i] ^= 1;
            assert_ne!(hash(&base), hash(&other), "byte {i}");
        }
    }

    #[test]
    fn put_returns_what_it_displaced() {
        let mut s: Store<u32> = Store::default();
        assert_eq!(s.put(Key::Bytes(b"db|k"), 1), None);
        assert_eq!(s.put(Key::Bytes(b"db|k"), 2), Some(1));
        assert_eq!(s.get(Key::Bytes(b"db|k")), Some(&2));
    }

    #[test]
    fn str_and_bytes_keys_are_distinct() {
        let mut s: Store<u8> = Store::default();
        s.put(Key::Bytes(b"k"), 1);
        s.put(Key::Text("k"), 2);
        assert_eq!(s.get(Key::Bytes(b"k")), Some(&1));
        assert_eq!(s.get(Key::Text("k")), Some(&2));
        assert_eq!(s.len(), 2);
        assert_eq!(s.remove(Key::Text("k")), Some(2));
        assert_eq!(s.get(Key::Bytes(b"k")), Some(&1));
    }

    #[test]
    fn the_epoch_moves_on_overwrites_and_removals_only() {
        let mut s: Store<u8> = Store::default();
        s.put(Key::Bytes(b"a"), 1);
        s.put(Key::Bytes(b"b"), 1);
        assert_eq!(s.epoch(), 0, "new entries change no value anyone copied");
        s.put(Key::Bytes(b"a"), 2);
        assert_eq!(s.epoch(), 1);
        s.remove(Key::Bytes(b"missing"));
        assert_eq!(s.epoch(), 1);
        s.remove(Key::Bytes(b"b"));
        assert_eq!(s.epoch(), 2);
        s.clear();
        assert_eq!(s.epoch(), 3);
    }

    #[test]
    fn get_or_insert_keeps_what_is_there() {
        let mut s: Store<u8> = Store::default();
        assert_eq!(*s.get_or_insert_with(Key::Text("h"), || 1), 1);
        assert_eq!(*s.get_or_insert_with(Key::Text("h"), || 2), 1);
        assert_eq!(s.epoch(), 0);
    }

    #[test]
    fn clear_returns_entries_and_memos() {
        let mut s: Store<u8> = Store::default();
        s.put(Key::Bytes(b"a"), 1);
        s.put(Key::Text("b"), 2);
        s.set_memo(7, 3);
        let mut gone = s.clear();
        gone.sort();
        assert_eq!(gone, vec![1, 2, 3]);
        assert_eq!(s.len(), 0);
        assert!(s.memo(7).is_none());
    }

    #[test]
    fn bytes_keys_where_is_sorted_and_filtered() {
        let mut s: Store<u8> = Store::default();
        s.put(Key::Bytes(b"db|x2"), 0);
        s.put(Key::Bytes(b"db|y"), 0);
        s.put(Key::Bytes(b"db|x1"), 0);
        s.put(Key::Text("db|x3"), 0);
        let keys = s.bytes_keys_where(|k| k.starts_with(b"db|x"));
        assert_eq!(keys, vec![b"db|x1".to_vec(), b"db|x2".to_vec()]);
    }
}
