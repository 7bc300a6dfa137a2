//! The decorators' per-request memos: kept in the request scope, so they end with it.

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::request_cache::with_scope;
use crate::wrapper::local_get_wire;

/// This request's memo dict for decorated function `id`, created on first use, with the
/// request cache's epoch; `None` outside a request scope.
pub(super) fn request_memo(py: Python<'_>, id: u64) -> Option<(Bound<'_, PyDict>, u64)> {
    let (memo, epoch) = with_scope(py, |s| {
        if s.store.memo(id).is_none() {
            // An allocation may run the collector, whose finalizers find the store borrowed and
            // bypass it: safe inside the borrow.
            s.store.set_memo(id, PyDict::new(py).into_any().unbind());
        }
        Some((s.store.memo(id)?.clone_ref(py), s.store.epoch()))
    })
    .flatten()?;
    Some((memo.into_bound(py).cast_into::<PyDict>().ok()?, epoch))
}

/// What `@redis_cache`'s memo keeps per call: the key, and the value as of `epoch`.
#[pyclass(module = "frappe_cache._native", frozen)]
pub(super) struct Remembered {
    key: Vec<u8>,
    epoch: u64,
    value: Py<PyAny>,
}

/// Notes `call -> (key, value)` in this request's memo (unhashable arguments: nothing).
pub(super) fn remember(
    py: Python<'_>,
    memo: &Bound<'_, PyDict>,
    call: &Bound<'_, PyAny>,
    key: &[u8],
    value: &Bound<'_, PyAny>,
) {
    let Some(epoch) = with_scope(py, |s| s.store.epoch()) else {
        return;
    };
    let entry = Remembered {
        key: key.to_vec(),
        epoch,
        value: value.clone().unbind(),
    };
    if let Ok(entry) = Bound::new(py, entry) {
        let _ = memo.set_item(call, entry);
    }
}

/// The value a memo entry stands for: its copy while the request cache's epoch has not moved,
/// else the request cache's entry for its key, noted again so the next call is short again
/// (`None`: gone, look further).
pub(super) fn recall(
    py: Python<'_>,
    memo: &Bound<'_, PyDict>,
    call: &Bound<'_, PyAny>,
    epoch: u64,
) -> Option<Py<PyAny>> {
    let entry = memo_get(memo, call)?;
    let entry = entry.cast::<Remembered>().ok()?.get();
    if entry.epoch == epoch {
        return Some(entry.value.clone_ref(py));
    }
    let hit = local_get_wire(py, &entry.key)?;
    remember(py, memo, call, &entry.key.clone(), &hit);
    Some(hit.unbind())
}

pub(super) fn forget_request_memo(py: Python<'_>, id: u64) {
    let displaced = with_scope(py, |s| s.store.drop_memo(id));
    drop(displaced);
}

/// `memo[key]`, treating unhashable keys as a miss.
pub(super) fn memo_get<'py>(
    memo: &Bound<'py, PyDict>,
    key: &Bound<'py, PyAny>,
) -> Option<Bound<'py, PyAny>> {
    memo.get_item(key).ok().flatten()
}
