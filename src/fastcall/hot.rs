//! Hand-written entry points for the hottest calls: `get_value(key)` and `hget(name, key)`
//! answered from the request-local cache, and `ClientCache.get_value(key)` from the client
//! cache.
//!
//! Such a hit does little work (build the key in a reused buffer, one map lookup, one incref),
//! and PyO3's generated method around it (parsing six parameters, its per-call bookkeeping)
//! costs a good part again. So at import, the type's `get_value` and `hget` become raw
//! `METH_FASTCALL` functions: a plain positional call whose value this request already holds
//! is answered there, touching no Python object but its arguments and the value it increfs;
//! every other call goes, unchanged, to the PyO3 method it replaced, which does the real work.

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicPtr, Ordering};

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyType;

use crate::client_cache::ClientCache;
use crate::wrapper::RedisWrapper;

/// The PyO3 methods replaced, called for everything the fast path does not answer.
static GET_VALUE: AtomicPtr<ffi::PyObject> = AtomicPtr::new(std::ptr::null_mut());
static HGET: AtomicPtr<ffi::PyObject> = AtomicPtr::new(std::ptr::null_mut());
static CLIENT_GET_VALUE: AtomicPtr<ffi::PyObject> = AtomicPtr::new(std::ptr::null_mut());

/// A `PyMethodDef` CPython keeps a pointer to for the life of the type.
struct Def(UnsafeCell<ffi::PyMethodDef>);

// SAFETY: written only by CPython while creating the descriptor, under the GIL.
unsafe impl Sync for Def {}

static GET_VALUE_DEF: Def = Def(UnsafeCell::new(ffi::PyMethodDef {
    ml_name: c"get_value".as_ptr(),
    ml_meth: ffi::PyMethodDefPointer { PyCFunctionFastWithKeywords: get_value },
    ml_flags: ffi::METH_FASTCALL | ffi::METH_KEYWORDS,
    ml_doc: c"get_value($self, /, key, generator=None, user=None, expires=False, shared=False, *, use_local_cache=True)\n--\n\nFrappe's get_value: the request-local cache, then Redis; `generator` fills a miss."
        .as_ptr(),
}));

static HGET_DEF: Def = Def(UnsafeCell::new(ffi::PyMethodDef {
    ml_name: c"hget".as_ptr(),
    ml_meth: ffi::PyMethodDefPointer { PyCFunctionFastWithKeywords: hget },
    ml_flags: ffi::METH_FASTCALL | ffi::METH_KEYWORDS,
    ml_doc: c"hget($self, /, name, key, generator=None, shared=False)\n--\n\nFrappe's hget: a hash field from the request-local cache, then Redis."
        .as_ptr(),
}));

static CLIENT_GET_VALUE_DEF: Def = Def(UnsafeCell::new(ffi::PyMethodDef {
    ml_name: c"get_value".as_ptr(),
    ml_meth: ffi::PyMethodDefPointer { PyCFunctionFastWithKeywords: client_get_value },
    ml_flags: ffi::METH_FASTCALL | ffi::METH_KEYWORDS,
    ml_doc: c"get_value($self, /, key, *, shared=False, generator=None)\n--\n\nFrappe's ClientCache.get_value: this process's copy while it is fresh, else Redis."
        .as_ptr(),
}));

/// Puts the fast entry points in front of `RedisWrapper`'s and `ClientCache`'s PyO3 methods.
pub fn install(py: Python<'_>) -> PyResult<()> {
    let ty = py.get_type::<RedisWrapper>();
    replace(&ty, "get_value", &GET_VALUE, &GET_VALUE_DEF)?;
    replace(&ty, "hget", &HGET, &HGET_DEF)?;
    let ty = py.get_type::<ClientCache>();
    replace(&ty, "get_value", &CLIENT_GET_VALUE, &CLIENT_GET_VALUE_DEF)
}

fn replace(
    ty: &Bound<'_, PyType>,
    name: &str,
    original: &AtomicPtr<ffi::PyObject>,
    def: &'static Def,
) -> PyResult<()> {
    let py = ty.py();
    // Kept for the life of the process: the fallback of every call.
    let pyo3_method = ty.getattr(name)?;
    original.store(pyo3_method.into_ptr(), Ordering::Release);
    let tp = ty.as_type_ptr();
    // SAFETY: `def` is 'static; the type is a live heap type whose dict we may extend.
    unsafe {
        let descriptor = Bound::from_owned_ptr_or_err(py, ffi::PyDescr_NewMethod(tp, def.0.get()))?;
        let dict = Bound::from_borrowed_ptr_or_err(py, (*tp).tp_dict)?;
        dict.set_item(name, descriptor)?;
        ffi::PyType_Modified(tp);
    }
    Ok(())
}

/// The bytes of an exact `str` or `bytes` key (anything else: the general path decides).
///
/// # Safety
/// `obj` is a live object and the interpreter is attached.
unsafe fn text<'a>(obj: *mut ffi::PyObject) -> Option<&'a [u8]> {
    // SAFETY: `obj` is live (the caller's contract); the UTF-8 buffer and the bytes data live as
    // long as the object, which outlives the call that borrows them.
    unsafe {
        if ffi::PyUnicode_CheckExact(obj) != 0 {
            let mut size: ffi::Py_ssize_t = 0;
            let data = ffi::PyUnicode_AsUTF8AndSize(obj, &mut size);
            if data.is_null() {
                ffi::PyErr_Clear(); // lone surrogates: the general path raises properly
                return None;
            }
            Some(std::slice::from_raw_parts(data.cast(), size as usize))
        } else if ffi::PyBytes_CheckExact(obj) != 0 {
            let size = ffi::PyBytes_Size(obj) as usize;
            Some(std::slice::from_raw_parts(
                ffi::PyBytes_AsString(obj).cast(),
                size,
            ))
        } else {
            None
        }
    }
}

/// The value `get_value(key)` would return from the request cache, as a new reference. These
/// entry points run outside PyO3's panic guard, so a panic here (there should be none) is
/// caught and the call takes the general path instead of unwinding into CPython.
fn hit(raw: &[u8]) -> Option<*mut ffi::PyObject> {
    // SAFETY: CPython called the entry point, so this thread is attached.
    let py = unsafe { Python::assume_attached() };
    let value = std::panic::catch_unwind(|| RedisWrapper::local_hit(py, raw))
        .ok()
        .flatten()?;
    // SAFETY: the request cache holds a reference to `value`, and nothing has run since.
    unsafe { ffi::Py_INCREF(value) };
    Some(value)
}

/// `hget(name, field)` from the request cache: the hash's dict, then the field in it (looked up
/// after the store is released, as a dict lookup may run Python code).
///
/// # Safety
/// `field` is a live object and the thread is attached.
unsafe fn hash_hit(name: &[u8], field: *mut ffi::PyObject) -> Option<*mut ffi::PyObject> {
    let entry = hit(name)?;
    // SAFETY: `entry` is a new reference we own and release on every path; `field` is live.
    unsafe {
        let found = if ffi::PyDict_CheckExact(entry) != 0 {
            ffi::PyDict_GetItemWithError(entry, field) // borrowed
        } else {
            std::ptr::null_mut()
        };
        if found.is_null() {
            ffi::PyErr_Clear(); // a miss or an odd entry: the general path decides
            ffi::Py_DECREF(entry);
            return None;
        }
        ffi::Py_INCREF(found);
        ffi::Py_DECREF(entry);
        Some(found)
    }
}

/// `original(slf, *args, **kwnames)`: the PyO3 method, with the call as it came.
///
/// # Safety
/// The arguments are a METH_FASTCALL call's own.
unsafe fn general(
    original: &AtomicPtr<ffi::PyObject>,
    slf: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: `args` holds `nargs` positional and one value per keyword name (METH_FASTCALL |
    // METH_KEYWORDS), all live for the call; `original` is the PyO3 method we replaced.
    unsafe {
        let keywords = if kwnames.is_null() {
            0
        } else {
            ffi::PyTuple_Size(kwnames)
        };
        let mut all = Vec::with_capacity(1 + (nargs + keywords) as usize);
        all.push(slf);
        all.extend_from_slice(std::slice::from_raw_parts(
            args,
            (nargs + keywords) as usize,
        ));
        ffi::PyObject_Vectorcall(
            original.load(Ordering::Acquire),
            all.as_ptr(),
            (nargs + 1) as usize,
            kwnames,
        )
    }
}

/// A `METH_FASTCALL | METH_KEYWORDS` entry point: `$fast`, run for a call without keywords,
/// answers what it can (a new reference); every other call goes to the PyO3 method `$original`.
macro_rules! entry_point {
    ($(#[$doc:meta])* $name:ident, $original:ident, |$slf:ident, $args:ident, $nargs:ident| $fast:block) => {
        $(#[$doc])*
        unsafe extern "C" fn $name(
            $slf: *mut ffi::PyObject,
            $args: *const *mut ffi::PyObject,
            $nargs: ffi::Py_ssize_t,
            kwnames: *mut ffi::PyObject,
        ) -> *mut ffi::PyObject {
            // SAFETY: CPython calls this METH_FASTCALL entry with the call's own live arguments
            // (`$nargs` positional ones at `$args`), and only with an instance of the type whose
            // method it replaced as `$slf`: the method descriptor checks the type of self first.
            unsafe {
                if kwnames.is_null() {
                    let answered: Option<*mut ffi::PyObject> = $fast;
                    if let Some(value) = answered {
                        return value;
                    }
                }
                general(&$original, $slf, $args, $nargs, kwnames)
            }
        }
    };
}

entry_point!(
    /// `get_value(key)` from the request cache.
    get_value, GET_VALUE, |_slf, args, nargs| {
        if nargs == 1 { text(*args).and_then(hit) } else { None }
    }
);

entry_point!(
    /// `hget(name, field)` from the request cache. Only non-empty str fields: their hash is
    /// cached and their equality runs no Python, and an empty one is falsy (Frappe answers None,
    /// which the general path does).
    hget, HGET, |_slf, args, nargs| {
        let field = if nargs == 2 { *args.add(1) } else { std::ptr::null_mut() };
        if !field.is_null()
            && ffi::PyUnicode_CheckExact(field) != 0
            && ffi::PyUnicode_GetLength(field) > 0
        {
            text(*args).and_then(|name| hash_hit(name, field))
        } else {
            None
        }
    }
);

entry_point!(
    /// `ClientCache.get_value(key)` from the client cache (outside PyO3's panic guard: a panic
    /// takes the general path instead).
    client_get_value, CLIENT_GET_VALUE, |slf, args, nargs| {
        match if nargs == 1 { text(*args) } else { None } {
            Some(raw) => {
                let py = Python::assume_attached();
                let cache = Bound::from_borrowed_ptr(py, slf);
                let cache = cache.cast_unchecked::<ClientCache>().get();
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| cache.fast_hit(py, raw)))
                    .ok()
                    .flatten()
            }
            None => None,
        }
    }
);
