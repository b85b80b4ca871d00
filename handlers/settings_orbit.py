"""/settings orbit — the team's community weights and orbit level thresholds (issue 16's "configurable per team"):
what each kind of interaction is worth and the scores that place a member in levels 1, 2 and 3."""

from __future__ import annotations

from dataclasses import replace

from handlers import markup
from handlers.core import Reply
from handlers.errors import UserError, quote_token
from handlers.i18n import _
from handlers.router import Request
from storage.community.members import InteractionKind
from storage.community.orbit import DEFAULT_ORBIT, Orbit

ORBIT_EXAMPLE = "/settings orbit reaction=1 poll=2 attendance=5 talk=10 levels=20/8/3"
KINDS = {"reaction": InteractionKind.REACTION, "reactions": InteractionKind.REACTION,
         "poll": InteractionKind.POLL_ANSWER, "poll_answer": InteractionKind.POLL_ANSWER,
         "attendance": InteractionKind.ATTENDANCE, "talk": InteractionKind.SPEAKING,
         "speaking": InteractionKind.SPEAKING}
MAX_WEIGHT = 100.0


def orbit_of(req: Request) -> Orbit:
    return Orbit.loads(req.team.orbit)


def orbit_settings(req: Request, words: list[str]) -> Reply:
    """Who may: the permission table (/settings with anything after it is for admins)."""
    if not words:
        return Reply(describe_orbit(orbit_of(req)), ephemeral=True)
    orbit = DEFAULT_ORBIT if [w.lower() for w in words] == ["default"] else parse_orbit(words, orbit_of(req))
    req.team.orbit = None if orbit == DEFAULT_ORBIT else orbit.dumps()
    req.session.add(req.team)
    return Reply("⚙️ " + _("Settings changed.") + "\n" + describe_orbit(orbit))


def parse_orbit(words: list[str], current: Orbit) -> Orbit:
    weights, thresholds = dict(current.weights), current.thresholds
    for word in words:
        key, sep, value = word.partition("=")
        name = key.strip().lower()
        if not sep or (name not in KINDS and name != "levels"):
            raise UserError(_("{token} is not an orbit setting; use reaction=, poll=, attendance=, talk= or "
                              "levels=.").format(token=quote_token(word)), example=ORBIT_EXAMPLE)
        if name == "levels":
            thresholds = _levels(value)
        else:
            weights[KINDS[name]] = _weight(name, value)
    return replace(current, weights=weights, thresholds=thresholds)


def _weight(name: str, raw: str) -> float:
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        value = -1.0
    if not 0 <= value <= MAX_WEIGHT:
        raise UserError(_("{name} is a weight from 0 to 100, not {token}.").format(name=name, token=quote_token(raw)),
                        example=ORBIT_EXAMPLE)
    return value


def _levels(raw: str) -> tuple[float, float, float]:
    try:
        a, b, c = (float(part.replace(",", ".")) for part in raw.split("/"))
    except ValueError:
        a = b = c = -1.0
    if not a > b > c > 0:
        raise UserError(_("levels are the lowest scores of levels 1, 2 and 3, highest first, like 20/8/3; not "
                          "{token}.").format(token=quote_token(raw)), example=ORBIT_EXAMPLE)
    return a, b, c


def describe_orbit(orbit: Orbit) -> str:
    return f"• {_('community weights')}: {orbit_text(orbit)}"


def orbit_text(orbit: Orbit) -> str:
    """The weights and the levels' thresholds, as /settings and /history settings write them."""
    w = orbit.weights
    return _("reaction {reaction} · poll answer {poll} · attendance {attendance} · talk {talk}; orbit levels from "
             "{levels} (1 / 2 / 3)").format(
        reaction=_n(w[InteractionKind.REACTION]), poll=_n(w[InteractionKind.POLL_ANSWER]),
        attendance=_n(w[InteractionKind.ATTENDANCE]), talk=_n(w[InteractionKind.SPEAKING]),
        levels=markup.escape(" / ".join(_n(t) for t in orbit.thresholds)))


def _n(value: float) -> str:
    return f"{value:g}"
