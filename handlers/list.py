"""/list — the team's activities, newest first, narrowed by kind, period, @person and #tag."""

from __future__ import annotations

from handlers import markup, render
from handlers.core import Reply
from handlers.filters import Filter, parse_filters
from handlers.i18n import N_, _
from handlers.router import Request, registry
from storage.activities import list_activities
from storage.metrics.activity import reach

LIST_EXAMPLE = N_("/list talk month #backend")
LIST_LIMIT = 30


@registry.command(
    "list",
    summary="List activities, newest first",
    usage="/list [kind] [week|month|quarter|all] [@person] [#tag …] [purpose=…]",
    examples=("/list", LIST_EXAMPLE, "/list publication week @alice", "/list #backend #devops purpose=hiring"),
    details="Several #tags list the activities with any of them.",
    reads_only=True,
)
def list_(req: Request) -> Reply:
    filters = parse_filters(
        req.args,
        session=req.session,
        team_id=req.team_id,
        accept=(Filter.KIND, Filter.PERIOD, Filter.ALL, Filter.PERSON, Filter.TAG, Filter.PURPOSE),
        example=LIST_EXAMPLE,
        unknown=lambda token: _(
            "I don't know what {token} means in /list: give a kind, week, month, quarter or all, @person, #tag "
            "or purpose=…."
        ).format(token=token),
    )
    period = filters.period_for(req.today)
    rows = list_activities(
        req.session,
        team_id=req.team_id,
        scope=filters.scope,
        start=period.start if period else None,
        end=period.end if period else None,
        limit=LIST_LIMIT + 1,
    )
    if not rows:
        return Reply(
            _("Nothing logged here yet — try {example}").format(
                example=markup.code(_('/log talk "My talk" @ Conf today audience=100'))
            ),
            ephemeral=True,
        )
    lines = [f"• {render.headline(a)} — {_('reach')} {render.number(reach(a))}" for a in rows[:LIST_LIMIT]]
    if len(rows) > LIST_LIMIT:
        lines.append(
            _("Showing the newest {n}; narrow it with a kind, a period, @person or #tag.").format(n=LIST_LIMIT)
        )
    return Reply("\n".join(lines), ephemeral=True)
