"""What every browser test shares: a person at a browser whose every page is checked, and the mailbox.

``Person.arrive()`` runs after each page load: the page must be in the person's language (``<html lang>``
and no visible words of the other language), axe-core must report no WCAG 2.2 A/AA violation (2.0 and 2.1 included), and the
browser must not have logged an error (a CSP violation, a missing file). A load that was never checked
fails the test at its end, so "axe on every page visited" is enforced, not hoped for.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import re
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Locator, Page, Response

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1100, "height": 760}
PHONE_WIDTH = 360
PHONE = {"width": PHONE_WIDTH, "height": 740}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE = Axe()
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
# The page's markup without what changes on every load (CSRF tokens): identical markup at the same
# viewport gives identical axe results, so a page seen again (the sign-in page) is not analysed twice.
MARKUP_JS = """
() => {
  const copy = document.documentElement.cloneNode(true);
  copy.querySelectorAll('input[name=csrfmiddlewaretoken]').forEach(i => i.removeAttribute('value'));
  return copy.outerHTML;
}
"""
AXE_VERIFIED: set[str] = set()

# Words that give away an untranslated string. Case-sensitive and whole words only, so names typed by
# people ("Maria Sie...") are unlikely to trip them; words that exist in both languages are left out.
ENGLISH_ON_GERMAN_PAGE = re.compile(
    r"\b(the|and|your|you|please|with|this|that|has|have|been|were|are|is|not|from|here|there|which|who|what|"
    r"when|can|of|to|on|at|by|or|Save|Cancel|Send|Submit|Sign in|Sign In|Sign out|Sign Out|Log in|Password|Invite|"
    r"Invitation|Invitations|Welcome|Settings|Profile|Notifications|Language|Switch|Back|Previous|Delete|Remove|"
    r"Edit|Create|Confirm|Search|Skip|Forgot|Remember|Email|Yes|None|People|Professional|"
    r"Team lead|Nothing|Hello|Accept|Decline|Propose|Assign|Mentor assignment|Message|Reply|"
    r"Attendance|Group|Series|Poll|Answer)\b"
)
GERMAN_ON_ENGLISH_PAGE = re.compile(
    r"\b(und|oder|nicht|bitte|Bitte|Ihr|Ihre|Sie|für|wurde|werden|mit|der|die|das|ein|eine|zu|auf|Speichern|"
    r"Abbrechen|Anmelden|Abmelden|Einladung|Einladungen|Passwort|Willkommen|Benachrichtigungen|Sprache|Profil|"
    r"Genesungsbegleiter\S*|Fachkraft|Teamleitung|Hallo|Bestätigen|Zurück|Weiter|Keine|Nichts)\b"
)

# The text a reader meets: text nodes and the accessible names in attributes, without parts that
# declare another language (the language switch says "English" on a German page) and without hidden parts.
VISIBLE_TEXT_JS = """
() => {
  const pageLang = document.documentElement.lang;
  const parts = [document.title];
  const ownLanguage = (el) => { const l = el.closest('[lang]'); return !l || l.lang === pageLang; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const el = node.parentElement;
    if (!el || el.closest('script,style,template,[hidden],[aria-hidden="true"]')) continue;
    if (ownLanguage(el)) parts.push(node.textContent);
  }
  for (const el of document.body.querySelectorAll('[aria-label],[title],[placeholder],[alt],input[type=submit],input[type=button]')) {
    if (!ownLanguage(el)) continue;
    for (const a of ['aria-label', 'title', 'placeholder', 'alt', 'value']) {
      if (el.hasAttribute(a) && (a !== 'value' || el.matches('input[type=submit],input[type=button]'))) parts.push(el.getAttribute(a));
    }
  }
  return parts.join('\\n');
}
"""

# Header cells narrower than their longest word ("Tea|m" broken over two lines). Cells clipped away
# (the head of a table shown as cards, still there for screen readers) are not seen, so not measured.
BROKEN_HEADER_WORDS_JS = """
() => {
  const ctx = document.createElement('canvas').getContext('2d');
  const clipped = (el) => {
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility === 'hidden') return true;
      if (cs.clip && cs.clip !== 'auto' && e.getBoundingClientRect().width <= 1) return true;
    }
    return false;
  };
  const found = [];
  for (const th of document.querySelectorAll('th')) {
    const box = th.getBoundingClientRect();
    if (box.width === 0 || clipped(th)) continue;
    const cs = getComputedStyle(th);
    ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
    const room = box.width - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - parseFloat(cs.borderLeftWidth) - parseFloat(cs.borderRightWidth);
    for (const word of th.innerText.split(/\\s+/)) {
      const need = ctx.measureText(word).width;
      if (word && need > room + 1) found.push(`header cell ${JSON.stringify(th.innerText.trim())}: ${Math.round(room)}px for the word ${JSON.stringify(word)} (${Math.round(need)}px)`);
    }
  }
  return found;
}
"""


def today() -> dt.date:
    """Today where the people in the tests live (their profiles say Europe/Berlin)."""
    return dt.datetime.now(ZoneInfo("Europe/Berlin")).date()


class PageProblem(AssertionError):
    pass


def untranslated(text: str, lang: str) -> list[str]:
    """Snippets of ``text`` in the other language, with some context around each hit."""
    pattern = ENGLISH_ON_GERMAN_PAGE if lang == "de" else GERMAN_ON_ENGLISH_PAGE
    hits = []
    for match in pattern.finditer(text):
        start, end = max(0, match.start() - 30), min(len(text), match.end() + 30)
        hits.append(f"{match.group(0)!r} in …{text[start:end]!r}…".replace("\\n", " "))
    return hits


@dataclass
class LoadTracker:
    """Every page load of a person must be followed by ``arrive()`` before the next one."""

    unchecked: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def loaded(self, url: str) -> None:
        self.missed.extend(self.unchecked)
        self.unchecked = [url]


class Person:
    """Someone at a browser: a context of their own (cookies, language), one tab, every page checked."""

    def __init__(self, context: BrowserContext, *, base_url: str, lang: str, label: str, shots: set[str]) -> None:
        self.context = context
        self.base_url = base_url.rstrip("/")
        self.lang = lang
        self.label = label
        self.shots = shots
        context.add_init_script(script=AXE.axe_script)
        self.page: Page = context.new_page()
        self.tracker = LoadTracker()
        self.page.on("load", lambda page: self.tracker.loaded(page.url))
        self.page.on("console", self._console)
        self.page.on("response", self._response)
        self.page.on("pageerror", lambda error: self.tracker.errors.append(f"script error: {error}"))

    def _console(self, message: Any) -> None:
        # A page answered with 404 or 422 (a form with errors) is logged as a failed resource too;
        # failed subresources are caught in _response instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.tracker.errors.append(f"console error: {message.text}")

    def _response(self, response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.tracker.errors.append(f"{response.status} for {response.url}")

    # --- moving around -------------------------------------------------------------------

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base_url + path

    def goto(self, path: str, *, shot: str | None = None, phone: bool = False) -> Response:
        response = self.page.goto(self.url(path))
        assert response is not None
        self.arrive(shot=shot, phone=phone)
        return response

    def click_and_arrive(self, target: Locator, *, shot: str | None = None, phone: bool = False) -> Page:
        """Click something that loads a new page (a link, a submit button) and check that page."""
        with self.page.expect_navigation(wait_until="load"):
            target.click()
        self.arrive(shot=shot, phone=phone)
        return self.page

    def press_and_arrive(self, key: str, *, shot: str | None = None) -> Page:
        with self.page.expect_navigation(wait_until="load"):
            self.page.keyboard.press(key)
        self.arrive(shot=shot)
        return self.page

    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    def text(self) -> str:
        return self.page.locator("main").inner_text()

    # --- the checks on every page ----------------------------------------------------------

    def arrive(self, *, shot: str | None = None, phone: bool = False) -> None:
        page = self.page
        page.wait_for_load_state("load")
        where = f"{self.label} on {self.path()}"
        problems: list[str] = []
        lang = page.evaluate("document.documentElement.lang")
        if lang != self.lang:
            problems.append(f"page language is {lang!r}, {self.label} reads {self.lang!r}")
        else:
            problems += [f"untranslated: {hit}" for hit in untranslated(page.evaluate(VISIBLE_TEXT_JS), self.lang)]
        problems += self.axe()
        problems += self.tracker.errors
        self.tracker.errors = []
        if shot:
            self.screenshot(shot)
        if phone:
            problems += self.check_phone(shot)
        self.tracker.unchecked = []
        if problems:
            raise PageProblem(f"{where}:\n" + "\n".join(problems))

    def axe(self) -> list[str]:
        """axe-core (loaded into every page by the context's init script), WCAG 2.2 A and AA (with 2.0 and 2.1)."""
        # The same markup at another width can differ (touch targets, stacked tables): both are keys.
        width = (self.page.viewport_size or DESKTOP)["width"]
        markup = hashlib.sha256(f"{width}:{self.page.evaluate(MARKUP_JS)}".encode()).hexdigest()
        if markup in AXE_VERIFIED:
            return []
        results = AxeResults(self.page.evaluate("options => axe.run(document, options)", AXE_OPTIONS))
        if results.violations_count:
            return [results.generate_report()]
        AXE_VERIFIED.add(markup)
        return []

    def check_phone(self, shot: str | None) -> list[str]:
        """At 360 CSS pixels nothing scrolls sideways, headers keep whole words, the navigation is compact."""
        page = self.page
        before = page.viewport_size or DESKTOP
        if before["width"] != PHONE_WIDTH:
            page.set_viewport_size(PHONE)
        try:
            problems: list[str] = []
            width = page.evaluate("document.scrollingElement.scrollWidth")
            if shot:
                self.screenshot(f"{shot}-360")
            if width > PHONE_WIDTH:
                wide = page.evaluate(
                    """(limit) => [...document.querySelectorAll('body *')]
                        .filter(e => e.getBoundingClientRect().right > limit + 1)
                        .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))""",
                    PHONE_WIDTH,
                )
                problems.append(f"at {PHONE_WIDTH}px the page is {width}px wide (too wide: {', '.join(wide)})")
            problems += [f"at {PHONE_WIDTH}px {hit}" for hit in page.evaluate(BROKEN_HEADER_WORDS_JS)]
            if before["width"] != PHONE_WIDTH:
                problems += self.axe()  # touch targets and stacked tables are other at this width
            header = page.evaluate("(() => { const h = document.querySelector('.site-header'); return h ? h.getBoundingClientRect().height : 0; })()")
            if header > PHONE["height"] / 4:
                problems.append(f"at {PHONE_WIDTH}px the header takes {header:.0f}px, more than a quarter of the screen")
            return problems
        finally:
            if before["width"] != PHONE_WIDTH:
                page.set_viewport_size(before)

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        filename = f"{self.lang}-{name}.png"
        self.page.screenshot(path=str(SCREENSHOTS / filename))
        self.shots.add(filename)

    def finish(self) -> None:
        """At the end of a test: no page went unchecked."""
        missed = self.tracker.missed + self.tracker.unchecked
        errors = self.tracker.errors
        self.context.close()
        assert not missed, f"{self.label}: pages loaded but never checked: {missed}"
        assert not errors, f"{self.label}: {errors}"

    # --- common steps --------------------------------------------------------------------------

    def sign_in(self, email_address: str, password: str, *, shot: str | None = None) -> None:
        self.goto("/accounts/login/", shot=shot)
        self.page.locator("input[name=login]").fill(email_address)
        self.page.locator("input[name=password]").fill(password)
        self.press_and_arrive("Enter")
        assert self.path() == "/", f"{self.label} could not sign in: {self.text()[:300]}"

    def switch_language(self, lang: str) -> None:
        self.page.locator("#language-select").select_option(lang)
        self.lang = lang
        self.click_and_arrive(self.page.locator(".language-switch button"))


class Mailbox:
    """The e-mails written by Django's file-based backend, from the live server and from the worker."""

    SEPARATOR = b"\n" + b"-" * 79 + b"\n"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def clear(self) -> None:
        for path in self.directory.glob("*"):
            path.unlink()

    def messages(self) -> list[EmailMessage]:
        found = []
        for path in sorted(self.directory.glob("*.log"), key=lambda p: p.stat().st_mtime):
            for raw in path.read_bytes().split(self.SEPARATOR):
                if raw.strip():
                    found.append(email.message_from_bytes(raw.lstrip(b"\n"), policy=email.policy.default))
        return found  # type: ignore[return-value]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages() if address in str(m["To"])]

    def wait_for(self, address: str, *, subject: str = "", body: str = "", timeout: float = 30) -> EmailMessage:
        """The worker sends on its own schedule: wait (up to ``timeout``) for the e-mail to arrive."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.to(address):
                if subject in str(message["Subject"]) and body in self.body(message):
                    return message
            if time.monotonic() > deadline:
                seen = [(str(m["To"]), str(m["Subject"])) for m in self.messages()]
                raise AssertionError(f"no e-mail to {address} with {subject!r} in the subject; mailbox: {seen}")
            time.sleep(0.1)

    @staticmethod
    def body(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())

    @classmethod
    def link(cls, message: EmailMessage, path_contains: str) -> str:
        for url in re.findall(r"https?://[^\s<>\"]+", cls.body(message)):
            if path_contains in url:
                return url
        raise AssertionError(f"no link containing {path_contains!r} in:\n{cls.body(message)}")
