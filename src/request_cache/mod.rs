//! The request-local cache: Frappe's `frappe.local.cache`, one per request (or job), per thread.
//!
//! `store.rs` holds the entries (plain data, tested without an interpreter); `binding.rs` is
//! `LocalCache`, a Python mapping over one `Store` plus what the
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
//!
//! This file is the lifecycle: the thread's current `LocalCache`, `begin_request`/`end_request`,
//! `request_scope`, adopting Frappe's `frappe.local.cache`, and the current user.

mod binding;
mod store;

use std::cell::RefCell;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyTuple;

pub use binding::{LocalCache, ScopeState};
pub use store::{FxMap, Key};

use crate::errors::{CacheError, CacheResult};

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
