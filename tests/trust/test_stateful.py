"""The proof that confidentiality holds over time, not only in one snapshot (issue 13).

A hypothesis ``RuleBasedStateMachine`` plays random histories of real service calls under frozen,
advancing time: a peer raises irritations (for her mentor now or for herself first), writes notes,
asks her mentor, shares with a team lead and revokes it, resolves, withdraws; mentors are assigned,
replaced and ended; roles change; people leave and rejoin; a mentor joins a second organisation; the
second-factor requirement goes on and off and second factors come and go; time passes and the
escalation sweep runs; e-mails are sent. After every step, for every person of a fixed cast (two
peers, two mentors, her tandem partner, two team leads, the org admin, a supervisor, someone of
another organisation, an operator), the independent model in ``stateful_model.py`` is compared with

* ``visible_to`` and (once it lands) the audience function,
* the irritation page and every action URL over HTTP: 200 (or the action's answer) for those the
  model allows, the 404 of a missing id (same body) for everyone else, the second-factor page for
  those who need one and have none,
* the personal-data export, in-app notifications and the e-mails in the outbox.

Profiles: ``ci`` (default: fixed seed, under a minute) and ``long`` (``TANDEM_STATEFUL=long``,
``make proof``). The number of histories and steps played is printed in the test summary.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from accounts import services as accounts
from mentoring import escalation
from mentoring import services as mentoring
from mentoring.models import Irritation, MentorAssignment
from tandem import privacy
from tandem.audit.models import AuditEvent
from tandem.notifications import sending
from tandem.notifications.models import Notification

from . import stateful_product as product
from .stateful_model import MIrritation, Model

# The CI profile stays under a minute on a two-core machine (about one second a step); `make proof`
# plays the long one.
settings.register_profile(
    "ci",
    max_examples=4,
    stateful_step_count=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "long",
    max_examples=500,
    stateful_step_count=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "debug",  # the ci profile without shrinking: the first failure as it happened, fast
    max_examples=4,
    stateful_step_count=10,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PROFILE = os.environ.get("TANDEM_STATEFUL", "ci")
# In the long profile every action URL is tried for every person after every step; in CI one action
# per person and irritation, in turn, so that each URL is covered many times within the minute.
ALL_ACTIONS_EVERY_STEP = PROFILE == "long"

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
START = dt.datetime(2027, 3, 1, 9, 0, tzinfo=BERLIN)  # a Monday, far from the DST changes
MAX_IRRITATIONS = 3
SECRET = "VERTRAULICH"  # every confidential text the machine writes starts with this

PEOPLE = product.PEOPLE
PEERS = ["peer", "peer2"]


class Figures:
    histories = 0
    steps = 0
    requests = 0
    checks = 0
    not_yet: set[str] = set()


class ConfidentialityOverTime(RuleBasedStateMachine):
    world: product.World
    traveller: Any

    def __init__(self) -> None:
        super().__init__()
        Figures.histories += 1
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.traveller.move_to(START)
        self.today = timezone.localdate()
        self.model = Model(self.today)
        for person, (org, roles, _in_team) in product.CAST.items():
            self.model.join(person, org, roles)
        self.model.mfa_required = {"nord": False, "sued": False}
        self.model.totp = set(product.WITH_TOTP)
        self.clients: dict[tuple[str, str | None], Any] = {}
        self.missing_answers: dict[Any, dict[Any, Any]] = {}
        self.counter = 0
        self.step = 0
        self.seen_notification = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        self.check_in_notes: dict[str, str] = {}  # marker -> the mentor who wrote it
        self.mentor_markers: dict[str, str] = {}  # marker -> the mentor who wrote it
        self.irritation_ct = ContentType.objects.get_for_model(Irritation)
        mail.outbox = []
        # Her tandem with the professional, and her first mentor.
        from pairing.models import Tandem

        w = self.world
        Tandem.objects.create(
            organisation=w.orgs["nord"],
            team=w.team,
            peer=w.membership("peer", "nord"),
            professional=w.membership("professional", "nord"),
            purpose="Gemeinsam begleiten",
            state=Tandem.State.ACTIVE,
            proposed_by=w.users["lead1"],
        )
        self.model.tandem_partners.add(("peer", "professional"))
        self._assign("peer", "mentor1", expect_refusal=False)
        # Every history starts with one irritation she gave her mentor: the leaks are one step away.
        self.raise_irritation("peer", "mentor_now", False)

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers -----------------------------------------------------------------------------------

    def m(self, person: str, org: str = "nord") -> Any:
        return self.world.membership(person, org)

    def marker(self, what: str) -> str:
        self.counter += 1
        return f"{SECRET}-{what}-{Figures.histories}-{self.counter}"

    def open_irritations(self) -> list[MIrritation]:
        return [i for i in self.model.irritations.values() if i.is_open]

    def irritation(self, index: int) -> MIrritation | None:
        keys = sorted(self.model.irritations)
        return self.model.irritations[keys[index % len(keys)]] if keys else None

    def hers_open(self, *, with_mentor: bool | None = None) -> list[MIrritation]:
        """Open irritations whose author is still a member (she can act on them)."""
        return [
            i for i in self.model.irritations.values()
            if i.is_open and self.model.active(i.author) and (with_mentor is None or i.with_mentor == with_mentor)
        ]

    def active(self, person: str, org: str = "nord") -> bool:
        return self.model.active(self.model.key(person, org))

    def product_irritation(self, irr: MIrritation) -> Irritation:
        return Irritation.objects.select_related("peer__user", "mentor__user", "organisation").get(pk=irr.key)

    def _assign(self, peer: str, mentor: str, *, expect_refusal: bool | None = None, by: str = "lead1") -> None:
        peer_key = self.model.key(peer, "nord")
        mentor_org = product.CAST.get(mentor, ("nord",))[0] if mentor != "mentor1" else "nord"
        mentor_key = self.model.key(mentor, mentor_org)
        predicted = self.model.refusal_of_mentor(peer_key, mentor_key) if peer_key else True
        by_key = self.model.key(by, "nord")
        predicted = predicted or not (self.model.has_role(by_key, "team_lead") or self.model.has_role(by_key, "org_admin"))
        peer_m, mentor_m = self.m(peer), self.m(mentor, mentor_org)
        if peer_m is None or mentor_m is None:
            assert predicted
            return
        was_refused = product.refused(lambda: product.assign(self.world, peer=peer_m, mentor=mentor_m, by=self.world.users[by]))
        if expect_refusal is not None:
            assert was_refused == expect_refusal
        assert was_refused == predicted, f"assigning {mentor} to {peer}: refused={was_refused}, model={predicted}"
        if not was_refused:
            assert peer_key is not None and mentor_key is not None
            self.model.start_assignment(peer_key, mentor_key)

    # --- the peer and her irritations ---------------------------------------------------------------

    @precondition(lambda self: len(self.model.irritations) < MAX_IRRITATIONS)
    @rule(author=st.sampled_from(PEERS), mode=st.sampled_from(["mentor_now", "self_first"]), urgent=st.booleans())
    def raise_irritation(self, author: str, mode: str, urgent: bool) -> None:
        key = self.model.key(author, "nord")
        membership = self.m(author)
        if not self.model.has_role(key, "peer"):
            return
        assert membership is not None and membership.is_peer
        title, text, wish = self.marker("title"), self.marker("text"), self.marker("wish")
        irritation = mentoring.raise_irritation(
            peer=membership,
            by=self.world.users[author],
            title=title[:120],
            what_happened=text,
            happened_on=self.today,
            category="treated_as_client",
            start_mode=mode,
            wish=wish,
            urgent=urgent,
        )
        assert key is not None
        irr = MIrritation(key=irritation.pk, author=key, clarify_by=self.today + dt.timedelta(days=2 if urgent else 7))
        irr.markers += [title[:120], text, wish]
        self.model.irritations[irr.key] = irr
        if mode == "mentor_now":
            self.model.give_to_mentor(irr)

    @precondition(lambda self: self.hers_open(with_mentor=False))
    @rule(data=st.data())
    def ask_the_mentor(self, data: Any) -> None:
        irr = data.draw(st.sampled_from(self.hers_open(with_mentor=False)))
        mentoring.address_to_mentor(irritation=self.product_irritation(irr), by=self.world.users[irr.author[0]])
        self.model.give_to_mentor(irr)

    @precondition(lambda self: self.hers_open())
    @rule(data=st.data())
    def she_writes(self, data: Any) -> None:
        irr = data.draw(st.sampled_from(self.hers_open()))
        text = self.marker("note" if not irr.with_mentor else "message")
        mentoring.post_message(irritation=self.product_irritation(irr), by=self.world.users[irr.author[0]], body=text)
        if irr.with_mentor:
            irr.markers.append(text)
        else:
            irr.notes[text] = False

    @precondition(lambda self: self.model.irritations)
    @rule(index=st.integers(0, 5), who=st.sampled_from(PEOPLE), action=st.sampled_from(["message", "acknowledge", "propose"]))
    def someone_else_acts(self, index: int, who: str, action: str) -> None:
        """Anyone but the author tries a mentor's action: it works only for those who may read it."""
        irr = self.irritation(index)
        if irr is None or who == irr.author[0]:
            return
        text = self.marker("reply")
        calls = {
            "message": lambda i: mentoring.post_message(irritation=i, by=self.world.users[who], body=text),
            "acknowledge": lambda i: mentoring.acknowledge(irritation=i, by=self.world.users[who]),
            "propose": lambda i: mentoring.propose_resolution(irritation=i, by=self.world.users[who], proposal=text),
        }
        was_refused = product.refused(lambda: calls[action](self.product_irritation(irr)))
        if not was_refused:
            assert self.model.may_read_as_mentor(who, irr), f"{who} could {action} on an irritation the model hides"
            if action in ("message", "propose"):
                self.mentor_markers[text] = who
        elif action == "message" and irr.is_open:
            assert not self.model.must_read_as_mentor(who, irr), f"{irr.author[0]}'s mentor {who} could not reply"

    @precondition(lambda self: self.hers_open())
    @rule(data=st.data(), how=st.sampled_from(["resolve", "withdraw"]))
    def she_closes(self, data: Any, how: str) -> None:
        irr = data.draw(st.sampled_from(self.hers_open()))
        call = mentoring.resolve if how == "resolve" else mentoring.withdraw
        call(irritation=self.product_irritation(irr), by=self.world.users[irr.author[0]])
        irr.is_open = False

    @precondition(lambda self: any(not i.is_open for i in self.model.irritations.values()))
    @rule(index=st.integers(0, 5))
    def she_reopens(self, index: int) -> None:
        reopen = product.reopen_function()
        irr = self.irritation(index)
        if reopen is None:
            Figures.not_yet.add("reopen")
            return
        if irr is None or irr.is_open or not self.model.active(irr.author):
            return
        if not product.refused(lambda: reopen(irritation=self.product_irritation(irr), by=self.world.users[irr.author[0]])):
            irr.is_open = True

    @precondition(lambda self: self.hers_open())
    @rule(data=st.data(), lead=st.sampled_from(["lead1", "lead2", "outsider", "mentor2"]))
    def she_shares(self, data: Any, lead: str) -> None:
        irr = data.draw(st.sampled_from(self.hers_open()))
        org = product.CAST[lead][0]
        lead_key = self.model.key(lead, org)
        target = self.m(lead, org)
        if target is None:
            return
        predicted_ok = org == "nord" and self.model.has_role(lead_key, "team_lead")
        was_refused = product.refused(
            lambda: mentoring.share_with_lead(irritation=self.product_irritation(irr), by=self.world.users[irr.author[0]], lead=target)
        )
        assert was_refused != predicted_ok, f"sharing with {lead}: refused={was_refused}"
        if not was_refused:
            irr.lead = lead_key

    def shared(self) -> list[MIrritation]:
        return [i for i in self.model.irritations.values() if i.lead is not None and self.model.active(i.author)]

    @precondition(lambda self: self.shared())
    @rule(data=st.data())
    def she_revokes(self, data: Any) -> None:
        irr = data.draw(st.sampled_from(self.shared()))
        mentoring.revoke_lead_share(irritation=self.product_irritation(irr), by=self.world.users[irr.author[0]])
        irr.lead = None

    @rule(peer=st.sampled_from(PEERS))
    def she_agrees_to_the_handover(self, peer: str) -> None:
        key = self.model.key(peer, "nord")
        membership = self.m(peer)
        if membership is None or not self.model.active(key):
            return
        assert key is not None
        was_refused = product.refused(lambda: mentoring.hand_over(peer=membership, by=self.world.users[peer]))
        predicted_ok = self.model.hand_over(key) if not was_refused else self.model.counting(key) is not None
        assert was_refused != predicted_ok, f"handover for {peer}: refused={was_refused}"

    # --- mentoring -----------------------------------------------------------------------------------

    @rule(
        peer=st.sampled_from(PEERS),
        mentor=st.sampled_from(["mentor1", "mentor2", "professional", "outsider", "org_admin"]),
        by=st.sampled_from(["lead1", "org_admin"]),
    )
    def assign_a_mentor(self, peer: str, mentor: str, by: str) -> None:
        if self.m(by) is None:
            return
        self._assign(peer, mentor, by=by)

    @rule(
        peer=st.sampled_from(PEERS),
        mentor=st.sampled_from(["mentor2", "org_admin", "mentor1"]),
    )
    def a_mentor_is_proposed_and_not_yet_accepted(self, peer: str, mentor: str) -> None:
        """Nothing of hers reaches a proposed mentor (also an org admin proposing herself)."""
        peer_m, mentor_m = self.m(peer), self.m(mentor)
        if peer_m is None or mentor_m is None:
            return
        by = self.world.users["org_admin"] if mentor == "org_admin" else self.world.users["lead1"]
        product.refused(lambda: product.propose_only(peer=peer_m, mentor=mentor_m, by=by))

    @precondition(lambda self: any(a.current for a in self.model.assignments.values()))
    @rule(peer=st.sampled_from(PEERS))
    def end_the_mentoring(self, peer: str) -> None:
        key = self.model.key(peer, "nord")
        a = self.model.current_assignment(key) if key else None
        if a is None:
            return
        # The agreed, not yet ended mentoring, also of a peer who has left (current() no longer counts it).
        assignment = MentorAssignment.objects.filter(
            peer=self.m(peer), state=MentorAssignment.State.ACCEPTED, ended_on__isnull=True
        ).first()
        if assignment is None:
            return
        mentoring.end_assignment(assignment=assignment, by=self.world.users["org_admin"])
        self.model.end_assignment(a)

    @rule(peer=st.sampled_from(PEERS))
    def the_mentor_records_a_talk(self, peer: str) -> None:
        key = self.model.key(peer, "nord")
        a = self.model.counting(key) if key else None
        if a is None:
            return
        note = self.marker("checkin")
        assignment = MentorAssignment.objects.current().get(peer=self.m(peer))
        mentoring.record_check_in(assignment=assignment, by=self.world.users[a.mentor[0]], held_on=self.today, note=note)
        self.check_in_notes[note] = a.mentor[0]

    # --- roles, leaving, a second organisation ------------------------------------------------------

    @rule(
        change=st.sampled_from(
            [
                ("mentor1", "mentor"),
                ("mentor2", "mentor"),
                ("lead1", "team_lead"),
                ("lead2", "team_lead"),
                ("peer", "peer"),
                ("org_admin", "mentor"),
            ]
        )
    )
    def a_role_changes(self, change: tuple[str, str]) -> None:
        person, role = change
        key = self.model.key(person, "nord")
        membership = self.m(person)
        if membership is None or not self.model.active(key):
            return
        roles = set(self.model.members[(person, "nord")].roles)
        roles ^= {role}
        if role == "peer":
            roles = {"peer"} if "peer" in roles else {"professional"}
        if not roles:
            roles = {"professional"}
        accounts.set_roles(membership=membership, roles=sorted(roles), by=self.world.users["org_admin"])
        self.model.members[(person, "nord")].roles = roles

    @precondition(lambda self: any(self.active(p) for p in ("peer", "mentor1", "mentor2", "lead1")))
    @rule(person=st.sampled_from(["peer", "mentor1", "mentor2", "lead1"]))
    def someone_leaves(self, person: str) -> None:
        key = self.model.key(person, "nord")
        membership = self.m(person)
        if membership is None or not self.model.active(key):
            return
        accounts.end_membership(membership=membership, by=self.world.users["org_admin"])
        self.model.members[(person, "nord")].active = False

    @precondition(lambda self: not all(self.active(p) for p in ("peer", "mentor1", "mentor2", "lead1")))
    @rule(person=st.sampled_from(["peer", "mentor1", "mentor2", "lead1"]))
    def someone_rejoins(self, person: str) -> None:
        record = self.model.members[(person, "nord")]
        if record.active:
            return
        self._join(person, "nord", record.roles, by="org_admin")

    def _join(self, person: str, org: str, roles: set[str], *, by: str) -> None:
        team = self.world.team if org == "nord" and product.CAST[person][2] and roles & {"peer", "professional"} else None
        _invitation, token = accounts.invite(
            by=self.world.users[by], organisation=self.world.orgs[org], email=f"{person}@example.org", roles=sorted(roles), team=team
        )
        accounts.accept_invitation(token=token, user=self.world.users[person])
        self.model.join(person, org, roles)

    @precondition(lambda self: not self.active("mentor1", "sued"))
    @rule()
    def mentor1_joins_the_second_organisation(self) -> None:
        record = self.model.members.get(("mentor1", "sued"))
        if record is not None and record.active:
            return
        self._join("mentor1", "sued", {"mentor"}, by="outsider")

    @precondition(lambda self: self.active("mentor1", "sued"))
    @rule()
    def mentor1_leaves_the_second_organisation(self) -> None:
        membership = self.m("mentor1", "sued")
        if membership is None:
            return
        accounts.end_membership(membership=membership, by=self.world.users["outsider"])
        self.model.members[("mentor1", "sued")].active = False

    # --- second factor ----------------------------------------------------------------------------------

    @rule(org=st.sampled_from(product.ORGS))
    def the_second_factor_requirement_changes(self, org: str) -> None:
        admin = "org_admin" if org == "nord" else "outsider"
        organisation = self.world.orgs[org]
        organisation.refresh_from_db()
        accounts.update_organisation_settings(
            organisation=organisation, by=self.world.users[admin], mfa_required=not organisation.mfa_required
        )
        self.model.mfa_required[org] = not self.model.mfa_required[org]
        self.clients.clear()

    @rule(person=st.sampled_from(["mentor1", "org_admin", "supervisor"]))
    def a_second_factor_comes_or_goes(self, person: str) -> None:
        on = person not in self.model.totp
        product.set_totp(self.world.users[person], on)
        self.model.totp ^= {person}
        self.clients = {k: v for k, v in self.clients.items() if k[0] != person}

    # --- time, sweeps, e-mail ----------------------------------------------------------------------------

    @rule(days=st.sampled_from([1, 2, 3, 8]), sweep=st.booleans())
    def time_passes(self, days: int, sweep: bool) -> None:
        self.traveller.shift(dt.timedelta(days=days))
        self.today = timezone.localdate()
        self.model.today = self.today
        self.clients.clear()  # sessions end after 12 hours
        if sweep:
            self.escalation_sweep()

    @rule()
    def escalation_sweep(self) -> None:
        escalation.escalate_due()
        self.model.sweep()

    @rule()
    def emails_go_out(self) -> None:
        mail.outbox = []
        sending.send_due(now=timezone.now() + dt.timedelta(days=1))  # past anyone's quiet hours
        addresses = {f"{p}@example.org" for p in PEOPLE}
        for message in mail.outbox:
            texts = [message.subject, message.body] + [c for c, _t in getattr(message, "alternatives", [])]
            for text in texts:
                assert SECRET not in text, f"confidential text in an e-mail to {message.to}"
            assert set(message.to) <= addresses, message.to
        Figures.checks += len(mail.outbox)

    # --- after every step ---------------------------------------------------------------------------------

    @invariant()
    def count_the_step(self) -> None:
        Figures.steps += 1
        self.step += 1

    @invariant()
    def visible_to_agrees_with_the_model(self) -> None:
        actual = product.readers(self.world, PEOPLE)
        for pk, irr in self.model.irritations.items():
            may = self.model.may_readers(irr, PEOPLE)
            must = self.model.must_readers(irr, PEOPLE)
            got = actual.get(pk, set())
            assert got <= may, f"irritation of {irr.author[0]}: {sorted(got - may)} can read it, the rules say no"
            assert must <= got, f"irritation of {irr.author[0]}: {sorted(must - got)} cannot read it, the rules say yes"
            Figures.checks += len(PEOPLE)
        audience = product.audience_function()
        if audience is None:
            Figures.not_yet.add("audience function")
            return
        for pk, irr in self.model.irritations.items():
            named = _people_of(audience(self.product_irritation(irr)), self.world)
            assert named == actual.get(pk, set()), f"the audience says {sorted(named)}, visible_to {sorted(actual.get(pk, set()))}"

    @invariant()
    def every_page_and_action_answers_as_the_model_says(self) -> None:
        if not self.model.irritations:
            return
        names = product.action_names()
        irritations = list(self.model.irritations.values())
        in_turn = irritations[self.step % len(irritations)]
        for n, person in enumerate(PEOPLE):
            # CI: every person asks for one irritation in turn (and for every one the model lets her
            # read) and tries one of its action URLs in turn; the long profile asks for everything.
            pages = irritations if ALL_ACTIONS_EVERY_STEP else [
                i for i in irritations if i is in_turn or self.model.may_read(person, i)
            ]
            for org in self._selections(person):
                client = self._client(person, org)
                missing = self._missing_cache(person, org)
                for irr in pages:
                    self._check_page(person, org, client, irr, missing)
                    if ALL_ACTIONS_EVERY_STEP:
                        chosen: tuple[str, ...] = names
                    elif irr is in_turn and self.step % 2 == 0:  # action URLs every other step in CI
                        chosen = (names[(self.step + n) % len(names)],)
                    else:
                        chosen = ()
                    for action in chosen:
                        self._check_action(person, org, client, irr, action, missing)

    def _missing_cache(self, person: str, org: str | None) -> dict[Any, Any]:
        """The answers for a missing id, kept while nothing that shapes this person's pages changed."""
        fingerprint = (
            person,
            org,
            tuple(sorted((o, m.gen, m.active, tuple(sorted(m.roles))) for (p, o), m in self.model.members.items() if p == person)),
            person in self.model.totp,
            tuple(sorted(self.model.mfa_required.items())),
            self.today,
        )
        return self.missing_answers.setdefault(fingerprint, {})

    def _selections(self, person: str) -> list[str | None]:
        orgs = [org for org, _m in self.model.active_memberships(person)]
        return [None] if len(orgs) <= 1 else orgs

    def _client(self, person: str, org: str | None) -> Any:
        key = (person, org)
        if key not in self.clients:
            client = product.sign_in(
                self.world.users[person],
                organisation=self.world.orgs[org] if org else None,
                with_totp=person in self.model.totp,
            )
            self.clients[key] = client
        return self.clients[key]

    def _mfa_expectation(self, person: str, org: str | None) -> bool | None:
        """True: the second-factor page must come; False: it must not; None: either (not decided yet)."""
        strict = self.model.blocked_by_mfa(person)
        if product.strict_mfa_landed():
            return strict
        selected = org or next((o for o, _m in sorted(self.model.active_memberships(person), key=lambda x: x[0] != "nord")), None)
        m = self.model.members.get((person, selected)) if selected else None
        by_selected = bool(
            m and self.model.mfa_required.get(selected, False) and m.roles & {"mentor", "supervisor", "org_admin"}
            and person not in self.model.totp
        )
        if by_selected == strict:
            return strict
        Figures.not_yet.add("second factor by the strictest membership")
        return None

    def _missing(self, client: Any, method: str, action: str, data: dict[str, Any], cache: dict[Any, Any]) -> tuple[int, str, str]:
        key = (method, action)
        if key not in cache:
            path = reverse(f"mentoring:{action}", args=[product.MISSING_PK])
            cache[key] = product.request(client, method, path, data)
            Figures.requests += 1
        return cache[key]

    def _check_page(self, person: str, org: str | None, client: Any, irr: MIrritation, missing: dict[Any, Any]) -> None:
        path = reverse("mentoring:irritation_detail", args=[irr.key])
        reads_before = AuditEvent.objects.filter(action="read", object_id=str(irr.key), content_type=self.irritation_ct).count()
        status, body, location = self._read_page(client, path, irr)
        Figures.requests += 1
        self._compare(person, org, client, irr, "GET", "irritation_detail", {}, (status, body, location), missing)
        if status == 200 and person != irr.author[0]:
            assert self._reads_after == reads_before + 1, f"{person} read the irritation of {irr.author[0]} without an audit entry"
        if status == 200 and person == irr.author[0]:
            self._check_sentence(irr, body)
        if status == 200:
            for note, shared in irr.notes.items():
                if person != irr.author[0] and not shared:
                    if product.notes_choice_landed():
                        assert note not in body, f"{person} reads a note {irr.author[0]} wrote for herself"
                    else:
                        Figures.not_yet.add("notes for herself stay hers")
        Figures.checks += 1

    def _read_page(self, client: Any, path: str, irr: MIrritation) -> tuple[int, str, str]:
        """GET the page in a savepoint, counting the read audit entries before it is rolled back."""
        result: tuple[int, str, str] = (0, "", "")
        product.fresh(client)
        try:
            with transaction.atomic():
                response = client.get(path)
                result = (response.status_code, product.normalised(response, path), response.get("Location", ""))
                self._reads_after = AuditEvent.objects.filter(
                    action="read", object_id=str(irr.key), content_type=self.irritation_ct
                ).count()
                raise product._Rollback
        except product._Rollback:
            pass
        return result

    def _check_action(
        self, person: str, org: str | None, client: Any, irr: MIrritation, action: str, missing: dict[Any, Any]
    ) -> None:
        path = reverse(f"mentoring:{action}", args=[irr.key])
        data = product.post_data(action, self.world, self.today)
        answer = product.request(client, "POST", path, data)
        Figures.requests += 1
        self._compare(person, org, client, irr, "POST", action, data, answer, missing)
        Figures.checks += 1

    def _compare(
        self,
        person: str,
        org: str | None,
        client: Any,
        irr: MIrritation,
        method: str,
        action: str,
        data: dict[str, Any],
        answer: tuple[int, str, str],
        missing: dict[Any, Any],
    ) -> None:
        status, body, location = answer
        where = f"{method} {action} of {irr.author[0]}'s irritation by {person}" + (f" (in {org})" if org else "")
        mfa = self._mfa_expectation(person, org)
        at_mfa = status == 302 and location.startswith(product.mfa_url())
        if mfa is True:
            assert at_mfa, f"{where}: {status} without the second factor it needs"
            return
        if mfa is None and at_mfa:
            return
        assert not at_mfa, f"{where}: sent to set up a second factor it does not need"
        if not self.model.may_read(person, irr):
            assert status == 404, f"{where}: {status}, the rules say nobody but the audience may see it"
            gone = self._missing(client, method, action, data, missing)
            assert (status, body) == gone[:2], f"{where}: the 404 differs from that of a missing id: {_diff(gone[1], body)}"
            return
        if method == "GET" and self.model.must_read(person, irr):
            assert status == 200, f"{where}: {status}, the rules say she (or her mentor) reads it"
        elif method == "GET":
            assert status in (200, 404), f"{where}: {status}"
        else:
            assert status in (200, 302, 404, 422) if not self.model.must_read(person, irr) else status in (200, 302, 422), (
                f"{where}: {status}"
            )

    def _check_sentence(self, irr: MIrritation, body: str) -> None:
        """What the page tells her about who can read it is true (rendered from the audience function)."""
        if product.audience_function() is None:
            Figures.not_yet.add("the page's sentence from the audience function")
            return
        readers = self.model.must_readers(irr, PEOPLE) - {irr.author[0]}
        for person in readers:
            assert self.world.users[person].display_name in body, f"the page does not name {person}, who can read it"

    @invariant()
    def notifications_go_only_to_the_audience(self) -> None:
        new = list(Notification.objects.filter(pk__gt=self.seen_notification).select_related("recipient").order_by("pk"))
        if new:
            self.seen_notification = new[-1].pk
        by_user = {u.pk: p for p, u in self.world.users.items()}
        for n in new:
            dumped = json.dumps([n.context, n.url, n.kind, n.object_id], ensure_ascii=False)
            assert SECRET not in dumped, f"confidential text in a notification {n.kind}"
            target = None
            if n.content_type_id == self.irritation_ct.pk:
                target = self.model.irritations.get(int(n.object_id))
            elif "/mentoring/irritations/" in n.url:
                digits = n.url.rstrip("/").split("/")[-1]
                target = self.model.irritations.get(int(digits)) if digits.isdigit() else None
            who = by_user.get(n.recipient_id) if n.recipient_id else None
            if target is not None:
                assert who is not None and self.model.may_read(who, target), (
                    f"{n.kind} about {target.author[0]}'s irritation went to {who}, who may not read it"
                )
            if n.kind == "mentoring.irritation_backup":
                assert not n.context.get("peer_name"), "the backup learned the name of a peer who did not allow it"
            if n.kind == "mentoring.peer_needs_mentor" and n.context.get("peer_name"):
                Figures.not_yet.add("no-mentor notices without her name")
            Figures.checks += 1

    @invariant()
    def exports_hold_only_ones_own_data(self) -> None:
        # One person's export per step, in turn (the peer's every other step); every export in the long profile.
        rota = [p for person in PEOPLE for p in ("peer", person) if person != "peer"]
        people = PEOPLE if ALL_ACTIONS_EVERY_STEP else [rota[self.step % len(rota)]]
        for person in people:
            text = json.dumps(privacy.export_for(self.world.users[person]), ensure_ascii=False)
            for irr in self.model.irritations.values():
                for marker in [*irr.markers, *irr.notes]:
                    if marker in text:
                        assert person == irr.author[0], f"{person}'s export holds {irr.author[0]}'s irritation"
            for marker, mentor in self.mentor_markers.items():
                if marker in text:
                    assert person == mentor or any(
                        person == i.author[0] for i in self.model.irritations.values()
                    ), f"{person}'s export holds {mentor}'s reply"
            for note, mentor in self.check_in_notes.items():
                if note in text and person != mentor:
                    if product.check_in_note_is_the_mentors():
                        raise AssertionError(f"{person}'s export holds {mentor}'s private check-in note")
                    Figures.not_yet.add("the mentor's private note stays out of the peer's export")
            Figures.checks += 1


def _diff(expected: str, got: str) -> str:
    import difflib

    lines = difflib.unified_diff(expected.splitlines(), got.splitlines(), "missing id", "this id", n=0, lineterm="")
    return "\n".join(list(lines)[:12])


def _people_of(audience: Any, world: product.World) -> set[str]:
    """The cast members an audience (users, memberships, or rows naming them) stands for."""
    by_user = {u.pk: p for p, u in world.users.items()}
    found: set[str] = set()
    for entry in audience:
        if hasattr(entry, "user_id"):
            found.add(by_user.get(entry.user_id, f"someone else ({entry.user_id})"))
            continue
        user = getattr(entry, "user", None) or getattr(entry, "person", None) or entry
        if isinstance(user, dict):
            user = user.get("user")
        pk = getattr(user, "pk", user)
        if pk in by_user:
            found.add(by_user[pk])
    return found


@pytest.mark.django_db
def test_confidentiality_holds_over_every_history(record_property: Any) -> None:
    before = (Figures.histories, Figures.steps, Figures.requests, Figures.checks)
    try:
        with time_machine.travel(START, tick=False) as traveller:
            ConfidentialityOverTime.world = product.build_world()
            ConfidentialityOverTime.traveller = traveller
            run_state_machine_as_test(ConfidentialityOverTime, settings=settings.get_profile(PROFILE))
    finally:
        histories, steps, requests, checks = (
            Figures.histories - before[0],
            Figures.steps - before[1],
            Figures.requests - before[2],
            Figures.checks - before[3],
        )
        record_property("stateful_profile", PROFILE)
        record_property("stateful_histories", histories)
        record_property("stateful_steps", steps)
        record_property("stateful_requests", requests)
        record_property("stateful_checks", checks)
        record_property("stateful_not_yet", ", ".join(sorted(Figures.not_yet)) or "-")
    assert histories >= 1 and steps >= histories
