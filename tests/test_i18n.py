"""Every German catalogue of every app is complete: no empty and no fuzzy entries, and compiled."""

from __future__ import annotations

import ast
import gettext
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".venv", "node_modules", "staticfiles", ".git", "var"}


def german_catalogues() -> list[Path]:
    found = []
    for path in ROOT.rglob("locale/de/LC_MESSAGES/django.po"):
        if not SKIP_DIRS.intersection(path.relative_to(ROOT).parts):
            found.append(path)
    return sorted(found)


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def parse_po(path: Path) -> list[Entry]:
    """A .po reader of its own, not polib, which compiles the catalogues: enough for msgctxt, plurals, flags."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal entry, target
        if entry.msgid or entry.msgstr:
            entries.append(entry)
        entry, target = Entry(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            if entry.msgid or entry.msgstr:
                finish()
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = ast.literal_eval(line)
            assert target is not None, f"{path}: continuation without keyword: {raw!r}"
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, name, (getattr(entry, name) or "") + value)
            continue
        value = ast.literal_eval(rest)
        if keyword == "msgctxt":
            if entry.msgid or entry.msgstr:
                finish()
            entry.msgctxt, target = value, ("msgctxt", 0)
        elif keyword == "msgid":
            if entry.msgstr:
                finish()
            entry.msgid, target = value, ("msgid", 0)
        elif keyword == "msgid_plural":
            entry.msgid_plural, target = value, ("msgid_plural", 0)
        elif keyword == "msgstr":
            entry.msgstr[0], target = value, ("msgstr", 0)
        elif keyword.startswith("msgstr["):
            index = int(keyword[7:-1])
            entry.msgstr[index], target = value, ("msgstr", index)
    finish()
    return [e for e in entries if e.msgid and not e.obsolete]


CATALOGUES = german_catalogues()


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_every_app_has_a_german_catalogue():
    names = {_name(p) for p in CATALOGUES}
    for app in ("", "accounts/", "tandem/", "tandem/audit/", "tandem/notifications/", "mentoring/", "supervision/"):
        assert f"{app}locale/de/LC_MESSAGES/django.po" in names, f"{app or 'project'} has no German catalogue"


@pytest.mark.parametrize("path", CATALOGUES, ids=_name)
def test_german_catalogue_has_no_empty_or_fuzzy_entries(path):
    entries = parse_po(path)
    assert entries, f"{_name(path)} has no entries"
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    empty = [e.msgid for e in entries if not e.msgstr or any(not value for value in e.msgstr.values())]
    assert not fuzzy, f"{_name(path)}: fuzzy entries: {fuzzy[:10]}"
    assert not empty, f"{_name(path)}: untranslated entries: {empty[:10]}"


@pytest.mark.parametrize("path", CATALOGUES, ids=_name)
def test_german_catalogue_is_compiled(path):
    mo = path.with_suffix(".mo")
    assert mo.exists(), f"{_name(path)} is not compiled (run make install)"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in parse_po(path):
        if entry.msgid_plural is not None:
            continue
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if compiled._catalog.get(key) != entry.msgstr.get(0):  # type: ignore[attr-defined]
            stale.append(entry.msgid)
    assert not stale, f"{_name(path)}: the .mo does not match the .po for {stale[:5]}"


def test_python_format_placeholders_survive_translation():
    import re

    placeholder = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")
    problems = []
    for path in CATALOGUES:
        for entry in parse_po(path):
            if entry.msgid_plural is not None:
                continue
            wanted = {m.group(0) for m in placeholder.finditer(entry.msgid)}
            got = {m.group(0) for m in placeholder.finditer(entry.msgstr.get(0, ""))}
            if wanted != got:
                problems.append(f"{_name(path)}: {entry.msgid!r}")
    assert not problems, problems[:10]
