"""Small-number suppression: a count that could stand for fewer than three people is never published.

The report publishes sensitive figures as lines: one cell per service and the organisation's total.

*Primary suppression* withholds every count below the threshold, zero included: were a zero shown,
"fewer than 3" would mean "1 or 2", and two such cells beside a small total would each be 1.

*Secondary suppression* then withholds further cells of the line until none of the withheld ones can
be recomputed. For one line the published numbers give exactly one equation: the withheld entries
add up to the total minus the published cells. Each withheld entry is known to lie in a range
("fewer than 3": 0 to 2; a protecting cell: anything from 0). A withheld entry is then given away
exactly when it is the only one, or when the withheld entries add up to the least or the most they
could (each sits at its bound); otherwise every one of them can move. The smallest further cell is
withheld until neither happens, and if no cell is left, the total is withheld too.

Derived figures follow their counts (see ``follows``): a share or a median of a withheld count is
withheld, and figures that add up like their counts (days without a mentor per service) take the
same pattern, so they cannot be subtracted from their total either.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MINIMUM_THRESHOLD = 3
TOTAL = -1  # the key of a line's total; cells are 0..n-1


def threshold() -> int:
    """The smallest count that may be published (the setting ``TANDEM_REPORT_MIN_COUNT``, at least 3)."""
    value = getattr(settings, "TANDEM_REPORT_MIN_COUNT", MINIMUM_THRESHOLD)
    if not isinstance(value, int) or isinstance(value, bool) or value < MINIMUM_THRESHOLD:
        raise ImproperlyConfigured(
            f"TANDEM_REPORT_MIN_COUNT must be a whole number of at least {MINIMUM_THRESHOLD}, not {value!r}."
        )
    return value


def is_small(value: int, limit: int) -> bool:
    """A count that could stand for fewer than ``limit`` people (zero included, see above)."""
    return 0 <= value < limit


@dataclass(frozen=True)
class Protected:
    """One line after suppression: each entry's true value and whether (and why) it is withheld."""

    values: dict[int, int]  # 0..n-1 the cells, TOTAL the total
    primary: frozenset[int]  # withheld because it is small
    secondary: frozenset[int]  # withheld so that a small one cannot be recomputed

    @property
    def cells(self) -> list[int]:
        return [key for key in self.values if key != TOTAL]

    def is_suppressed(self, key: int) -> bool:
        return key in self.primary or key in self.secondary

    def published(self, key: int) -> int | None:
        return None if self.is_suppressed(key) else self.values[key]


def gives_away(values: dict[int, int], primary: set[int] | frozenset[int], hidden: set[int], limit: int) -> bool:
    """Whether the published entries of a line determine a withheld one (see the module docstring)."""
    if not hidden or TOTAL in hidden:
        # Without its total a line is no equation; a total whose cells are all shown is their sum
        # (a line without cells, an organisation without services, has nothing to add up).
        return hidden == {TOTAL} and len(values) > 1
    if len(hidden) == 1:
        return True
    # What a reader works out for the withheld cells together: the total minus the shown cells.
    residual = values[TOTAL] - sum(value for key, value in values.items() if key != TOTAL and key not in hidden)
    most = (limit - 1) * len(hidden) if hidden <= primary else None
    return residual <= 0 or (most is not None and residual >= most)


def protect_line(cells: list[int], *, total: int | None = None, limit: int | None = None) -> Protected:
    """Primary and secondary suppression of one line of counts and its total.

    ``total`` is the sum of the cells unless given: a count of distinct people may be less (one
    person in two services) or more (a person in none). The line is protected as if it were the sum,
    which is what a reader would assume.
    """
    limit = threshold() if limit is None else limit
    values = dict(enumerate(cells))
    values[TOTAL] = sum(cells) if total is None else total
    primary = {key for key, value in values.items() if is_small(value, limit)}
    hidden = set(primary)
    while hidden and gives_away(values, primary, hidden, limit):
        # The smallest shown cell costs the reader least; once no cell is left, the total goes.
        shown = sorted((values[key], key) for key in values if key not in hidden and key != TOTAL)
        if not shown and TOTAL in hidden:  # pragma: no cover - everything is withheld already
            break
        hidden.add(shown[0][1] if shown else TOTAL)
    return Protected(values=values, primary=frozenset(primary), secondary=frozenset(hidden - primary))


def follows(count: Protected, figures: list[int], *, total: int | None = None) -> Protected:
    """A line of figures that add up like ``count`` (per service and their total), withheld where it is."""
    values = dict(enumerate(figures))
    values[TOTAL] = sum(figures) if total is None else total
    return Protected(values=values, primary=count.primary, secondary=count.secondary)
