"""Settings for `make bench`: the real settings, plus the harness and its trivial floor view."""

from tandem.settings import *  # noqa: F403
from tandem.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"
