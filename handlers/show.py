"""/show — one activity with its numbers, derived metrics and feedback."""

from __future__ import annotations

from handlers import render
from handlers.activity import load_activity
from handlers.core import Reply
from handlers.feedback_results import activity_lines
from handlers.router import Request, registry
from storage.activities import tags_of
from storage.teams import members_by_id

SHOW_EXAMPLE = "/show 42"


@registry.command(
    "show",
    summary="Show one activity with its numbers and derived metrics",
    usage="/show <id>",
    examples=(SHOW_EXAMPLE,),
    reads_only=True,
)
def show(req: Request) -> Reply:
    activity = load_activity(req, req.args.strip(), example=SHOW_EXAMPLE)
    owner = members_by_id(req.session, ids={activity.owner_id} if activity.owner_id else set()).get(
        activity.owner_id or -1
    )
    assert activity.id is not None  # read from the database
    tags = tags_of(req.session, ids=[activity.id])[activity.id]
    owner_name = owner.display_name if owner is not None else None
    lines = [render.details(activity, tags=tags, owner=owner_name), *activity_lines(req.session, activity=activity,
                                                                              team=req.team)]
    return Reply("\n".join(lines), ephemeral=True)
