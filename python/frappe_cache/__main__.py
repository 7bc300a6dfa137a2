"""``python -m frappe_cache COMMAND``; see ``python -m frappe_cache --help``."""

from frappe_cache._inspect_cli import main

if __name__ == "__main__":
    raise SystemExit(main())
