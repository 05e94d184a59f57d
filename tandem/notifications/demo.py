"""Demo settings for notifications (``seed_demo``): one person without quiet hours.

The welcome sweep greets every demo login; e-mails print on the worker's console. Everyone else
keeps the default quiet hours (20:00–07:00), so at night their e-mails wait for the morning, as
they should; the demo peer has none, so ``make run`` shows an e-mail arriving at any hour.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .models import DeliverySettings


def seed(demo: Any) -> None:
    peer = demo.members["peer"].user
    DeliverySettings.objects.update_or_create(
        user=peer, defaults={"quiet_from": dt.time(0, 0), "quiet_until": dt.time(0, 0), "digest_at": dt.time(7, 30)}
    )
