"""A crawl of everything a person can reach: every page is checked, and every form sent back empty once.

Breadth-first from a start page, following the links a person sees (same site, GET only), never the
links that sign out, download or lead to Django admin, with a bound on the number of pages and on
pages of the same shape (``/tandems/12/`` and ``/tandems/13/`` are one shape). Each page gets the
checks of ``Person.arrive`` (language, axe WCAG 2.2 A/AA, console, and at 360 px no sideways scroll,
whole words in table headers and a compact navigation). On each page, each form with fields is sent
once with its text fields emptied, unless it ends, removes or cancels something: the answer must be
the error state of ``error_state_problems`` (or, where empty is allowed, a page that passes the checks).
"""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

from .harness import PageProblem, Person

# Links a crawl never follows: signing out, files and feeds, the operators' tools, machine endpoints.
SKIP_LINK = re.compile(r"logout|/admin/|\.ics\b|/ics/|download|export|\.json\b|/feed|/health/|/static/|/media/", re.I)
# Forms a crawl never sends: an empty reason must not end, erase or cancel anything real.
DESTRUCTIVE = re.compile(
    r"(?:^|[/_-])(?:end|delete|erase|revoke|cancel|withdraw|remove|decline|leave|pause|logout|deactivate|reset|regenerate)(?:[/_-]|$)",
    re.I,
)

LINKS_JS = "() => [...document.querySelectorAll('a[href]')].filter(a => !a.hasAttribute('download')).map(a => a.href)"

# The forms of the main content that ask for something (at least one visible field), by index.
FORMS_JS = """
(pattern) => [...document.querySelectorAll('main form')].map((form, index) => ({
  index,
  action: form.getAttribute('action') || location.pathname,
  post: (form.getAttribute('method') || '').toLowerCase() === 'post',
  fields: [...form.elements].filter(e => e.matches('input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea') && e.offsetParent !== null).length,
  submit: !!form.querySelector('button:not([type=button]), input[type=submit]'),
})).filter(f => f.post && f.fields > 0 && f.submit && !new RegExp(pattern, 'i').test(f.action))
"""

EMPTY_AND_SEND_JS = """
(index) => {
  const form = document.querySelectorAll('main form')[index];
  form.noValidate = true;  // the server's answer to an empty form is what is tested, not the browser's
  for (const el of form.querySelectorAll('input:not([type]), input[type=text], input[type=email], input[type=url], input[type=number], input[type=password], input[type=search], input[type=tel], input[type=date], input[type=time], input[type=datetime-local], textarea')) {
    if (!el.readOnly) el.value = '';
  }
  form.requestSubmit(form.querySelector('button:not([type=button]), input[type=submit]'));
}
"""

# What an invalid submit must show: one summary on top (role=alert, focused), each entry a link to an
# existing field, the title starting with the error prefix, every invalid field tied to its error.
ERROR_STATE_JS = """
(prefix) => {
  const problems = [];
  const summary = document.querySelector('[data-error-summary]');
  if (!summary) return ['sent back with errors, but without an error summary'];
  if (summary.getAttribute('role') !== 'alert') problems.push('the error summary has no role=alert');
  if (document.activeElement !== summary) problems.push(`the error summary is not focused (the focus is on ${document.activeElement && document.activeElement.tagName})`);
  if (!document.title.startsWith(prefix)) problems.push(`the title ${JSON.stringify(document.title)} does not start with ${JSON.stringify(prefix)}`);
  for (const link of summary.querySelectorAll('a')) {
    const href = link.getAttribute('href') || '';
    if (!href.startsWith('#') || !document.getElementById(href.slice(1))) problems.push(`summary entry ${JSON.stringify(link.textContent)} links to nothing (${href})`);
  }
  const described = new Set();
  for (const el of document.querySelectorAll('[aria-describedby]')) for (const id of el.getAttribute('aria-describedby').split(/\\s+/)) described.add(id);
  for (const list of document.querySelectorAll('.field-errors .errorlist')) {
    if (!list.id || !described.has(list.id)) problems.push(`the error ${JSON.stringify(list.textContent.trim())} is not tied to its field (aria-describedby)`);
  }
  for (const el of document.querySelectorAll('[aria-invalid=true]')) {
    const ids = (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
    if (!ids.some(id => { const t = document.getElementById(id); return t && t.matches('.errorlist'); })) problems.push(`${el.name || el.id} is invalid, but no error describes it`);
  }
  return problems;
}
"""

ERROR_PREFIX = {"de": "Fehler: ", "en": "Error: "}


def shape(url: str) -> str:
    """A page's kind: its path with numbers and tokens replaced, and the names of its query parameters."""
    parts = urlsplit(url)
    path = re.sub(r"/[0-9]+(?=/)", "/N", parts.path)
    path = re.sub(r"/[A-Za-z0-9_-]{20,}(?=/)", "/T", path)
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return path + ("?" + "&".join(keys) if keys else "")


@dataclass
class Crawl:
    visited: list[str] = field(default_factory=list)
    error_states: list[str] = field(default_factory=list)
    accepted_empty: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert not self.problems, f"{len(self.problems)} problem(s) in a crawl of {len(self.visited)} pages:\n\n" + "\n\n".join(self.problems)


def crawl(person: Person, start: str = "/", *, limit: int = 40, per_shape: int = 1, forms: int = 20, phone: bool = False) -> Crawl:
    """Visit what ``person`` can reach from ``start`` and send each form empty once (see the module)."""
    result = Crawl()
    queue: deque[str] = deque([person.url(start)])
    seen: set[str] = set(queue)
    shapes: Counter[str] = Counter()
    sent: set[tuple[str, str]] = set()
    while queue and len(result.visited) < limit:
        url = queue.popleft()
        if shapes[shape(url)] >= per_shape:
            continue
        shapes[shape(url)] += 1
        if not _visit(person, url, result, phone=phone):
            continue
        for link in person.page.evaluate(LINKS_JS):
            link = urldefrag(link).url
            if link.startswith(person.base_url) and link not in seen and not SKIP_LINK.search(link):
                seen.add(link)
                queue.append(link)
        for form in person.page.evaluate(FORMS_JS, DESTRUCTIVE.pattern):
            key = (shape(url), form["action"])
            if key in sent or len(sent) >= forms:
                continue
            sent.add(key)
            _send_empty(person, url, form["index"], result, phone=phone)
    return result


def _visit(person: Person, url: str, result: Crawl, *, phone: bool) -> bool:
    where = url.removeprefix(person.base_url)
    try:
        response = person.page.goto(url)
        status = response.status if response else 0
        result.visited.append(where)
        person.arrive(phone=phone)
    except PageProblem as problem:
        result.problems.append(str(problem))
        return True
    if status >= 500 or status == 404:
        result.problems.append(f"{person.label}: the link to {where} answers {status}")
        return False
    return True


def _send_empty(person: Person, url: str, index: int, result: Crawl, *, phone: bool) -> None:
    where = url.removeprefix(person.base_url)
    try:
        if person.page.url != url:
            person.page.goto(url)
            person.arrive(phone=phone)
        with person.page.expect_navigation(wait_until="load") as navigation:
            person.page.evaluate(EMPTY_AND_SEND_JS, index)
        status = navigation.value.status if navigation.value else 0
        person.arrive(phone=phone)
    except PageProblem as problem:
        result.problems.append(f"after sending form {index} of {where} empty: {problem}")
        return
    if status >= 500:
        result.problems.append(f"{person.label}: form {index} of {where} sent empty answers {status}")
        return
    has_summary = person.page.locator("[data-error-summary]").count() > 0
    if status == 422 or has_summary:
        problems = person.page.evaluate(ERROR_STATE_JS, ERROR_PREFIX[person.lang])
        if problems:
            result.problems.append(f"{person.label}: form {index} of {where} sent empty ({status}):\n" + "\n".join(problems))
        result.error_states.append(where)
    else:
        result.accepted_empty.append(where)
