"""The time-zone choice as people read it: the zones of the region first, names in their language."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

# Where the services using Tandem work, and their neighbours: offered first, the rest follows.
COMMON = ["Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "Europe/Luxembourg", "Europe/Brussels",
          "Europe/Amsterdam", "Europe/Paris", "Europe/Copenhagen", "Europe/Warsaw", "Europe/Prague",
          "Europe/London", "Europe/Istanbul"]

REGIONS = {
    "Africa": gettext_lazy("Africa"), "America": gettext_lazy("America"), "Antarctica": gettext_lazy("Antarctica"),
    "Arctic": gettext_lazy("Arctic"), "Asia": gettext_lazy("Asia"), "Atlantic": gettext_lazy("Atlantic"),
    "Australia": gettext_lazy("Australia"), "Europe": gettext_lazy("Europe"), "Indian": gettext_lazy("Indian Ocean"),
    "Pacific": gettext_lazy("Pacific"),
}
# Cities whose German name differs from the zone's English one.
CITIES = {
    "Vienna": pgettext_lazy("city", "Vienna"), "Zurich": pgettext_lazy("city", "Zurich"),
    "Brussels": pgettext_lazy("city", "Brussels"), "Copenhagen": pgettext_lazy("city", "Copenhagen"),
    "Warsaw": pgettext_lazy("city", "Warsaw"), "Prague": pgettext_lazy("city", "Prague"),
    "Rome": pgettext_lazy("city", "Rome"), "Lisbon": pgettext_lazy("city", "Lisbon"),
    "Athens": pgettext_lazy("city", "Athens"), "Moscow": pgettext_lazy("city", "Moscow"),
    "Belgrade": pgettext_lazy("city", "Belgrade"), "Bucharest": pgettext_lazy("city", "Bucharest"),
    "Kyiv": pgettext_lazy("city", "Kyiv"), "Luxembourg": pgettext_lazy("city", "Luxembourg"),
}


def _offset(name: str, now: dt.datetime) -> str:
    offset = now.astimezone(zoneinfo.ZoneInfo(name)).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def label(name: str, *, now: dt.datetime | None = None) -> str:
    """ "Wien (Europa, UTC+01:00)" for Europe/Vienna, in the active language."""
    region, _slash, rest = name.partition("/")
    place = rest.split("/")[-1].replace("_", " ") if rest else region
    city = str(CITIES.get(place.replace(" ", "_"), place))
    where = str(REGIONS.get(region, region))
    return f"{city} ({where}, {_offset(name, now or dt.datetime.now(dt.UTC))})"


def available() -> list[str]:
    return sorted(name for name in zoneinfo.available_timezones() if "/" in name and not name.startswith("Etc/"))


def choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for a select: the common zones, then every zone by region, sorted by label."""
    now = dt.datetime.now(dt.UTC)
    zones = set(available())
    common = [name for name in COMMON if name in zones]
    rest = sorted((name for name in zones if name not in common), key=lambda n: (str(REGIONS.get(n.split("/")[0], n)), label(n, now=now)))
    return [
        (_("Common time zones"), [(name, label(name, now=now)) for name in common]),
        (_("All time zones"), [(name, label(name, now=now)) for name in rest]),
    ]


def default() -> str:
    """The organisation's zone: the one the service runs in (TIME_ZONE), preselected for everyone."""
    return settings.TIME_ZONE
