//! Vectorcall for the decorated-function objects.
//!
//! A `#[pyclass]` with `__call__` is called through `tp_call`, which packs every call's
//! arguments into a fresh tuple (and dict): that packing is most of the cost of a repeated
//! `@redis_cache` / `@request_cache` hit. CPython's vectorcall protocol passes the arguments as
//! a C array instead, but PyO3 cannot declare it for a class. So each decorated object keeps a
//! vectorcall function pointer in a field, and at import [`enable`] points the type's
//! `tp_vectorcall_offset` at that field (measured on a real instance) and sets
//! `Py_TPFLAGS_HAVE_VECTORCALL`. The function runs inside PyO3's own fastcall trampoline, which
//! does the interpreter bookkeeping and turns errors and panics into exceptions. `tp_call` (the
//! `__call__` method) stays, and gives the same results.

use pyo3::ffi;
use pyo3::impl_::trampoline::fastcall_cfunction_with_keywords as fastcall;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple, PyType};

/// What a decorated class implements: its call, with the vectorcall arguments as they come.
pub type Body = fastcall::Func;

/// The C entry point for `M`, as the `vectorcallfunc` the type slot expects.
pub fn entry<M: pyo3::impl_::trampoline::MethodDef<Body>>() -> ffi::vectorcallfunc {
    let f: unsafe extern "C" fn(
        *mut ffi::PyObject,
        *const *mut ffi::PyObject,
        ffi::Py_ssize_t,
        *mut ffi::PyObject,
    ) -> *mut ffi::PyObject = fastcall::<M>;
    // SAFETY: the same C signature but for the signedness of the count argument (`size_t`
    // vs `Py_ssize_t`, one register either way); the body reads it with PyVectorcall_NARGS.
    unsafe { std::mem::transmute(f) }
}

/// Makes instances of `ty` vectorcall-able through their `field`, which holds [`entry`].
///
/// # Safety
/// `instance` is an instance of `ty`, `field` points inside it at a `vectorcallfunc` that every
/// instance initialises, and `ty` has no subclasses.
pub unsafe fn enable(
    ty: &Bound<'_, PyType>,
    instance: &Bound<'_, PyAny>,
    field: *const ffi::vectorcallfunc,
) {
    let offset = field as isize - instance.as_ptr() as isize;
    let tp = ty.as_type_ptr();
    unsafe {
        (*tp).tp_vectorcall_offset = offset;
        (*tp).tp_flags |= ffi::Py_TPFLAGS_HAVE_VECTORCALL;
        ffi::PyType_Modified(tp);
    }
}

/// The positional arguments of a vectorcall.
///
/// # Safety
/// `args` and `nargsf` are a vectorcall's own.
pub unsafe fn positional<'a>(
    args: *const *mut ffi::PyObject,
    nargsf: ffi::Py_ssize_t,
) -> &'a [*mut ffi::PyObject] {
    let n = unsafe { ffi::PyVectorcall_NARGS(nargsf as usize) } as usize;
    if n == 0 {
        &[]
    } else {
        unsafe { std::slice::from_raw_parts(args, n) }
    }
}

/// A vectorcall's arguments as `(args, kwargs)`, for the general path.
///
/// # Safety
/// `args`, `nargsf` and `kwnames` are a vectorcall's own.
pub unsafe fn unpack<'py>(
    py: Python<'py>,
    args: *const *mut ffi::PyObject,
    nargsf: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> PyResult<(Bound<'py, PyTuple>, Option<Bound<'py, PyDict>>)> {
    let positional = unsafe { positional(args, nargsf) };
    let items = positional
        .iter()
        .map(|&p| unsafe { Bound::from_borrowed_ptr(py, p) });
    let tuple = PyTuple::new(py, items)?;
    if kwnames.is_null() {
        return Ok((tuple, None));
    }
    let names = unsafe { Bound::from_borrowed_ptr(py, kwnames) }.cast_into::<PyTuple>()?;
    let kwargs = PyDict::new(py);
    for (i, name) in names.iter().enumerate() {
        let value = unsafe { Bound::from_borrowed_ptr(py, *args.add(positional.len() + i)) };
        kwargs.set_item(name, value)?;
    }
    Ok((tuple, Some(kwargs)))
}
