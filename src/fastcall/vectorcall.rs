//! Vectorcall for the decorated-function objects (`@redis_cache`, `@request_cache`).
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

use pyo3::PyClass;
use pyo3::ffi;
use pyo3::impl_::trampoline::fastcall_cfunction_with_keywords as fastcall;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple, PyType};

use crate::decorators::{REDIS_CACHED_ENTRY, REQUEST_CACHED_ENTRY, RedisCached, RequestCached};
use crate::wrapper::Flag;

/// What a decorated class implements: its call, with the vectorcall arguments as they come.
pub type Body = fastcall::Func;

/// The C entry point for `M`, as the `vectorcallfunc` the type slot expects.
fn entry<M: pyo3::impl_::trampoline::MethodDef<Body>>() -> ffi::vectorcallfunc {
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
/// `instance` is an instance of `ty`, `field` points inside it at a nullable `vectorcallfunc`
/// (`Option<fn>` has C's layout for it) that every instance initialises, and `ty` has no
/// subclasses. CPython treats a null one as "no vectorcall" and calls `tp_call`.
unsafe fn enable(
    ty: &Bound<'_, PyType>,
    instance: &Bound<'_, PyAny>,
    field: *const Option<ffi::vectorcallfunc>,
) {
    let offset = field as isize - instance.as_ptr() as isize;
    let tp = ty.as_type_ptr();
    // SAFETY: `ty` is a live heap type with no subclasses and every instance sets the field at
    // `offset` (the caller's contract); PyType_Modified drops the attribute caches.
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
unsafe fn positional<'a>(
    args: *const *mut ffi::PyObject,
    nargsf: ffi::Py_ssize_t,
) -> &'a [*mut ffi::PyObject] {
    // SAFETY: `nargsf` is the vectorcall's own (the caller's contract).
    let n = unsafe { ffi::PyVectorcall_NARGS(nargsf as usize) } as usize;
    if n == 0 {
        &[]
    } else {
        // SAFETY: a vectorcall's `args` holds at least `n` live references for the call.
        unsafe { std::slice::from_raw_parts(args, n) }
    }
}

/// A vectorcall's arguments as `(args, kwargs)`, for the general path.
///
/// # Safety
/// `args`, `nargsf` and `kwnames` are a vectorcall's own.
unsafe fn unpack<'py>(
    py: Python<'py>,
    args: *const *mut ffi::PyObject,
    nargsf: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> PyResult<(Bound<'py, PyTuple>, Option<Bound<'py, PyDict>>)> {
    // SAFETY: the caller passes a vectorcall's own arguments.
    let positional = unsafe { positional(args, nargsf) };
    let items = positional
        .iter()
        // SAFETY: each argument is a live reference the caller holds for the call.
        .map(|&p| unsafe { Bound::from_borrowed_ptr(py, p) });
    let tuple = PyTuple::new(py, items)?;
    if kwnames.is_null() {
        return Ok((tuple, None));
    }
    // SAFETY: a non-null `kwnames` is the call's live tuple of keyword names.
    let names = unsafe { Bound::from_borrowed_ptr(py, kwnames) }.cast_into::<PyTuple>()?;
    let kwargs = PyDict::new(py);
    for (i, name) in names.iter().enumerate() {
        // SAFETY: keyword values follow the positional ones, one per name in `kwnames`.
        let value = unsafe { Bound::from_borrowed_ptr(py, *args.add(positional.len() + i)) };
        kwargs.set_item(name, value)?;
    }
    Ok((tuple, Some(kwargs)))
}

/// A decorator class's two ways to answer a vectorcall.
pub trait Vectorcalled: PyClass<Frozen = pyo3::pyclass::boolean_struct::True> + Sync {
    /// A hit answered from the arguments as they come (no keywords); `None`: take `call`.
    fn fast_hit(&self, py: Python<'_>, argv: &[*mut pyo3::ffi::PyObject]) -> Option<Py<PyAny>>;
    /// The general path, with the arguments packed as `__call__` gets them.
    fn call(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>>;
}

impl Vectorcalled for RedisCached {
    fn fast_hit(&self, py: Python<'_>, argv: &[*mut pyo3::ffi::PyObject]) -> Option<Py<PyAny>> {
        RedisCached::fast_hit(self, py, argv)
    }

    fn call(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        Ok(self.__call__(py, args, kwargs)?)
    }
}

impl Vectorcalled for RequestCached {
    fn fast_hit(&self, py: Python<'_>, argv: &[*mut pyo3::ffi::PyObject]) -> Option<Py<PyAny>> {
        RequestCached::fast_hit(self, py, argv)
    }

    fn call(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        self.__call__(py, args, kwargs)
    }
}

struct Call<T>(std::marker::PhantomData<T>);

impl<T: Vectorcalled> pyo3::impl_::trampoline::MethodDef<Body> for Call<T> {
    const METH: Body = vectorcall::<T>;
}

/// # Safety
/// Called by CPython's vectorcall on a `T` with the interpreter attached.
unsafe fn vectorcall<T: Vectorcalled>(
    py: Python<'_>,
    slf: *mut pyo3::ffi::PyObject,
    args: *const *mut pyo3::ffi::PyObject,
    nargsf: pyo3::ffi::Py_ssize_t,
    kwnames: *mut pyo3::ffi::PyObject,
) -> PyResult<*mut pyo3::ffi::PyObject> {
    // SAFETY: CPython calls this slot only on instances of the type that carries it.
    let this = unsafe { Bound::from_borrowed_ptr(py, slf).cast_into_unchecked::<T>() };
    let this = this.get();
    if kwnames.is_null() {
        // SAFETY: CPython passes the call's own arguments.
        let argv = unsafe { positional(args, nargsf) };
        if let Some(hit) = this.fast_hit(py, argv) {
            return Ok(hit.into_ptr());
        }
    }
    // SAFETY: as above, the call's own arguments.
    let (args, kwargs) = unsafe { unpack(py, args, nargsf, kwnames) }?;
    Ok(this.call(py, &args, kwargs.as_ref())?.into_ptr())
}

/// Turns vectorcall on for the decorator classes; called once, at import, before any instance
/// exists (instances made earlier would keep an empty field and take `__call__`, still correct).
pub fn install(py: Python<'_>) -> PyResult<()> {
    // A second import in one process (subinterpreters aside, only a reload) finds them set.
    let _ = REDIS_CACHED_ENTRY.set(entry::<Call<RedisCached>>());
    let _ = REQUEST_CACHED_ENTRY.set(entry::<Call<RequestCached>>());
    let probe = py.import("builtins")?.getattr("len")?;
    let redis_cached = Bound::new(
        py,
        RedisCached::new(&probe, None, None, Flag(false), None, false)?,
    )?;
    let request_cached = Bound::new(py, RequestCached::new(&probe)?)?;
    // SAFETY: each probe is an instance of its (final) type, and every instance sets the field.
    unsafe {
        enable(
            &py.get_type::<RedisCached>(),
            redis_cached.as_any(),
            &redis_cached.get().vectorcall,
        );
        enable(
            &py.get_type::<RequestCached>(),
            request_cached.as_any(),
            &request_cached.get().vectorcall,
        );
    }
    Ok(())
}
