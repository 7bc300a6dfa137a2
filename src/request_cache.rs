//! The request-local cache (Frappe's `frappe.local.cache`), one per thread.
//!
//! `Scope` is plain data, generic over the stored value so `cargo test` can exercise it without
//! an interpreter. The binding half keeps the current thread's scope in a thread-local and
//! exposes `request_scope` / `begin_request` / `end_request` to Python.
//!
//! Re-entrancy rule: a displaced Python object may run `__del__` when dropped, and that code may
//! call back into the cache. Every mutation therefore returns what it displaced, and callers drop
//! it only after the thread-local borrow has ended.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use parking_lot::Mutex;
use pyo3::prelude::*;

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

pub struct Scope<V> {
    pub site: String,
    pub user: Option<String>,
    /// prefixed key -> value (a cached `None` included: negative caching)
    strings: FxMap<Vec<u8>, V>,
    /// prefixed hash name -> encoded field -> value
    hashes: FxMap<Vec<u8>, FxMap<Vec<u8>, V>>,
    /// Per decorated function (by its id): the decorators' per-request memo.
    memos: FxMap<u64, V>,
    /// Counts removals and overwrites of string entries: a memo that copied a value while the
    /// epoch was N can return it without a lookup while the epoch is still N.
    epoch: u64,
    /// Reused to build keys on the hit path, so a local hit allocates nothing.
    pub scratch: Vec<u8>,
}

impl<V> Scope<V> {
    pub fn new(site: String, user: Option<String>) -> Self {
        Scope {
            site,
            user,
            strings: FxMap::default(),
            hashes: FxMap::default(),
            memos: FxMap::default(),
            epoch: 0,
            scratch: Vec::new(),
        }
    }

    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.strings.get(key)
    }

    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    pub fn put(&mut self, key: &[u8], value: V) -> Option<V> {
        match self.strings.get_mut(key) {
            Some(slot) => {
                self.epoch += 1;
                Some(std::mem::replace(slot, value))
            }
            None => {
                self.strings.insert(key.to_vec(), value);
                None
            }
        }
    }

    /// Forgets `key` as a string and as a hash name (Frappe keeps both in one dict).
    pub fn remove(&mut self, key: &[u8]) -> Displaced<V> {
        let mut out: Vec<V> = self.strings.remove(key).into_iter().collect();
        if let Some(fields) = self.hashes.remove(key) {
            out.extend(fields.into_values());
        }
        if !out.is_empty() {
            self.epoch += 1;
        }
        out
    }

    pub fn hget(&self, name: &[u8], field: &[u8]) -> Option<&V> {
        self.hashes.get(name)?.get(field)
    }

    pub fn hput(&mut self, name: &[u8], field: &[u8], value: V) -> Option<V> {
        let fields = match self.hashes.get_mut(name) {
            Some(fields) => fields,
            None => self.hashes.entry(name.to_vec()).or_default(),
        };
        fields.insert(field.to_vec(), value)
    }

    pub fn hremove(&mut self, name: &[u8], field: &[u8]) -> Option<V> {
        self.hashes.get_mut(name)?.remove(field)
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

    /// The cached keys (strings and hash names) that `matches` accepts, for offline `get_keys`.
    pub fn keys_where(&self, mut matches: impl FnMut(&[u8]) -> bool) -> Vec<Vec<u8>> {
        let mut keys: Vec<Vec<u8>> = self
            .strings
            .keys()
            .chain(self.hashes.keys())
            .filter(|k| matches(k))
            .cloned()
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }
}

// ---------------------------------------------------------------------------------------------
// Binding: the current thread's scope.

pub type PyScope = Scope<Py<PyAny>>;

thread_local! {
    static CURRENT: RefCell<Option<PyScope>> = const { RefCell::new(None) };
}

/// Runs `f` on this thread's open scope. `None` when there is no scope, or when the scope is
/// already borrowed further up this thread's stack (then the call simply bypasses the cache).
pub fn with_scope<R>(f: impl FnOnce(&mut PyScope) -> R) -> Option<R> {
    CURRENT
        .try_with(|cell| {
            let mut slot = cell.try_borrow_mut().ok()?;
            slot.as_mut().map(f)
        })
        .ok()
        .flatten()
}

/// Installs `scope` (or none) as this thread's scope and returns the one it replaces.
fn swap_scope(scope: Option<PyScope>) -> CacheResult<Option<PyScope>> {
    CURRENT
        .try_with(|cell| {
            cell.try_borrow_mut()
                .map(|mut slot| std::mem::replace(&mut *slot, scope))
                .map_err(|_| {
                    CacheError::Scope("the request scope cannot change while it is in use".into())
                })
        })
        .map_err(|_| CacheError::Scope("this thread is shutting down".into()))?
}

fn new_scope(site: String, user: Option<String>) -> CacheResult<PyScope> {
    if site.is_empty() {
        return Err(CacheError::Scope(
            "a request scope needs a site: pass the site's db_name, e.g. begin_request(\"_1a2b3c\")"
                .into(),
        ));
    }
    Ok(Scope::new(site, user.filter(|u| !u.is_empty())))
}

/// Opens (or resets) this thread's request-local cache, as `frappe.init` does.
#[pyfunction]
#[pyo3(signature = (site, user=None))]
pub fn begin_request(site: String, user: Option<String>) -> CacheResult<()> {
    let previous = swap_scope(Some(new_scope(site, user)?))?;
    drop(previous);
    Ok(())
}

/// Drops this thread's request-local cache, as `frappe.destroy` does.
#[pyfunction]
pub fn end_request() -> CacheResult<()> {
    let previous = swap_scope(None)?;
    drop(previous);
    Ok(())
}

#[pyfunction]
pub fn current_site() -> Option<String> {
    with_scope(|s| s.site.clone())
}

#[pyfunction]
pub fn current_user() -> Option<String> {
    with_scope(|s| s.user.clone()).flatten()
}

/// `with request_scope(site, user):` opens a scope and restores the enclosing one on exit.
#[pyclass(module = "frappe_cache._native", frozen)]
pub struct RequestScope {
    site: String,
    user: Option<String>,
    /// The scope that was open when this one was entered; put back on exit.
    outer: Mutex<Option<Option<PyScope>>>,
}

#[pymethods]
impl RequestScope {
    fn __enter__(slf: Py<Self>) -> CacheResult<Py<Self>> {
        let this = slf.get();
        let scope = new_scope(this.site.clone(), this.user.clone())?;
        let outer = swap_scope(Some(scope))?;
        *this.outer.lock() = Some(outer);
        Ok(slf)
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, pyo3::types::PyTuple>) -> CacheResult<bool> {
        let outer = self.outer.lock().take().unwrap_or(None);
        let ours = swap_scope(outer)?;
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
        outer: Mutex::new(None),
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
        let mut s: Scope<u32> = Scope::new("db".into(), None);
        assert_eq!(s.put(b"db|k", 1), None);
        assert_eq!(s.put(b"db|k", 2), Some(1));
        assert_eq!(s.get(b"db|k"), Some(&2));
    }

    #[test]
    fn remove_forgets_strings_and_hashes_of_that_name() {
        let mut s: Scope<u32> = Scope::new("db".into(), None);
        s.put(b"db|h", 1);
        s.hput(b"db|h", b"f1", 2);
        s.hput(b"db|h", b"f2", 3);
        let mut gone = s.remove(b"db|h");
        gone.sort();
        assert_eq!(gone, vec![1, 2, 3]);
        assert_eq!(s.get(b"db|h"), None);
        assert_eq!(s.hget(b"db|h", b"f1"), None);
    }

    #[test]
    fn the_epoch_moves_on_overwrites_and_removals_only() {
        let mut s: Scope<u8> = Scope::new("db".into(), None);
        s.put(b"a", 1);
        s.put(b"b", 1);
        assert_eq!(s.epoch(), 0, "new entries change no value anyone copied");
        s.put(b"a", 2);
        assert_eq!(s.epoch(), 1);
        s.remove(b"missing");
        assert_eq!(s.epoch(), 1);
        s.remove(b"b");
        assert_eq!(s.epoch(), 2);
    }

    #[test]
    fn hash_fields_are_per_hash() {
        let mut s: Scope<&str> = Scope::new("db".into(), None);
        s.hput(b"db|a", b"f", "a");
        s.hput(b"db|b", b"f", "b");
        assert_eq!(s.hget(b"db|a", b"f"), Some(&"a"));
        assert_eq!(s.hremove(b"db|a", b"f"), Some("a"));
        assert_eq!(s.hget(b"db|a", b"f"), None);
        assert_eq!(s.hget(b"db|b", b"f"), Some(&"b"));
    }

    #[test]
    fn keys_where_lists_each_key_once() {
        let mut s: Scope<u8> = Scope::new("db".into(), None);
        s.put(b"db|x1", 0);
        s.put(b"db|y", 0);
        s.hput(b"db|x1", b"f", 0);
        s.hput(b"db|x2", b"f", 0);
        let keys = s.keys_where(|k| k.starts_with(b"db|x"));
        assert_eq!(keys, vec![b"db|x1".to_vec(), b"db|x2".to_vec()]);
    }
}
