"""/talks — every talk with how many times it was given (re-use, the Orbit advice)."""

from __future__ import annotations

from handlers import markup, render
from handlers.core import Reply
from handlers.i18n import _, ngettext
from handlers.router import Request, registry
from storage.activities import talk_reuse


@registry.command(
    "talks", summary="Each talk with how many times it was given (re-use)", usage="/talks", examples=("/talks",),
    reads_only=True,
)
def talks(req: Request) -> Reply:
    rows = talk_reuse(req.session, team_id=req.team_id)
    if not rows:
        return Reply(
            _("No talks logged yet — try {example}").format(
                example=markup.code(_('/log talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300'))
            ),
            ephemeral=True,
        )
    lines = [markup.bold(_("Talks and their re-use")) + " " + _("(give good talks again, and let others give them)")]
    for row in rows:
        given = ngettext("given {n} time", "given {n} times", row.times_given).format(n=row.times_given)
        extra = []
        if row.last_given:
            extra.append(_("last {date}").format(date=render.day(row.last_given)))
        if row.planned:
            extra.append(_("{n} planned").format(n=row.planned))
        suffix = f" ({', '.join(extra)})" if extra else ""
        lines.append(f"• {markup.escape(row.title)} — {given}{suffix}")
    return Reply("\n".join(lines), ephemeral=True)
