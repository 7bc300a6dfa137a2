//! frappe-cache: Frappe's Redis cache layer as a native extension.

mod client_cache;
mod codec;
mod decorators;
mod digest;
mod errors;
#[cfg(feature = "fastcall")]
mod fastcall;
mod inspect;
mod keys;
mod reply;
mod request_cache;
mod transport;
mod ttl;
mod wrapper;

use pyo3::prelude::*;

/// Called in the child after `os.fork()` (the package registers it with
/// `os.register_at_fork`): connections and locks inherited from the parent are never used there.
#[pyfunction]
fn _after_fork_in_child() {
    transport::fork::forked();
}

/// Decodes a pickle without executing it: `(kind, preview)`, kind `"opaque"` when it cannot.
#[pyfunction]
#[pyo3(signature = (data, max_len=120))]
fn inspect_pickle(py: Python<'_>, data: &[u8], max_len: usize) -> (String, String) {
    let data = data.to_vec();
    let preview = py.detach(move || inspect::preview(&data, max_len));
    (preview.kind.into_owned(), preview.text)
}

/// `url` with its password replaced by `***`, for messages and logs.
#[pyfunction]
fn mask_password(url: &str) -> String {
    transport::mask_password(url)
}

/// `text` as a Redis glob that matches only itself (`*`, `?`, `[`, `]` and `\\` escaped).
#[pyfunction]
fn glob_escape(text: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    Ok(keys::glob_escape(&codec::arg_bytes(text, "glob text")?))
}

/// Entry points of the `cargo fuzz` targets in fuzz/ (cargo fuzz builds with `--cfg fuzzing`);
/// each panics when an invariant breaks.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing {
    /// The RESP reply reader, fed `data` in read-sized pieces the first two bytes choose.
    pub fn resp_parse(data: &[u8]) {
        crate::transport::fuzz_resp(data);
    }

    /// The pickle walker at a few lengths: never more text than asked for, the same kind at
    /// every length, the same preview every time.
    pub fn pickle_preview(data: &[u8]) {
        let first = crate::inspect::preview(data, 120);
        assert_eq!(
            first,
            crate::inspect::preview(data, 120),
            "not deterministic"
        );
        for max_len in [0, 1, 2, 16, 120, 4096] {
            let preview = crate::inspect::preview(data, max_len);
            let chars = preview.text.chars().count();
            assert!(chars <= max_len, "{chars} chars for max_len {max_len}");
            assert_eq!(
                preview.kind, first.kind,
                "the kind changed with max_len {max_len}"
            );
        }
    }
}

// The request cache and the fast entry points rely on the GIL for their atomicity: on a
// free-threaded build (3.13t/3.14t) importing us turns the GIL back on, as CPython documents.
#[pymodule(gil_used = true)]
mod _native {
    #[pymodule_export]
    use super::_after_fork_in_child;
    #[pymodule_export]
    use super::{glob_escape, inspect_pickle, mask_password};
    #[pymodule_export]
    use crate::client_cache::ClientCache;
    #[pymodule_export]
    use crate::decorators::{
        RedisCached, RequestCached, SiteCached, arg_digest, get_default_cache, set_default_cache,
    };
    #[pymodule_export]
    use crate::request_cache::{
        LocalCache, RequestScope, adopt_local_cache, begin_request, current_site, current_user,
        end_request, local_cache, request_scope, set_scope_site, set_user_resolver,
    };
    #[pymodule_export]
    use crate::wrapper::{ClusterNodes, RedisWrapper, SentinelMaster};

    #[pymodule_init]
    fn init(m: &pyo3::Bound<'_, pyo3::types::PyModule>) -> pyo3::PyResult<()> {
        use pyo3::types::PyModuleMethods;
        #[cfg(feature = "fastcall")]
        crate::fastcall::install(m.py())?;
        // Whether the hand-written entry points are in (`--no-default-features` leaves them out).
        m.add("FASTCALL", cfg!(feature = "fastcall"))?;
        m.add("__version__", env!("CARGO_PKG_VERSION"))
    }
}
