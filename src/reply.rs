//! Redis replies as Python objects, the way redis-py hands them back before its per-command
//! callbacks: bulk and status strings as `bytes`, integers as `int`, nil as `None`, arrays as
//! `list`.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PySet};
use redis::Value;

use crate::errors::CacheError;

pub fn to_python(py: Python<'_>, value: Value) -> PyResult<Bound<'_, PyAny>> {
    Ok(match value {
        Value::Nil => py.None().into_bound(py),
        Value::Int(i) => i.into_pyobject(py)?.into_any(),
        Value::BulkString(b) => PyBytes::new(py, &b).into_any(),
        // Status replies as bytes, as redis-py returns them before its callbacks.
        Value::Okay => PyBytes::new(py, b"OK").into_any(),
        Value::SimpleString(s) => PyBytes::new(py, s.as_bytes()).into_any(),
        Value::Array(items) | Value::Push { data: items, .. } => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_python(py, item)?)?;
            }
            list.into_any()
        }
        Value::Set(items) => {
            let set = PySet::empty(py)?;
            for item in items {
                set.add(to_python(py, item)?)?;
            }
            set.into_any()
        }
        Value::Map(pairs) => {
            let dict = PyDict::new(py);
            for (k, v) in pairs {
                dict.set_item(to_python(py, k)?, to_python(py, v)?)?;
            }
            dict.into_any()
        }
        Value::Attribute { data, .. } => to_python(py, *data)?,
        Value::Double(f) => f.into_pyobject(py)?.into_any(),
        Value::Boolean(b) => pyo3::types::PyBool::new(py, b).to_owned().into_any(),
        Value::VerbatimString { text, .. } => text.into_pyobject(py)?.into_any(),
        // RESP3 only (our connections speak RESP2): still, a malformed number is the stream's
        // fault, a connection error, never a bare ValueError.
        Value::BigNumber(n) => {
            let text = String::from_utf8_lossy(&n).into_owned();
            let valid = text
                .strip_prefix('-')
                .unwrap_or(&text)
                .bytes()
                .all(|b| b.is_ascii_digit());
            if text.is_empty() || text == "-" || !valid {
                return Err(CacheError::connection(format!(
                    "Redis connection failed: protocol error: a malformed big number {text:?}"
                ))
                .into());
            }
            py.import("builtins")?.getattr("int")?.call1((text,))?
        }
        // Inside a pipeline's results an error reply is a value: return the exception, unraised.
        Value::ServerError(err) => {
            let err: PyErr = CacheError::from(redis::RedisError::from(err)).into();
            err.into_value(py).into_bound(py).into_any()
        }
        // `Value` is non-exhaustive with some redis-rs feature sets: show anything new as text.
        #[allow(unreachable_patterns)]
        other => format!("{other:?}").into_pyobject(py)?.into_any(),
    })
}
