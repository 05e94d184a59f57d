"""The independent model of "who may read an irritation", written from the rules of issue 13.

Nothing here imports the product's access code: the model keeps its own small picture of the world
(memberships and roles, mentor assignments, the irritations and who each was given to, shares,
second factors) and answers two questions for every person and irritation:

* ``may_read`` — the confidentiality promise, an upper bound. Nobody outside it may ever read.
* ``must_read`` — the lower bound: the peer herself, and the mentor she gave it to, are never locked
  out while the facts that let them read hold.

Where the rules leave the product a choice (a sweep handing an irritation back to the peer while its
mentor briefly lost the role), ``must`` is False and ``may`` is True: the product may be stricter than
the promise, never looser.

The rules, in the words of the issue:

1. The peer who raised it reads it while her membership lasts.
2. Her current mentor reads it once she addressed it to her mentor (or it escalated, or she agreed to
   a handover), and only under the mentor assignment that was current when it reached him. "Current"
   is the one notion of rule of practice 1: the assignment has not ended (and was accepted), the mentor
   is an active member holding the mentor role, the peer is an active member holding the peer role.
   When that assignment ends, nothing of hers stays with him; a new assignment needs her consent again.
3. A team lead she shared it with reads it while the share stands, he is an active member holding
   the team-lead role, and she is still a member (a share made by someone who left ends with her).
4. Nobody else: not other mentors, team leads, org admins, professionals, supervisors, operators or
   people of another organisation.
5. Whoever holds a confidential role (mentor, supervisor, org admin) in any organisation that requires
   a second factor has one before reading anything confidential, whatever organisation is selected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

MKey = tuple[str, str, int]  # (person, organisation, generation): one membership

CONFIDENTIAL_ROLES = frozenset({"mentor", "supervisor", "org_admin"})


@dataclass
class MMembership:
    roles: set[str]
    active: bool = True
    gen: int = 0


@dataclass
class MAssignment:
    aid: int
    peer: MKey
    mentor: MKey
    current: bool = True  # accepted and not ended
    proposed: bool = False  # proposed, not yet accepted (consent): counts for nothing


@dataclass
class MIrritation:
    key: int
    author: MKey
    is_open: bool = True
    with_mentor: bool = False
    clarify_by: dt.date = dt.date.min
    # The assignments under which the peer gave it to a mentor (address, escalation, handover, found).
    consented: set[int] = field(default_factory=set)
    # The assignment it was last given to, and whether it certainly still holds it (a sweep may have
    # handed it back to the peer while that mentor briefly lost the role: then only "may" remains).
    holder: int | None = None
    certain: bool = True
    pending: bool = False  # its mentor left her: it moves on only with her consent
    lead: MKey | None = None
    # Texts that only the peer (and those she gave the irritation to) may see.
    markers: list[str] = field(default_factory=list)
    # Notes she wrote while clarifying it herself, and whether she chose to share each.
    notes: dict[str, bool] = field(default_factory=dict)


class Model:
    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.members: dict[tuple[str, str], MMembership] = {}
        self.mfa_required: dict[str, bool] = {}
        self.totp: set[str] = set()
        self.assignments: dict[int, MAssignment] = {}
        self.irritations: dict[int, MIrritation] = {}
        self.tandem_partners: set[tuple[str, str]] = set()  # (peer person, professional person), open tandems
        self._aid = 0

    # --- memberships ---------------------------------------------------------------------------

    def join(self, person: str, org: str, roles: set[str]) -> MKey:
        old = self.members.get((person, org))
        gen = 0 if old is None else old.gen + 1
        self.members[(person, org)] = MMembership(roles=set(roles), gen=gen)
        return (person, org, gen)

    def key(self, person: str, org: str) -> MKey | None:
        m = self.members.get((person, org))
        return None if m is None else (person, org, m.gen)

    def active(self, key: MKey | None) -> bool:
        if key is None:
            return False
        m = self.members.get(key[:2])  # type: ignore[arg-type]
        return m is not None and m.gen == key[2] and m.active

    def has_role(self, key: MKey | None, role: str) -> bool:
        return self.active(key) and role in self.members[key[:2]].roles  # type: ignore[index]

    def active_memberships(self, person: str) -> list[tuple[str, MMembership]]:
        return [(org, m) for (p, org), m in self.members.items() if p == person and m.active]

    def needs_mfa(self, person: str) -> bool:
        """Rule 5: the strictest of all her memberships decides."""
        return any(
            self.mfa_required.get(org, False) and m.roles & CONFIDENTIAL_ROLES for org, m in self.active_memberships(person)
        )

    def blocked_by_mfa(self, person: str) -> bool:
        return self.needs_mfa(person) and person not in self.totp

    # --- mentoring -----------------------------------------------------------------------------

    def counting(self, peer: MKey) -> MAssignment | None:
        """The assignment that counts for ``peer`` now (rule of practice 1), if any."""
        for a in self.assignments.values():
            if (
                a.current
                and a.peer == peer
                and self.has_role(a.mentor, "mentor")
                and self.has_role(a.peer, "peer")
            ):
                return a
        return None

    def current_assignment(self, peer: MKey) -> MAssignment | None:
        """The peer's assignment that has not ended (whether or not it counts)."""
        return next((a for a in self.assignments.values() if a.current and a.peer == peer), None)

    def start_assignment(self, peer: MKey, mentor: MKey) -> MAssignment:
        previous = self.current_assignment(peer)
        if previous is not None:
            self.end_assignment(previous)
        self._aid += 1
        a = MAssignment(aid=self._aid, peer=peer, mentor=mentor)
        self.assignments[a.aid] = a
        return a

    def end_assignment(self, a: MAssignment) -> None:
        a.current = False
        for irr in self.irritations.values():
            if irr.holder == a.aid and irr.is_open:
                irr.holder = None
                irr.certain = True
                irr.pending = True

    def give_to_mentor(self, irr: MIrritation) -> None:
        """She addressed it, it escalated, it was handed over or a mentor was found: her current mentor gets it."""
        a = self.counting(irr.author)
        irr.with_mentor = True
        if a is not None:
            irr.consented.add(a.aid)
            irr.holder = a.aid
            irr.certain = True
            irr.pending = False

    def refusal_of_mentor(self, peer: MKey, mentor: MKey | None) -> bool:
        """True when ``mentor`` cannot become the mentor of ``peer`` (any path)."""
        if mentor is None or not self.has_role(peer, "peer") or not self.has_role(mentor, "mentor"):
            return True
        if mentor[0] == peer[0] or mentor[1] != peer[1]:
            return True
        if (peer[0], mentor[0]) in self.tandem_partners:
            return True
        current = self.current_assignment(peer)
        return current is not None and current.mentor == mentor

    # --- who may read --------------------------------------------------------------------------

    def is_author(self, person: str, irr: MIrritation) -> bool:
        return person == irr.author[0] and self.active(irr.author)

    def may_read_as_mentor(self, person: str, irr: MIrritation) -> bool:
        a = self.counting(irr.author)
        return irr.with_mentor and a is not None and a.mentor[0] == person and a.aid in irr.consented

    def must_read_as_mentor(self, person: str, irr: MIrritation) -> bool:
        a = self.counting(irr.author)
        return (
            self.may_read_as_mentor(person, irr)
            and a is not None
            and irr.holder == a.aid
            and irr.certain
            and not irr.pending
        )

    def reads_as_lead(self, person: str, irr: MIrritation) -> bool:
        return (
            irr.lead is not None
            and irr.lead[0] == person
            and self.has_role(irr.lead, "team_lead")
            and self.active(irr.author)
        )

    def may_read(self, person: str, irr: MIrritation) -> bool:
        return self.is_author(person, irr) or self.may_read_as_mentor(person, irr) or self.reads_as_lead(person, irr)

    def must_read(self, person: str, irr: MIrritation) -> bool:
        return self.is_author(person, irr) or self.must_read_as_mentor(person, irr) or self.reads_as_lead(person, irr)

    def may_readers(self, irr: MIrritation, cast: list[str]) -> set[str]:
        return {p for p in cast if self.may_read(p, irr)}

    def must_readers(self, irr: MIrritation, cast: list[str]) -> set[str]:
        return {p for p in cast if self.must_read(p, irr)}

    # --- what the sweep does to access -----------------------------------------------------------

    def sweep(self) -> None:
        """The escalation sweep, as the rules say: who left ends the mentoring; overdue ones go to the mentor."""
        for a in list(self.assignments.values()):
            if a.current and (not self.active(a.mentor) or not self.active(a.peer)):
                self.end_assignment(a)
        for irr in self.irritations.values():
            if not irr.is_open or irr.pending:
                continue
            if not irr.with_mentor:
                if self.today > irr.clarify_by:
                    self.give_to_mentor(irr)
                continue
            counting = self.counting(irr.author)
            if irr.holder is None:
                if counting is not None:
                    self.give_to_mentor(irr)  # she had no mentor when it reached the mentor stage
            elif counting is None or counting.aid != irr.holder:
                # Its mentor does not count just now: the product may hand it back to her.
                irr.certain = False

    def hand_over(self, peer: MKey) -> bool:
        """She agrees that her current mentor takes over; False when she has none (refused)."""
        counting = self.counting(peer)
        if counting is None:
            return False
        for irr in self.irritations.values():
            if irr.author != peer or not irr.is_open:
                continue
            if irr.pending or (not irr.certain and irr.holder == counting.aid):
                self.give_to_mentor(irr)
        return True
