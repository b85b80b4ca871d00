"""/checklist — the ten-point event checklist from the seed talk, ticked with buttons."""

from __future__ import annotations

from handlers import markup
from handlers.activity import load_activity
from handlers.core import Button, Reply
from handlers.errors import UserError
from handlers.i18n import _
from handlers.router import Request, registry
from storage.domain import Kind
from storage.models import CHECKLIST_ITEMS
from storage.plan import set_tick, ticked_items

CHECKLIST_EXAMPLE = "/checklist 42"


def label(item: str) -> str:
    labels = {
        "own_content": _("Own content: our talks and speakers"),
        "external_content": _("External content: invited speakers"),
        "organisation": _("Organisation: venue, food, schedule"),
        "announcements": _("Announcements"),
        "online_stream": _("Online stream"),
        "networking": _("Networking"),
        "closing": _("Closing"),
        "post_event_materials": _("Post-event materials: slides, videos"),
        "reporting": _("Reporting"),
        "misc": _("Misc"),
    }
    return labels[item]


@registry.command(
    "checklist",
    summary="An event's ten-point checklist; tick items with the buttons",
    usage="/checklist <event id> [tick|untick <item>]",
    examples=(CHECKLIST_EXAMPLE, "/checklist 42 tick announcements", "/checklist 42 untick online_stream"),
    details="Open items are reminded 7 and 2 days before the event. Items to tick: own_content, external_content, "
    "organisation, announcements, online_stream, networking, closing, post_event_materials, reporting, misc.",
)
def checklist(req: Request) -> Reply:
    parts = req.args.split()
    activity = load_activity(req, parts[0] if parts else "", example=CHECKLIST_EXAMPLE)
    if activity.kind != Kind.EVENT.value:
        raise UserError(_("#{id} is a {kind}; checklists are for events (meetups, workshops).").format(
            id=activity.id, kind=activity.kind), example=CHECKLIST_EXAMPLE)
    if len(parts) > 1:
        action = parts[1].lower()
        item = parts[2].lower() if len(parts) > 2 else ""
        if action not in ("tick", "untick") or item not in CHECKLIST_ITEMS or len(parts) > 3:
            raise UserError(_("Write tick or untick and one of: {items}.").format(items=", ".join(CHECKLIST_ITEMS)),
                            example="/checklist 42 tick announcements")
        set_tick(req.session, activity=activity, item=item, ticked=action == "tick", member_id=req.member.id)
    ticked = ticked_items(req.session, activity_id=activity.id)
    lines = [markup.bold(_("Checklist for {title}").format(title=activity.title)) +
             f" ({len(ticked)}/{len(CHECKLIST_ITEMS)})"]
    lines.extend(f"{'✅' if item in ticked else '⬜'} {markup.escape(label(item))}" for item in CHECKLIST_ITEMS)
    buttons = tuple(Button(f"☑ {label(item).split(':')[0]}", f"/checklist {activity.id} tick {item}")
                    for item in CHECKLIST_ITEMS if item not in ticked)
    return Reply("\n".join(lines), buttons=buttons, ephemeral=True)
