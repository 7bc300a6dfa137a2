//! Frappe's argument conventions, read once: who a key belongs to (`user=`), flags by
//! truthiness, a one-or-many `keys` argument, and a raw command's words.

use std::borrow::Cow;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyInt, PyString, PyTuple};
use redis::Cmd;

use crate::codec;
use crate::errors::{CacheError, CacheResult};
use crate::request_cache;

/// Who a key belongs to: Frappe's `user=` argument.
#[derive(Clone)]
pub(crate) enum User<'a> {
    Nobody,
    /// `user=True`: the current request's user.
    Current,
    Named(Cow<'a, str>),
}

impl<'a> User<'a> {
    /// As Frappe reads it: a falsy value is nobody, `True` itself the current user, anything
    /// else formatted into the key (`user=7` is `user:7:`).
    pub(crate) fn from_arg(user: Option<&'a Bound<'_, PyAny>>) -> CacheResult<User<'a>> {
        let Some(user) = user else {
            return Ok(User::Nobody);
        };
        if let Ok(name) = user.cast::<PyString>() {
            let name = name.to_str()?;
            return Ok(if name.is_empty() {
                User::Nobody
            } else {
                User::Named(Cow::Borrowed(name))
            });
        }
        if user.is(PyBool::new(user.py(), true)) {
            return Ok(User::Current);
        }
        if !user.is_truthy()? {
            return Ok(User::Nobody);
        }
        let text = codec::key_bytes(user)?;
        Ok(User::Named(Cow::Owned(
            String::from_utf8_lossy(&text).into_owned(),
        )))
    }
}

impl User<'_> {
    /// The user name the key is built with (`None`: no user part), `User::Current` resolved
    /// against the request scope (or the resolver Frappe's hook installs).
    pub(crate) fn resolve(&self, py: Python<'_>) -> CacheResult<Option<Cow<'_, str>>> {
        Ok(match self {
            User::Nobody => None,
            User::Named(u) => Some(Cow::Borrowed(u.as_ref())),
            User::Current => Some(Cow::Owned(
                request_cache::current_user_name(py)?.ok_or_else(no_current_user)?,
            )),
        })
    }
}

/// A flag argument read as Frappe reads it: by truthiness (`shared=None` is false, `1` true).
#[derive(Clone, Copy)]
pub(crate) struct Flag(pub bool);

impl FromPyObject<'_, '_> for Flag {
    type Error = PyErr;

    fn extract(obj: pyo3::Borrowed<'_, '_, PyAny>) -> PyResult<Self> {
        match obj.cast::<PyBool>() {
            Ok(b) => Ok(Flag(b.is_true())),
            Err(_) => Ok(Flag(obj.is_truthy()?)),
        }
    }
}

/// The elements of a `keys`/`names` argument: a str, bytes or int is one key; any other
/// iterable (list, tuple, set, dict view, generator) is many; anything else is one key.
pub(crate) fn many<'py>(arg: &Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if arg.is_instance_of::<PyString>()
        || arg.is_instance_of::<PyBytes>()
        || arg.is_instance_of::<PyInt>()
    {
        return Ok(vec![arg.clone()]);
    }
    match arg.try_iter() {
        Ok(items) => items.collect(),
        Err(_) => Ok(vec![arg.clone()]),
    }
}

/// A raw command from Python arguments, encoded as redis-py encodes them. A first argument
/// with spaces is a multi-word command name (`"CLIENT ID"`), as redis-py splits it.
pub(super) fn command_from(args: &Bound<'_, PyTuple>) -> CacheResult<Cmd> {
    let mut parts = args.iter();
    let Some(name) = parts.next() else {
        return Err(CacheError::Type(
            "execute_command needs a command name".into(),
        ));
    };
    let mut cmd = Cmd::new();
    let name = codec::arg_bytes(&name, "command name")?;
    for word in name
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
    {
        cmd.arg(word);
    }
    for arg in parts {
        cmd.arg(codec::arg_bytes(&arg, "command argument")?.as_ref());
    }
    Ok(cmd)
}

fn no_current_user() -> CacheError {
    CacheError::Scope(
        "user=True means the current request's user, but no request scope with a user is open \
         on this thread: use request_scope(site, user=...) or pass the user name"
            .into(),
    )
}
