//! The only place values are pickled and unpickled (the decorators' argument digest pickles
//! through `pickle` here too), and where key, field and member arguments become wire bytes.
//!
//! CPython's own `pickle` is the codec of record: bytes we write load with a plain
//! `pickle.loads` in a pure-Python Frappe worker, and any protocol Frappe wrote loads here.

use std::borrow::Cow;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyFloat, PyInt, PyString};

use crate::errors::{CacheError, CacheResult};

/// Frappe v16 writes protocol 5; readers accept every protocol.
const PICKLE_PROTOCOL: u8 = 5;

static DUMPS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .fully_qualified_name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "<unknown>".into())
}

/// `pickle.dumps(value, protocol=5)` with pickle's own exception, for callers that decide what
/// an unpicklable value means (the decorators' argument digest: no key).
pub fn pickle<'py>(value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
    let dumps = DUMPS.import(value.py(), "pickle", "dumps")?;
    Ok(dumps
        .call1((value, PICKLE_PROTOCOL))?
        .cast_into::<PyBytes>()?)
}

/// `pickle.dumps(value, protocol=5)` for a value to store; a value that cannot be pickled is a
/// `SerializationError` naming its type, with pickle's own exception as the cause.
pub fn dumps<'py>(value: &Bound<'py, PyAny>) -> CacheResult<Bound<'py, PyBytes>> {
    let py = value.py();
    match pickle(value) {
        Ok(bytes) => Ok(bytes),
        Err(cause) => {
            let err = CacheError::Serialization(format!(
                "cannot cache a value of type '{}': it cannot be pickled ({}); \
                 cache plain data (dicts, lists, frappe._dict, documents) instead",
                type_name(value),
                cause.value(py)
            ));
            Err(CacheError::Python(with_cause(py, err, cause)))
        }
    }
}

/// `pickle.loads(data)`: runs the pickle, so only ever called on bytes from our own Redis.
pub fn loads<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let loads = LOADS.import(py, "pickle", "loads")?;
    loads.call1((PyBytes::new(py, data),))
}

/// Turns an undecodable stored value into a `SerializationError` (strict) or a logged miss.
pub fn undecodable(py: Python<'_>, key: &[u8], cause: PyErr, strict: bool) -> CacheResult<()> {
    let message = format!(
        "the value stored at {} does not unpickle ({}); treating it as a miss",
        String::from_utf8_lossy(key),
        cause.value(py)
    );
    if strict {
        let err =
            CacheError::Serialization(message.replace("treating it as a miss", "strict=True"));
        return Err(CacheError::Python(with_cause(py, err, cause)));
    }
    let logger = LOGGER.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py
            .import("logging")?
            .call_method1("getLogger", ("frappe_cache",))?
            .unbind())
    })?;
    logger.bind(py).call_method1("warning", (message,))?;
    Ok(())
}

fn with_cause(py: Python<'_>, err: CacheError, cause: PyErr) -> PyErr {
    let err: PyErr = err.into();
    err.set_cause(py, Some(cause));
    err
}

/// A key as Frappe's `f"{db_name}|{key}"` formats it: str as UTF-8, any other object by
/// `format(key)` (`5` is `5`, `None` is `None`, a tuple its repr). Bytes stay as they are
/// (Frappe would write the text `b'...'`, a documented difference).
pub fn key_bytes<'a>(key: &'a Bound<'_, PyAny>) -> CacheResult<Cow<'a, [u8]>> {
    if let Ok(s) = key.cast::<PyString>() {
        return Ok(Cow::Borrowed(s.to_str()?.as_bytes()));
    }
    if let Ok(b) = key.cast::<PyBytes>() {
        return Ok(Cow::Borrowed(b.as_bytes()));
    }
    let empty = PyString::new(key.py(), "");
    // SAFETY: both are live objects and we are attached; the result is a new reference (or NULL
    // with an exception set), which `from_owned_ptr_or_err` takes over.
    let formatted = unsafe {
        Bound::from_owned_ptr_or_err(
            key.py(),
            pyo3::ffi::PyObject_Format(key.as_ptr(), empty.as_ptr()),
        )?
    };
    let text = formatted.cast_into::<PyString>().map_err(PyErr::from)?;
    Ok(Cow::Owned(text.to_str()?.as_bytes().to_vec()))
}

/// A hash field or a list/set member as redis-py encodes it: str as UTF-8, bytes as given,
/// int in decimal, float as `repr`. None and bool are refused, as redis-py refuses them.
pub fn arg_bytes<'a>(value: &'a Bound<'_, PyAny>, what: &str) -> CacheResult<Cow<'a, [u8]>> {
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(Cow::Borrowed(s.to_str()?.as_bytes()));
    }
    if let Ok(b) = value.cast::<PyBytes>() {
        return Ok(Cow::Borrowed(b.as_bytes()));
    }
    if let Ok(b) = value.cast::<PyByteArray>() {
        return Ok(Cow::Owned(b.to_vec()));
    }
    if value.is_instance_of::<pyo3::types::PyBool>() || value.is_none() {
        return Err(CacheError::Type(format!(
            "a {what} must be str, bytes, int or float, not {}; convert it first, e.g. str(value)",
            type_name(value)
        )));
    }
    if value.is_instance_of::<PyInt>() {
        return Ok(Cow::Owned(value.str()?.to_str()?.as_bytes().to_vec()));
    }
    if value.is_instance_of::<PyFloat>() {
        return Ok(Cow::Owned(value.repr()?.to_str()?.as_bytes().to_vec()));
    }
    Err(CacheError::Type(format!(
        "a {what} must be str, bytes, int or float, not {}",
        type_name(value)
    )))
}
