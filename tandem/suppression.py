"""Small-number suppression: a count that could stand for fewer than three people is never shown.

Sensitive figures are shown as lines: one cell per group (a service, a team) and the line's total.
Two ways to say which cells are too small:

* ``protect_line`` — the cells count *people*: a count below the threshold, zero included, is
  withheld (were a zero shown, "fewer than 3" would mean "1 or 2", and two such cells beside a small
  total would each be 1). Such a withheld cell is known to lie in 0..threshold-1.
* ``protect_by_people`` — the cells count *things people did* (irritations raised, say), and a cell
  is withheld when fewer than the threshold of people could be behind it, whatever its value: in a
  team with one peer, "1 irritation" names her, and so does "0" once it turns into "1". Such a
  withheld cell can hold any value from 0.

*Secondary suppression* then withholds further cells of the line until none of the withheld ones can
be recomputed. For one line the shown numbers give exactly one equation: the withheld entries add up
to the total minus the shown cells. A withheld entry is given away exactly when it is the only one,
or when the withheld entries add up to the least or the most they could (each sits at its bound);
otherwise every one of them can move. The smallest further cell is withheld until neither happens,
and if no cell is left, the total is withheld too.

Derived figures follow their counts (see ``follows``): a share or a median of a withheld count is
withheld, and figures that add up like their counts take the same pattern, so they cannot be
subtracted from their total either.

The threshold of live counts (mentor overview, dashboard) is the setting ``TANDEM_MIN_COUNT``; an app
may read its own setting through ``threshold_from`` (the report has ``TANDEM_REPORT_MIN_COUNT``).
Neither can be set below three.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MINIMUM_THRESHOLD = 3
TOTAL = -1  # the key of a line's total; cells are 0..n-1


def threshold_from(name: str) -> int:
    """The smallest count that may be shown, from the setting ``name`` (at least 3, 3 when unset)."""
    value = getattr(settings, name, MINIMUM_THRESHOLD)
    if not isinstance(value, int) or isinstance(value, bool) or value < MINIMUM_THRESHOLD:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least {MINIMUM_THRESHOLD}, not {value!r}.")
    return value


def threshold() -> int:
    """The threshold of counts shown in the application (the setting ``TANDEM_MIN_COUNT``)."""
    return threshold_from("TANDEM_MIN_COUNT")


def is_small(value: int, limit: int) -> bool:
    """A count that could stand for fewer than ``limit`` people (zero included, see above)."""
    return 0 <= value < limit


@dataclass(frozen=True)
class Protected:
    """One line after suppression: each entry's true value and whether (and why) it is withheld."""

    values: dict[int, int]  # 0..n-1 the cells, TOTAL the total
    primary: frozenset[int]  # withheld because it is small (or too few people are behind it)
    secondary: frozenset[int]  # withheld so that a small one cannot be recomputed

    @property
    def cells(self) -> list[int]:
        return [key for key in self.values if key != TOTAL]

    def is_suppressed(self, key: int) -> bool:
        return key in self.primary or key in self.secondary

    def published(self, key: int) -> int | None:
        return None if self.is_suppressed(key) else self.values[key]


def gives_away(
    values: dict[int, int],
    primary: set[int] | frozenset[int],
    hidden: set[int],
    limit: int,
    *,
    bounded: bool = True,
) -> bool:
    """Whether the shown entries of a line determine a withheld one (see the module docstring).

    ``bounded``: a primary cell is known to be below ``limit`` (a count of people); otherwise it can
    be any value from 0 (a count of what few people did).
    """
    if not hidden or TOTAL in hidden:
        # Without its total a line is no equation; a total whose cells are all shown is their sum
        # (a line without cells, an organisation without services, has nothing to add up).
        return hidden == {TOTAL} and len(values) > 1
    if len(hidden) == 1:
        return True
    # What a reader works out for the withheld cells together: the total minus the shown cells.
    residual = values[TOTAL] - sum(value for key, value in values.items() if key != TOTAL and key not in hidden)
    most = (limit - 1) * len(hidden) if bounded and hidden <= primary else None
    return residual <= 0 or (most is not None and residual >= most)


def _secondary(values: dict[int, int], primary: set[int], limit: int, *, bounded: bool) -> Protected:
    hidden = set(primary)
    while hidden and gives_away(values, primary, hidden, limit, bounded=bounded):
        # The smallest shown cell costs the reader least; once no cell is left, the total goes.
        shown = sorted((values[key], key) for key in values if key not in hidden and key != TOTAL)
        if not shown and TOTAL in hidden:  # pragma: no cover - everything is withheld already
            break
        hidden.add(shown[0][1] if shown else TOTAL)
    return Protected(values=values, primary=frozenset(primary), secondary=frozenset(hidden - primary))


def protect_line(cells: list[int], *, total: int | None = None, limit: int | None = None) -> Protected:
    """Primary and secondary suppression of one line of counts of people and its total.

    ``total`` is the sum of the cells unless given: a count of distinct people may be less (one
    person in two services) or more (a person in none). The line is protected as if it were the sum,
    which is what a reader would assume.
    """
    limit = threshold() if limit is None else limit
    values = dict(enumerate(cells))
    values[TOTAL] = sum(cells) if total is None else total
    primary = {key for key, value in values.items() if is_small(value, limit)}
    return _secondary(values, primary, limit, bounded=True)


def protect_by_people(
    cells: list[int],
    people: list[int],
    *,
    total: int | None = None,
    total_people: int | None = None,
    limit: int | None = None,
    read_as_small: bool = False,
) -> Protected:
    """Suppression of a line of counts by the number of people who could be behind each cell.

    ``people[i]`` is how many people could have made cell ``i`` (the peers of a team, for a count of
    irritations); a cell with fewer than ``limit`` of them is withheld whatever its value, and so is
    the total when fewer than ``limit`` people could be behind it (``total_people``: the distinct
    people of the whole line, the sum of ``people`` unless given). Further cells and the total are
    then withheld until no withheld cell can be recomputed from the rest.

    ``read_as_small``: the withheld cells carry the same marker as small counts of people ("fewer
    than 3", as in the yearly report), so a reader may take each for a value below ``limit``. The
    line is then also protected against that reading: withheld cells that would all have to sit at
    that bound (2 and 2 beside a shown 10 and a total of 14) are not left as the only ones withheld.
    """
    if len(people) != len(cells):
        raise ValueError("one number of people per cell")
    limit = threshold() if limit is None else limit
    values = dict(enumerate(cells))
    values[TOTAL] = sum(cells) if total is None else total
    behind = dict(enumerate(people))
    behind[TOTAL] = sum(people) if total_people is None else total_people
    primary = {key for key, count in behind.items() if count < limit}
    # The bounded test withholds more than the unbounded one, never less (see ``gives_away``).
    return _secondary(values, primary, limit, bounded=read_as_small)


def follows(count: Protected, figures: list[int], *, total: int | None = None) -> Protected:
    """A line of figures that add up like ``count`` (per group and their total), withheld where it is."""
    values = dict(enumerate(figures))
    values[TOTAL] = sum(figures) if total is None else total
    return Protected(values=values, primary=count.primary, secondary=count.secondary)
