"""Stand-in for how ``frappe/utils/background_jobs.py`` runs a job: init, connect, set_user, destroy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import frappe


def execute_job(
    site: str, method: Callable[..., Any], user: str | None = None, kwargs: dict[str, Any] | None = None
) -> Any:
    frappe.init(site, force=True, is_job=True)
    frappe.connect()
    if user:
        frappe.set_user(user)
    try:
        return method(**(kwargs or {}))
    finally:
        frappe.destroy()
