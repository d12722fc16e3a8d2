"""The ``fugong`` command: the project's ``manage.py``, installed as a console script."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a Django management command with Fugong's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fugong.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fugong", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
