"""The one way tests pin query counts (STYLE.md §6): a pinned number, the same with few rows and with many.

``assert_constant_queries`` renders a page with 3 rows and again with 30 and asserts the pinned count at
both sizes; ``pinned_queries`` is the same check around any block of code. A failure lists the SQL that
ran, numbered, so the extra query can be found without rerunning anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

SIZES = (3, 30)


def _report(captured: list[dict[str, str]], expected: int, where: str) -> str:
    lines = [f"{where}: expected {expected} queries, {len(captured)} ran:"]
    lines += [f"  {number}. {query['sql']}" for number, query in enumerate(captured, start=1)]
    return "\n".join(lines)


@contextmanager
def pinned_queries(expected: int, *, where: str = "the block") -> Iterator[CaptureQueriesContext]:
    """Exactly ``expected`` queries run inside the ``with`` block."""
    with CaptureQueriesContext(connection) as context:
        yield context
    captured = context.captured_queries
    assert len(captured) == expected, _report(captured, expected, where)


def assert_constant_queries(
    client: Client,
    pages: str | Mapping[str, int],
    build_rows: Callable[[int], object],
    *,
    expected: int | None = None,
    sizes: Sequence[int] = SIZES,
    status: int = 200,
) -> dict[str, dict[int, HttpResponse]]:
    """Each page takes its pinned number of queries with ``sizes[0]`` rows and again with ``sizes[-1]``.

    ``pages`` is one URL (with ``expected``) or a mapping of URL to its pinned count when several pages
    show the same rows. ``build_rows(n)`` adds ``n`` more rows: it is called until each size is reached,
    so the second measurement sees the first rows plus the new ones. Before the first measurement each
    page is requested once, so per-process caches (content types) and the first save of the session do
    not count, whatever ran earlier in this process. Returns the measured responses, by URL and size.
    """
    if isinstance(pages, str):
        assert expected is not None, "pin the count: expected=N"
        pins = {pages: expected}
    else:
        assert expected is None, "with several pages, pin each page's count in the mapping"
        pins = dict(pages)
    responses: dict[str, dict[int, HttpResponse]] = {url: {} for url in pins}
    built = 0
    for size in sizes:
        build_rows(size - built)
        built = size
        for url, count in pins.items():
            if size == sizes[0]:
                assert client.get(url).status_code == status, f"warm-up request of {url}"
            with pinned_queries(count, where=f"GET {url} with {size} rows"):
                response = client.get(url)
            assert response.status_code == status, f"GET {url} with {size} rows answered {response.status_code}"
            responses[url][size] = response
    return responses

