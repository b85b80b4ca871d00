"""A team's community chats by name: how ``/ask … in #devrel-ru, @go_community`` names the chats a poll goes to,
and how the bot lists them (``/ask chats``, and every reply that refuses a name).

A community chat (a chat linked with ``/connect telegram community``) is named by

- its number as ``/ask chats`` lists it: ``#3``;
- its title (a Telegram group's, kept when the group was linked): ``#go-community``, ``@Go_Community`` or
  ``#"Go community"`` — case, a leading ``#`` or ``@``, and spaces, ``_`` and ``-`` do not matter;
- its id on the platform: a Telegram group's ``-100…``, a Slack channel's ``#C0…`` — or a Slack channel
  mention (``<#C0…|devrel>``, which the door shows as ``#devrel``): the channel it names, when that channel is
  a community chat; otherwise ``#devrel`` is a title like any other;
- ``here``: the chat the question was asked in, community chat or not.

Every name must be found, and found once; otherwise nothing is posted and the reply lists the chats there are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers import markup
from handlers.core import ChatRef, as_platform
from handlers.errors import UserError, quote_token
from handlers.i18n import _
from handlers.router import Request
from storage.links import linked_chats
from storage.models import ChatBinding

HERE = "here"
_TELEGRAM_ID = re.compile(r"^-\d{5,20}$")
_SEPARATORS = re.compile(r"[\s_\-]+")


def looks_like_chat(name: str) -> bool:
    """A word after ``in`` that names a chat: ``#…``, ``@…``, ``here`` or a Telegram group's id. Anything else
    after ``in`` is the last option's own text (``Rust in production``)."""
    text = name.strip()
    return text[:1] in ("#", "@") and len(text) > 1 or text.casefold() == HERE or bool(_TELEGRAM_ID.match(text))


def _folded(name: str) -> str:
    return _SEPARATORS.sub(" ", name.strip().strip("\"“”«»").casefold()).strip()


@dataclass(frozen=True)
class CommunityChat:
    number: int
    chat: ChatRef
    title: str | None

    @property
    def label(self) -> str:
        """``#3 Go community (Telegram -100201)``, or ``#4 Telegram -100202`` for a chat whose title is unknown."""
        where = f"{self.chat.platform.title()} {self.chat.chat_id}"
        # A chat that was a team of its own before it was linked has that team's default name as its title.
        if self.title and self.title != where:
            return f"#{self.number} {self.title} ({where})"
        return f"#{self.number} {where}"

    def is_named(self, name: str) -> bool:
        text = name.strip()
        if text.startswith("#") and text[1:].isdigit():
            return int(text[1:]) == self.number
        bare = text.lstrip("#@")
        if bare.casefold() == self.chat.chat_id.casefold():
            return True
        return self.title is not None and _folded(bare) == _folded(self.title)


def community_chats(req: Request) -> list[CommunityChat]:
    """The team's community chats, in the order they were linked."""
    return [_chat(b) for b in linked_chats(req.session, team_id=req.team_id) if b.purpose == "community"]


def _chat(binding: ChatBinding) -> CommunityChat:
    assert binding.id is not None  # read from the database
    return CommunityChat(number=binding.id, chat=ChatRef(platform=as_platform(binding.platform),
                                                         chat_id=binding.chat_id), title=binding.title)


def _mentioned(req: Request, chats: list[CommunityChat], name: str) -> list[CommunityChat]:
    """The community chat a platform's channel mention ``name`` names, by the channel's id (its title may be
    another one, or shared); none when the name is no mention or its channel is not a community chat."""
    ids = {channel_id for shown, channel_id in req.incoming.channel_mentions if shown == name.strip()}
    platform = req.incoming.chat.platform
    return [c for c in chats if c.chat.platform == platform and c.chat.chat_id in ids]


def listing(chats: list[CommunityChat]) -> str:
    """Each community chat on a line, as a name ``in`` takes."""
    return "\n".join(f"• {markup.escape(c.label)}" for c in chats)


def chats_named(req: Request, names: tuple[str, ...], *, example: str) -> list[ChatRef]:
    """The chats ``names`` name, in that order, each once; a name that finds no chat, or several, is refused
    (:class:`UserError`) with the list of chats there are. ``example`` has a ``{chat}`` for a chat's name."""
    chats = community_chats(req)
    here = req.incoming.chat
    found: list[ChatRef] = []
    unknown: list[str] = []
    for name in names:
        if name.strip().casefold() == HERE:
            target = here
        else:
            named = _mentioned(req, chats, name) or [c for c in chats if c.is_named(name)]
            if len(named) > 1:
                raise UserError(_("{token} names several community chats; name one by its number: {chats}.").format(
                    token=quote_token(name), chats=", ".join(f"#{c.number}" for c in named)),
                    example=example.format(chat=f"#{named[0].number}"))
            if not named:
                unknown.append(name)
                continue
            target = named[0].chat
        if all((t.platform, t.chat_id) != (target.platform, target.chat_id) for t in found):
            found.append(target)
    if unknown:
        tokens = ", ".join(quote_token(n) for n in unknown)
        if not chats:
            raise UserError(_("{tokens}: no community chats are linked yet; /connect telegram community links one.")
                            .format(tokens=tokens), example="/connect telegram community")
        raise UserError(
            _("{tokens}: not a community chat of this team. Its community chats:").format(tokens=tokens)
            + "\n" + listing(chats),
            example=example.format(chat=f"#{chats[0].number}"),
        )
    return found
