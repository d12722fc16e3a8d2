#!/usr/bin/env python3
"""Quick start for Fugong: `python3 dev.py demo` or `python3 dev.py test`.

Needs only Python 3.11. Creates ./.venv, installs the project with its test tools (again only
when pyproject.toml changes), then either seeds the demo and serves it on 127.0.0.1:8000, or
runs the whole suite (ruff, mypy, pytest including the browser tests). Browser tests drive
Debian's /usr/bin/chromium; when it is missing and we may use apt, it is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
STAMP = VENV / ".fugong-installed"
# libpango*: WeasyPrint (PDF notices); poppler-utils: pdftotext, with which the tests read those PDFs.
APT_PACKAGES = ["chromium", "fonts-noto-cjk", "gettext", "libpango-1.0-0", "libpangoft2-1.0-0", "poppler-utils"]


def run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    result = subprocess.run(  # noqa: S603 - fixed argument lists, no shell
       [str(a) for a in args], check=False, cwd=ROOT, env={**os.environ, **(env or {})})
    if result.returncode:
        # The step's own output says what failed; a Python traceback here would only hide it.
        sys.exit(f"dev.py: {Path(str(args[0])).name} failed (exit {result.returncode})")


def ensure_venv() -> None:
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        venv.create(VENV, with_pip=True)
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", ".[test]")
    STAMP.write_text(wanted)


def ensure_browser() -> None:
    """Chromium and CJK fonts for the browser tests (apt, when we are root and it is missing)."""
    missing = [p for p in APT_PACKAGES if not Path(f"/usr/share/doc/{p}").exists()]
    if not missing:
        return
    if shutil.which("apt-get") and os.geteuid() == 0:
        run("apt-get", "update", "-qq")
        run("apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing, env={"DEBIAN_FRONTEND": "noninteractive"})
    elif not Path("/usr/bin/chromium").exists():
        sys.exit("The browser tests need /usr/bin/chromium: install the Debian packages " + " ".join(missing))


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    if command == "demo":
        ensure_venv()
        run(BIN / "fugong", "demo", *sys.argv[2:])
    elif command == "test":
        ensure_venv()
        ensure_browser()
        env = {"FUGONG_ENV": "test"}
        run(BIN / "ruff", "check", "src", "tests", "dev.py")
        run(BIN / "mypy", env=env)
        # One test process per core (pytest-xdist), the browser tests together in one of them.
        parallel = ["-n", str(min(os.cpu_count() or 1, 4)), "--dist", "loadgroup"] if not any(a.startswith("-n") for a in sys.argv[2:]) else []
        run(BIN / "pytest", *parallel, *sys.argv[2:], env=env)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
