"""Demo tandems in different states for `make run` and the browser tests. Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from tandem.audit.services import record

from .models import SUPPORT_MONTHS, Reflection, SupportProcess, Tandem, ThreeWayMeeting, add_months


def _tandem(demo: Any, peer: str, professional: str, team: str, **values: Any) -> Tandem | None:
    p, q = demo.members[peer], demo.members[professional]
    if Tandem.objects.filter(peer=p, professional=q).exists():
        return None
    tandem = Tandem.objects.create(
        organisation=demo.organisation, team=demo.teams[team], peer=p, professional=q,
        proposed_by=demo.members["lead"].user, **values,
    )
    record(actor=demo.members["lead"].user, action="tandem.proposed", obj=tandem, detail={"team": tandem.team_id})
    return tandem


@transaction.atomic
def seed(demo: Any) -> None:
    today = timezone.localdate()
    now = timezone.now()

    # Paula and Fabian: active for ten weeks; Fabian's reflection is overdue, Paula shared hers.
    active = _tandem(
        demo, "peer", "professional", "wohnen", state=Tandem.State.ACTIVE,
        purpose="Gemeinsame Hausbesuche im ambulant betreuten Wohnen",
        started_on=today - dt.timedelta(weeks=11), activated_on=today - dt.timedelta(weeks=10),
        peer_confirmed_at=now - dt.timedelta(weeks=10), professional_confirmed_at=now - dt.timedelta(weeks=10),
    )
    if active is not None:
        Reflection.objects.create(
            tandem=active, author=active.peer, created_at=now - dt.timedelta(weeks=3), shared_at=now - dt.timedelta(weeks=3),
            how_it_goes="Wir ergänzen uns gut bei den Hausbesuchen.",
            what_helps="Die kurze Nachbesprechung im Auto.",
            what_irritates="Manchmal werde ich in der Teamsitzung übergangen.",
        )
        # A client supported for almost a year: the transition needs planning now.
        started = add_months(today, -SUPPORT_MONTHS) + dt.timedelta(weeks=7)
        process = SupportProcess.objects.create(
            organisation=demo.organisation, tandem=active, client_code="K-0417", started_on=started,
            planned_end_on=add_months(started, SUPPORT_MONTHS), goals="Die eigene Wohnung halten; Anschluss an eine Selbsthilfegruppe.",
            created_by=demo.members["lead"].user,
        )
        ThreeWayMeeting.objects.create(support_process=process, held_on=started + dt.timedelta(weeks=2))
        ThreeWayMeeting.objects.create(support_process=process, held_on=started + dt.timedelta(weeks=26))

    # Jonas and Fabian: just proposed, both asked to get to know each other.
    _tandem(demo, "peer2", "professional", "wohnen", purpose="Offener Treff am Mittwoch", started_on=today)

    # Valentina and Nora: getting to know each other; Nora has confirmed.
    _tandem(
        demo, "volunteer", "nurse", "krise", state=Tandem.State.GETTING_TO_KNOW,
        purpose="Begleitung nach Krisengesprächen", started_on=today - dt.timedelta(days=10),
        professional_confirmed_at=now - dt.timedelta(days=2),
    )

    # Valentina and Mia: did not continue after getting to know each other (no reason, no blame).
    _tandem(
        demo, "volunteer", "mentor", "krise", state=Tandem.State.ENDED, end_reason=Tandem.EndReason.DECLINED,
        started_on=today - dt.timedelta(weeks=8), ended_on=today - dt.timedelta(weeks=6),
    )
