"""The report's rule: a count that could stand for fewer than three people is never published.

The suppression itself is the kernel's (``tandem.suppression``: primary and secondary suppression of a
line and its total); the report keeps its own threshold, the setting ``TANDEM_REPORT_MIN_COUNT``, so
that an organisation can publish its yearly figures more cautiously than the live counts.
"""

from __future__ import annotations

from tandem.suppression import MINIMUM_THRESHOLD, threshold_from

__all__ = ["MINIMUM_THRESHOLD", "threshold"]


def threshold() -> int:
    """The smallest count the report publishes (the setting ``TANDEM_REPORT_MIN_COUNT``, at least 3)."""
    return threshold_from("TANDEM_REPORT_MIN_COUNT")
