"""Extract and compile every catalogue: one per app, plus the project's for templates/ and tandem/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DJANGO_ADMIN = [sys.executable, "-m", "django"]
# (directory, directories to ignore inside it)
CATALOGUES = [
    # The project catalogue (locale/) holds the shared templates/ only; every app has its own.
    (ROOT, ["accounts", "pairing", "mentoring", "supervision", "tandem", "bench", ".venv", "tests", "scripts", "staticfiles", "var", "docs"]),
    (ROOT / "tandem", ["notifications", "audit", "settings.py"]),
    (ROOT / "accounts", []),
    (ROOT / "pairing", []),
    (ROOT / "mentoring", []),
    (ROOT / "supervision", []),
    (ROOT / "tandem" / "notifications", []),
    (ROOT / "tandem" / "audit", []),
]


def main() -> None:
    """`python scripts/messages.py [accounts|mentoring|...|project]`: all catalogues, or the one named."""
    wanted = sys.argv[1:]
    for directory, ignore in CATALOGUES:
        name = "project" if directory == ROOT else directory.name  # tandem, accounts, notifications...
        if wanted and name not in wanted:
            continue
        (directory / "locale").mkdir(exist_ok=True)
        args = ["makemessages", "-l", "de", "-l", "en", "--no-obsolete", "--no-location"]
        for pattern in ignore:
            args += ["-i", pattern]
        subprocess.run(DJANGO_ADMIN + args, cwd=directory, check=True)
        # compilemessages walks every directory below; keep it out of the virtualenv's packages.
        compile_args = ["compilemessages", "-l", "de", "-l", "en", "-i", ".venv", "-i", "staticfiles", "-i", "var"]
        subprocess.run(DJANGO_ADMIN + compile_args, cwd=directory, check=True)


if __name__ == "__main__":
    main()
