//! The request-local cache as the wrapper addresses it: by made key (`Made`), either the
//! prefixed bytes or, for shared keys, the object as given (Frappe keeps those as they came).

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::codec;
use crate::errors::CacheResult;
use crate::request_cache::{Key, current, with_scope};

/// A key as Frappe's `make_key` returns it, with its wire form.
pub(crate) enum Made<'py> {
    /// `{site}|[user:{u}:]{key}`: the request cache holds it under these bytes.
    Prefixed(Vec<u8>),
    /// A shared (or already made) key: the request cache holds it under the object as given.
    AsGiven(Bound<'py, PyAny>, Vec<u8>),
}

impl Made<'_> {
    pub(crate) fn wire(&self) -> &[u8] {
        match self {
            Made::Prefixed(k) | Made::AsGiven(_, k) => k,
        }
    }

    pub(crate) fn as_given<'py>(key: &Bound<'py, PyAny>) -> CacheResult<Made<'py>> {
        let wire = codec::arg_bytes(key, "cache key")?.into_owned();
        Ok(Made::AsGiven(key.clone(), wire))
    }
}

/// The value the request cache holds at `key`, if any (a cached `None` included).
pub(crate) fn local_get<'py>(
    py: Python<'py>,
    key: &Made<'py>,
) -> CacheResult<Option<Bound<'py, PyAny>>> {
    match key {
        Made::Prefixed(k) => Ok(local_get_wire(py, k)),
        Made::AsGiven(k, _) => match current(py) {
            Some(cache) => Ok(cache.get().lookup(k)?),
            None => Ok(None),
        },
    }
}

/// `local_get` for a prefixed (or decorator) key given as bytes.
pub(crate) fn local_get_wire<'py>(py: Python<'py>, key: &[u8]) -> Option<Bound<'py, PyAny>> {
    with_scope(py, |s| {
        s.store.get(Key::Bytes(key)).map(|v| v.bind(py).clone())
    })
    .flatten()
}

/// `local_put` for a prefixed (or decorator) key given as bytes.
pub(crate) fn local_put_wire(py: Python<'_>, key: &[u8], value: &Bound<'_, PyAny>) {
    let displaced = with_scope(py, |s| s.store.put(Key::Bytes(key), value.clone().unbind()));
    drop(displaced); // outside the borrow: `__del__` may call back into the cache
}

/// `local_forget` for a prefixed (or decorator) key given as bytes.
fn local_forget_wire(py: Python<'_>, key: &[u8]) {
    let displaced = with_scope(py, |s| s.store.remove(Key::Bytes(key)));
    drop(displaced);
}

/// Sets `key` in the request cache (no-op outside a request).
pub(crate) fn local_put(
    py: Python<'_>,
    key: &Made<'_>,
    value: &Bound<'_, PyAny>,
) -> CacheResult<()> {
    match key {
        Made::Prefixed(k) => local_put_wire(py, k, value),
        Made::AsGiven(k, _) => {
            if let Some(cache) = current(py) {
                cache.get().assign(k, value)?;
            }
        }
    }
    Ok(())
}

/// Drops `key` from the request cache (Frappe's `frappe.local.cache.pop(key, None)`).
pub(crate) fn local_forget(py: Python<'_>, key: &Made<'_>) -> CacheResult<()> {
    match key {
        Made::Prefixed(k) => local_forget_wire(py, k),
        Made::AsGiven(k, _) => {
            if let Some(cache) = current(py) {
                drop(cache.get().take(k)?);
            }
        }
    }
    Ok(())
}

/// The dict the request cache holds for hash `name`; with `create`, an empty one is put there
/// first when there is none (Frappe: `frappe.local.cache.setdefault(name, {})`).
pub(super) fn local_hash<'py>(
    py: Python<'py>,
    name: &Made<'py>,
    create: bool,
) -> CacheResult<Option<Bound<'py, PyAny>>> {
    let found = local_get(py, name)?;
    if found.is_some() || !create || current(py).is_none() {
        return Ok(found);
    }
    let fresh = PyDict::new(py).into_any();
    local_put(py, name, &fresh)?;
    Ok(Some(fresh))
}

/// `local[name][field]`, if present (whatever mapping the request cache holds there).
pub(super) fn hash_field<'py>(
    entry: &Bound<'py, PyAny>,
    field: &Bound<'py, PyAny>,
) -> CacheResult<Option<Bound<'py, PyAny>>> {
    if let Ok(dict) = entry.cast::<PyDict>() {
        return Ok(dict.get_item(field)?);
    }
    if entry.contains(field)? {
        return Ok(Some(entry.get_item(field)?));
    }
    Ok(None)
}

/// Frappe's `del local[name][field]` when present.
pub(super) fn forget_field(
    py: Python<'_>,
    name: &Made<'_>,
    field: &Bound<'_, PyAny>,
) -> CacheResult<()> {
    let Some(entry) = local_get(py, name)? else {
        return Ok(());
    };
    if let Ok(dict) = entry.cast::<PyDict>() {
        if dict.contains(field)? {
            dict.del_item(field)?;
        }
    } else if entry.contains(field)? {
        entry.del_item(field)?;
    }
    Ok(())
}
