//! One internal error type, and the one place it becomes a Python exception.
//!
//! The Python classes live in `frappe_cache/exceptions.py` (they need multiple inheritance from
//! the standard library's and redis-py's classes, e.g. `CacheConnectionError(CacheError,
//! ConnectionError, redis.exceptions.ConnectionError)`); they are imported once and cached.
//!
//! Error replies are classed as redis-py classes them, so code written against redis-py (and
//! Frappe's policy, which swallows `redis.exceptions.ConnectionError`) behaves the same: `NOAUTH`,
//! `WRONGPASS`, `LOADING` and `ERR max number of clients reached` are connection problems;
//! `READONLY`, `NOPERM`, `OOM`, `NOSCRIPT`, `EXECABORT` get their own response classes.

use std::fmt;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

/// The Python class of an error reply, as redis-py picks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    Plain,
    ReadOnly,
    NoPermission,
    OutOfMemory,
    NoScript,
    ExecAbort,
}

/// The Python class of a connection problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lost {
    /// The socket failed, closed, or the stream made no sense.
    Io,
    /// `NOAUTH`, `WRONGPASS`, `ERR invalid password`: redis-py's `AuthenticationError`.
    Auth,
    /// `LOADING`: redis-py's `BusyLoadingError`.
    Loading,
}

#[derive(Debug)]
pub enum CacheError {
    /// Redis could not be reached, the connection broke, or Redis answered with an error that
    /// redis-py classes as a connection problem: the class Frappe swallows.
    Connection(Lost, String),
    /// No reply within the configured timeout (socket, connect, or a full pool).
    Timeout(String),
    /// Redis answered with an error reply (WRONGTYPE, NOPERM, ...), in redis-py's words.
    Response(Reply, String),
    /// A value could not be pickled, or stored bytes could not be unpickled (strict mode).
    Serialization(String),
    /// A key needed a site or user that neither the request scope nor the wrapper has.
    Scope(String),
    /// Bad configuration (URL, options).
    Config(String),
    /// An argument of the wrong type (a `TypeError` that is also redis-py's `DataError`).
    Type(String),
    /// An exception raised by Python code we called (pickle, a generator), passed through as is.
    Python(PyErr),
}

pub type CacheResult<T> = Result<T, CacheError>;

impl CacheError {
    /// A connection problem (plain I/O).
    pub fn connection(message: impl Into<String>) -> CacheError {
        CacheError::Connection(Lost::Io, message.into())
    }

    /// True for the errors Frappe's wrapper swallows (redis-py `ConnectionError`); timeouts are not.
    pub fn is_connection(&self) -> bool {
        matches!(self, CacheError::Connection(..))
    }

    /// The same error again, for each command of a batch that failed as one (errors from Python
    /// cannot be cloned; they become connection errors with their text).
    pub fn again(&self) -> CacheError {
        match self {
            CacheError::Connection(kind, m) => CacheError::Connection(*kind, m.clone()),
            CacheError::Timeout(m) => CacheError::Timeout(m.clone()),
            CacheError::Response(kind, m) => CacheError::Response(*kind, m.clone()),
            CacheError::Serialization(m) => CacheError::Serialization(m.clone()),
            CacheError::Scope(m) => CacheError::Scope(m.clone()),
            CacheError::Config(m) => CacheError::Config(m.clone()),
            CacheError::Type(m) => CacheError::Type(m.clone()),
            CacheError::Python(e) => CacheError::connection(e.to_string()),
        }
    }

    /// An error reply, classed by its code as redis-py does. `detail` is the text after the code.
    pub fn from_reply(code: &str, detail: &str) -> CacheError {
        // redis-py drops the code from the message of the codes it knows, keeps it otherwise.
        let bare = || detail.to_string();
        match code {
            "ERR" => match detail {
                "max number of clients reached" => CacheError::Connection(Lost::Io, bare()),
                "invalid password" => CacheError::Connection(Lost::Auth, bare()),
                _ => CacheError::Response(Reply::Plain, bare()),
            },
            "NOAUTH" | "WRONGPASS" => CacheError::Connection(Lost::Auth, bare()),
            "LOADING" => CacheError::Connection(Lost::Loading, bare()),
            "READONLY" => CacheError::Response(Reply::ReadOnly, bare()),
            "NOPERM" => CacheError::Response(Reply::NoPermission, bare()),
            "OOM" => CacheError::Response(Reply::OutOfMemory, bare()),
            "NOSCRIPT" => CacheError::Response(Reply::NoScript, bare()),
            "EXECABORT" => CacheError::Response(Reply::ExecAbort, bare()),
            _ if detail.is_empty() => CacheError::Response(Reply::Plain, code.to_string()),
            _ => CacheError::Response(Reply::Plain, format!("{code} {detail}")),
        }
    }
}

impl fmt::Display for CacheError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CacheError::Connection(_, m)
            | CacheError::Timeout(m)
            | CacheError::Response(_, m)
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
            ErrorKind::AuthenticationFailed => {
                CacheError::Connection(Lost::Auth, format!("Redis authentication failed: {err}"))
            }
            ErrorKind::Io | ErrorKind::Parse => {
                CacheError::connection(format!("Redis connection failed: {err}"))
            }
            ErrorKind::InvalidClientConfig => CacheError::Config(err.to_string()),
            _ if err.is_connection_dropped() || err.is_connection_refusal() => {
                CacheError::connection(format!("Redis connection failed: {err}"))
            }
            _ => match err.code() {
                Some(code) => CacheError::from_reply(code, err.detail().unwrap_or("")),
                None => CacheError::Response(Reply::Plain, err.to_string()),
            },
        }
    }
}

const NAMES: [&str; 14] = [
    "CacheError",
    "CacheConnectionError",
    "CacheTimeoutError",
    "SerializationError",
    "ScopeError",
    "CacheResponseError",
    "CacheReadOnlyError",
    "CacheNoPermissionError",
    "CacheOutOfMemoryError",
    "CacheNoScriptError",
    "CacheExecAbortError",
    "CacheAuthenticationError",
    "CacheBusyLoadingError",
    "CacheDataError",
];
static EXCEPTIONS: [PyOnceLock<Py<PyType>>; NAMES.len()] =
    [const { PyOnceLock::new() }; NAMES.len()];

fn raise(py: Python<'_>, name: &str, message: String) -> PyErr {
    let Some(index) = NAMES.iter().position(|n| *n == name) else {
        return pyo3::exceptions::PyRuntimeError::new_err(message);
    };
    match EXCEPTIONS[index].import(py, "frappe_cache.exceptions", NAMES[index]) {
        Ok(cls) => PyErr::from_type(cls.clone(), message),
        Err(import_error) => import_error,
    }
}

impl From<CacheError> for PyErr {
    fn from(err: CacheError) -> PyErr {
        Python::attach(|py| match err {
            CacheError::Response(kind, m) => {
                let name = match kind {
                    Reply::Plain => "CacheResponseError",
                    Reply::ReadOnly => "CacheReadOnlyError",
                    Reply::NoPermission => "CacheNoPermissionError",
                    Reply::OutOfMemory => "CacheOutOfMemoryError",
                    Reply::NoScript => "CacheNoScriptError",
                    Reply::ExecAbort => "CacheExecAbortError",
                };
                raise(py, name, m)
            }
            CacheError::Connection(kind, m) => {
                let name = match kind {
                    Lost::Io => "CacheConnectionError",
                    Lost::Auth => "CacheAuthenticationError",
                    Lost::Loading => "CacheBusyLoadingError",
                };
                raise(py, name, m)
            }
            CacheError::Timeout(m) => raise(py, "CacheTimeoutError", m),
            CacheError::Serialization(m) => raise(py, "SerializationError", m),
            CacheError::Scope(m) => raise(py, "ScopeError", m),
            CacheError::Config(m) => PyValueError::new_err(m),
            CacheError::Type(m) => raise(py, "CacheDataError", m),
            CacheError::Python(e) => e,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_classed_as_redis_py_classes_them() {
        let cases = [
            ("ERR", "max number of clients reached", "conn"),
            ("ERR", "invalid password", "auth"),
            ("NOAUTH", "Authentication required.", "auth"),
            ("WRONGPASS", "invalid username-password pair", "auth"),
            (
                "LOADING",
                "Redis is loading the dataset in memory",
                "loading",
            ),
            (
                "READONLY",
                "You can't write against a read only replica.",
                "readonly",
            ),
            ("NOPERM", "this user has no permissions", "noperm"),
            (
                "OOM",
                "command not allowed when used memory > 'maxmemory'.",
                "oom",
            ),
            (
                "WRONGTYPE",
                "Operation against a key holding the wrong kind of value",
                "plain",
            ),
            ("ERR", "unknown command 'FOO'", "plain"),
        ];
        for (code, detail, want) in cases {
            let got = match CacheError::from_reply(code, detail) {
                CacheError::Connection(Lost::Io, _) => "conn",
                CacheError::Connection(Lost::Auth, _) => "auth",
                CacheError::Connection(Lost::Loading, _) => "loading",
                CacheError::Response(Reply::ReadOnly, _) => "readonly",
                CacheError::Response(Reply::NoPermission, _) => "noperm",
                CacheError::Response(Reply::OutOfMemory, _) => "oom",
                CacheError::Response(Reply::Plain, _) => "plain",
                other => panic!("{code} {detail}: {other:?}"),
            };
            assert_eq!(got, want, "{code} {detail}");
        }
    }

    #[test]
    fn messages_follow_redis_py() {
        // Codes redis-py knows lose their code; others keep it.
        assert_eq!(
            CacheError::from_reply("ERR", "unknown command 'FOO'").to_string(),
            "unknown command 'FOO'"
        );
        assert_eq!(
            CacheError::from_reply("WRONGTYPE", "Operation against a key").to_string(),
            "WRONGTYPE Operation against a key"
        );
    }
}
