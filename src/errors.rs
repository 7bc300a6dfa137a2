//! One internal error type, and the one place it becomes a Python exception.
//!
//! The Python classes live in `frappe_cache/exceptions.py` (they need stdlib multiple
//! inheritance, e.g. `CacheConnectionError(CacheError, ConnectionError)`); they are imported once
//! and cached.

use std::fmt;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

#[derive(Debug)]
pub enum CacheError {
    /// Redis could not be reached or the connection broke: the class Frappe swallows.
    Connection(String),
    /// No reply within the configured timeout (socket, connect, or a full pool).
    Timeout(String),
    /// Redis answered with an error reply (WRONGTYPE, NOPERM, ...).
    Response(String),
    /// A value could not be pickled, or stored bytes could not be unpickled (strict mode).
    Serialization(String),
    /// A key needed a site or user that neither the request scope nor the wrapper has.
    Scope(String),
    /// Bad configuration (URL, options).
    Config(String),
    /// An argument of the wrong type.
    Type(String),
    /// An exception raised by Python code we called (pickle, a generator), passed through as is.
    Python(PyErr),
}

pub type CacheResult<T> = Result<T, CacheError>;

impl CacheError {
    /// True for the errors Frappe's wrapper swallows (redis-py `ConnectionError`); timeouts are not.
    pub fn is_connection(&self) -> bool {
        matches!(self, CacheError::Connection(_))
    }
}

impl fmt::Display for CacheError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CacheError::Connection(m)
            | CacheError::Timeout(m)
            | CacheError::Response(m)
            | CacheError::Serialization(m)
            | CacheError::Scope(m)
            | CacheError::Config(m)
            | CacheError::Type(m) => f.write_str(m),
            CacheError::Python(e) => write!(f, "{e}"),
        }
    }
}

impl From<PyErr> for CacheError {
    fn from(err: PyErr) -> Self {
        CacheError::Python(err)
    }
}

impl From<redis::RedisError> for CacheError {
    fn from(err: redis::RedisError) -> Self {
        use redis::ErrorKind;
        if err.is_timeout() {
            return CacheError::Timeout(format!("Redis did not answer in time: {err}"));
        }
        match err.kind() {
            ErrorKind::Io
            | ErrorKind::AuthenticationFailed
            | ErrorKind::Server(redis::ServerErrorKind::BusyLoading)
            | ErrorKind::Parse => CacheError::Connection(format!("Redis connection failed: {err}")),
            ErrorKind::InvalidClientConfig => CacheError::Config(err.to_string()),
            _ if err.is_connection_dropped() || err.is_connection_refusal() => {
                CacheError::Connection(format!("Redis connection failed: {err}"))
            }
            // Redis' own words, as redis-py shows them: "WRONGTYPE Operation against ...",
            // and a plain ERR without its code.
            _ => CacheError::Response(match (err.code(), err.detail()) {
                (Some("ERR") | None, Some(detail)) => detail.to_string(),
                (Some(code), Some(detail)) => format!("{code} {detail}"),
                _ => err.to_string(),
            }),
        }
    }
}

static EXCEPTIONS: [PyOnceLock<Py<PyType>>; 5] = [const { PyOnceLock::new() }; 5];
const NAMES: [&str; 5] = [
    "CacheError",
    "CacheConnectionError",
    "CacheTimeoutError",
    "SerializationError",
    "ScopeError",
];

fn exception_class(py: Python<'_>, index: usize) -> PyResult<&Bound<'_, PyType>> {
    EXCEPTIONS[index].import(py, "frappe_cache.exceptions", NAMES[index])
}

fn raise(py: Python<'_>, index: usize, message: String) -> PyErr {
    match exception_class(py, index) {
        Ok(cls) => PyErr::from_type(cls.clone(), message),
        Err(import_error) => import_error,
    }
}

impl From<CacheError> for PyErr {
    fn from(err: CacheError) -> PyErr {
        Python::attach(|py| match err {
            CacheError::Response(m) => raise(py, 0, m),
            CacheError::Connection(m) => raise(py, 1, m),
            CacheError::Timeout(m) => raise(py, 2, m),
            CacheError::Serialization(m) => raise(py, 3, m),
            CacheError::Scope(m) => raise(py, 4, m),
            CacheError::Config(m) => PyValueError::new_err(m),
            CacheError::Type(m) => PyTypeError::new_err(m),
            CacheError::Python(e) => e,
        })
    }
}
