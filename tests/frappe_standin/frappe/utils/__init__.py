"""Stand-in for ``frappe.utils`` (only the submodules the cache layer touches)."""
