"""Extract and compile every catalogue: one per app, plus the project's for templates/ and tandem/.

`python scripts/messages.py [accounts|mentoring|...|project]` extracts with Django's makemessages
(needs gettext's xgettext) and compiles. `python scripts/messages.py compile` only compiles, with
polib, every locale/*/LC_MESSAGES/django.po below the repository: `make install` and the image build
run it, so the .mo files are built, never committed, and need no gettext binary.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Never catalogues of ours: installed packages bring their own, and build output is not source.
SKIP_DIRS = {".git", ".venv", "node_modules", "staticfiles", "var"}
# -P: an app directory is the working directory, and its selectors.py must not shadow the standard library.
DJANGO_ADMIN = [sys.executable, "-P", "-m", "django"]
# (directory, directories to ignore inside it)
CATALOGUES = [
    # The project catalogue (locale/) holds the shared templates/ only; every app has its own.
    (ROOT, ["accounts", "pairing", "mentoring", "supervision", "volunteering", "reports", "tandem", "bench", ".venv", "tests", "scripts", "staticfiles", "var", "docs"]),
    (ROOT / "tandem", ["notifications", "audit", "settings.py"]),
    (ROOT / "accounts", []),
    (ROOT / "pairing", []),
    (ROOT / "reports", []),
    (ROOT / "mentoring", []),
    (ROOT / "supervision", []),
    (ROOT / "volunteering", []),
    (ROOT / "tandem" / "notifications", []),
    (ROOT / "tandem" / "audit", []),
]


def catalogues(root: Path = ROOT) -> list[Path]:
    """Every locale/<language>/LC_MESSAGES/django.po below root: a new app is found without a list."""
    found = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [name for name in subdirs if name not in SKIP_DIRS]
        here = Path(directory)
        if "django.po" in files and here.name == "LC_MESSAGES" and here.parent.parent.name == "locale":
            found.append(here / "django.po")
    return sorted(found)


def compile_catalogues(root: Path = ROOT) -> list[Path]:
    """Write django.mo next to every django.po (fuzzy and untranslated entries left out, as msgfmt does)."""
    import polib  # only compiling needs it; it is in the production set, extracting needs Django only

    compiled = []
    for po in catalogues(root):
        mo = po.with_suffix(".mo")
        polib.pofile(str(po)).save_as_mofile(str(mo))
        compiled.append(mo)
    return compiled


def extract(wanted: list[str]) -> None:
    """Run makemessages for every catalogue of CATALOGUES, or the ones named."""
    for directory, ignore in CATALOGUES:
        name = "project" if directory == ROOT else directory.name  # tandem, accounts, notifications...
        if wanted and name not in wanted:
            continue
        (directory / "locale").mkdir(exist_ok=True)
        args = ["makemessages", "-l", "de", "-l", "en", "--no-obsolete", "--no-location"]
        for pattern in ignore:
            args += ["-i", pattern]
        subprocess.run(DJANGO_ADMIN + args, cwd=directory, check=True)


def main() -> None:
    """`compile`: compile every catalogue. Otherwise extract all catalogues, or the ones named, then compile."""
    args = sys.argv[1:]
    if args != ["compile"]:
        extract(args)
    compiled = compile_catalogues()
    print(f"compiled {len(compiled)} message catalogues")


if __name__ == "__main__":
    main()
