"""Stand-in for ``frappe/auth.py``: how an HTTP request sets its session user.

Frappe's ``LoginManager`` (built by ``HTTPRequest`` on every request) resumes or starts a
session in ``make_session`` and assigns ``frappe.local.session`` **directly**: the session user of
an HTTP request never goes through ``frappe.set_user``. The stand-in's constructor is told the
user instead of reading cookies.
"""

from __future__ import annotations

import frappe


class LoginManager:
    def __init__(self, user: str = "Guest") -> None:
        self.user = user
        self.make_session(resume=True)

    def make_session(self, resume: bool = False) -> None:
        frappe.local.session = frappe._dict(user=self.user, sid=f"sid-{self.user}", data=frappe._dict())

    def login_as(self, user: str) -> None:
        self.user = user
        self.make_session()
