//! frappe-cache: Frappe's Redis cache layer as a native extension.

mod client;
mod codec;
mod decorators;
mod digest;
mod errors;
mod fastcall;
mod hot;
mod inspect;
mod keys;
mod mux;
mod reply;
mod request_cache;
mod resp;
mod wrapper;

use pyo3::prelude::*;

/// Decodes a pickle without executing it: `(kind, preview)`, kind `"opaque"` when it cannot.
#[pyfunction]
#[pyo3(signature = (data, max_len=120))]
fn inspect_pickle(py: Python<'_>, data: &[u8], max_len: usize) -> (String, String) {
    let data = data.to_vec();
    let preview = py.detach(move || inspect::preview(&data, max_len));
    (preview.kind.into_owned(), preview.text)
}

#[pymodule]
mod _native {
    #[pymodule_export]
    use super::inspect_pickle;
    #[pymodule_export]
    use crate::client::_after_fork_in_child;
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
    use crate::wrapper::RedisWrapper;

    #[pymodule_init]
    fn init(m: &pyo3::Bound<'_, pyo3::types::PyModule>) -> pyo3::PyResult<()> {
        use pyo3::types::PyModuleMethods;
        crate::decorators::enable_vectorcall(m.py())?;
        crate::hot::install(m.py())?;
        m.add("__version__", env!("CARGO_PKG_VERSION"))
    }
}
