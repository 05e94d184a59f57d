"""Fixtures for the browser tests: one Chromium per session, the live server, a real Celery worker.

The worker is a separate process on the same test database (pytest-django's ``transactional_db`` lets
both see committed rows) and the Redis broker of this run; it writes e-mails as files that the tests read.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings

from tests.conftest import require

from .harness import CHROMIUM, CHROMIUM_ARGS, DESKTOP, ROOT, Mailbox, Person

LANGUAGES = ["de", "en"]


@pytest.fixture(scope="package")
def chromium(django_db_setup: None) -> Iterator[object]:
    """One browser for all browser tests, closed after the last of them (package scope)."""
    require(os.path.exists(CHROMIUM), f"Chromium ({CHROMIUM})")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop on this thread while it runs; the ORM calls of the
    # tests are still plain synchronous calls, so Django's guard against async contexts does not apply.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def mail_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mail")


@pytest.fixture
def mailbox(mail_dir: Path, settings: object, live_server: object) -> Mailbox:
    """The live server (in this process) and the worker both write e-mails to ``mail_dir``."""
    settings.TANDEM_BASE_URL = str(live_server)  # type: ignore[attr-defined]
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"  # type: ignore[attr-defined]
    settings.EMAIL_FILE_PATH = str(mail_dir)  # type: ignore[attr-defined]
    box = Mailbox(mail_dir)
    box.clear()
    return box


def _database_url() -> str:
    db = django_settings.DATABASES["default"]
    from django.db import connection

    name = connection.settings_dict["NAME"]  # the test database, after django_db_setup
    auth = quote(db.get("USER") or "postgres", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


@pytest.fixture(scope="module")
def celery_worker(
    django_db_setup: None, live_server: object, mail_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[subprocess.Popen[bytes]]:
    """A real ``celery worker`` process on the test database and this run's Redis.

    Started for the module of browser tests that uses it and stopped after it (module scope: a
    package-scoped worker was seen to outlive the package), so that it never takes the tasks that
    later tests put on the broker.
    """
    import redis

    redis_url = os.environ["REDIS_URL"]
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
        redis_up = True
    except redis.RedisError:
        redis_up = False
    require(redis_up, f"Redis ({redis_url})")
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.browser.worker_settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url,
        "EMAIL_FILE_PATH": str(mail_dir),
        "TANDEM_BASE_URL": str(live_server),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("CELERY_BROKER_URL", None)
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tandem", "worker", "--pool=solo", "--purge", "--loglevel=INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"e2e-{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while b" ready." not in log.read_bytes():
            if worker.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the Celery worker did not start:\n" + log.read_text(errors="replace")[-3000:])
            time.sleep(0.2)
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


@pytest.fixture(scope="session")
def shots() -> set[str]:
    return set()


@pytest.fixture
def people(chromium: object, live_server: object, shots: set[str]) -> Iterator[Callable[..., Person]]:
    """``people(label, lang)`` opens a fresh browser context for one person (own cookies, own language, desktop
    unless ``viewport=`` says otherwise)."""
    opened: list[Person] = []

    def open_person(label: str, lang: str, *, viewport: dict[str, int] = DESKTOP) -> Person:
        context = chromium.new_context(  # type: ignore[attr-defined]
            viewport=viewport, locale="de-DE" if lang == "de" else "en-GB", timezone_id="Europe/Berlin"
        )
        context.set_default_timeout(15_000)
        # The language someone chose earlier (the switch sets this cookie); signed in, the profile decides.
        context.add_cookies([{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": str(live_server)}])
        person = Person(context, base_url=str(live_server), lang=lang, label=label, shots=shots)
        opened.append(person)
        return person

    yield open_person
    failures = []
    for person in opened:
        try:
            person.finish()
        except AssertionError as error:
            failures.append(str(error))
    assert not failures, "\n".join(failures)


@pytest.fixture(params=LANGUAGES)
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


NAMES = {
    "peer": "Pia Sommer",
    "other_peer": "Jonas Brandt",
    "mentor": "Mara Lindner",
    "other_mentor": "Timo Roth",
    "professional": "Frank Berger",
    "team_lead": "Lea Hoffmann",
    "org_admin": "Anna Weber",
    "supervisor": "Sven Krüger",
    "other_supervisor": "Ida Vogel",
}


@pytest.fixture
def staff(cast: object, lang: str) -> object:
    """The fixed cast with fixed names (no random word on a page) who all read ``lang``."""
    for role, name in NAMES.items():
        user = getattr(cast, role).user
        user.full_name = name
        user.preferred_language = lang
        user.save(update_fields=["full_name", "preferred_language"])
    return cast
