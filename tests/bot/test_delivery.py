"""Reply delivery: a reply addressed to another platform's chat goes through that platform's Messenger, and a
tracked one is reported back, so ``/feedback 42 everywhere`` from Slack lands (and counts) in Telegram."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlmodel import select

from bot.app import connect_doors
from bot.delivery import Delivery
from handlers.core import ChatRef, DirectTarget, PollSpec, Reply, SentMessage, UserRef
from storage.models import FeedbackCard
from tests.handlers.test_feedback import GROUP, TALK, in_group
from tests.helpers import incoming, say, text_of

SLACK_CHANNEL = ChatRef(platform="slack", chat_id="C0GENERAL", workspace_id="T0")


@dataclass
class Recording:
    platform: str
    sent: list[tuple[object, Reply | PollSpec]] = field(default_factory=list)

    async def send(self, chat: ChatRef, reply: Reply) -> SentMessage:
        self.sent.append((chat, reply))
        return SentMessage(chat=chat, message_id=f"{self.platform}-{len(self.sent)}")

    async def send_poll(self, chat: ChatRef, poll: PollSpec) -> SentMessage:
        self.sent.append((chat, poll))
        return SentMessage(chat=chat, message_id=f"{self.platform}-{len(self.sent)}", poll_id="p-1")

    async def send_direct(self, target: DirectTarget, reply: Reply) -> SentMessage:
        self.sent.append((target, reply))
        return SentMessage(chat=ChatRef(platform=self.platform, chat_id="dm"), message_id="dm-1")  # type: ignore[arg-type]

    async def stop_poll(self, message: SentMessage) -> None:
        self.sent.append((message, Reply("stopped")))


@dataclass
class FakeDoor:
    messenger: Recording
    delivery: Delivery


async def test_a_reply_for_another_platform_goes_through_its_messenger_and_is_tracked(router, db):
    slack, telegram = Recording("slack"), Recording("telegram")
    doors = [FakeDoor(slack, Delivery(router, {"slack": slack})), FakeDoor(telegram, Delivery(router, {}))]
    assert connect_doors(doors) == {"slack": slack, "telegram": telegram}  # type: ignore[arg-type]
    delivery = doors[0].delivery

    say(router, TALK)
    code = text_of(say(router, "/connect telegram community")).split("Link code: ")[1].split()[0]
    router.dispatch(in_group(f"/connect {code}"))
    here, there, _note = router.dispatch(incoming("/feedback 1 everywhere"))
    await delivery.send(here, here=SLACK_CHANNEL)
    await delivery.send(there, here=SLACK_CHANNEL)
    await delivery.send(Reply("hi", to=DirectTarget(user=UserRef(platform="telegram", user_id="7", display_name="x"))),
                      here=SLACK_CHANNEL)
    await delivery.send(Reply("nobody", to=ChatRef(platform="console", chat_id="c")), here=None)  # no door: logged

    assert [chat for chat, _reply in slack.sent] == [SLACK_CHANNEL]
    assert [chat for chat, _reply in telegram.sent][0] == GROUP
    assert isinstance(telegram.sent[1][0], DirectTarget)
    with db.session() as s:
        posted = {(c.platform, c.chat_id, c.message_id) for c in s.exec(select(FeedbackCard))}
    assert posted == {("slack", "C0GENERAL", "slack-1"), ("telegram", GROUP.chat_id, "telegram-1")}


@dataclass
class RecordingHere:
    """A door's own chat that refuses the first reply it is asked to post."""

    chat_ref: ChatRef
    posted: list[Reply] = field(default_factory=list)
    refuse: bool = True

    async def chat(self) -> ChatRef:
        return self.chat_ref

    async def show_form(self, reply: Reply) -> bool:
        return False

    async def post(self, reply: Reply) -> SentMessage:
        if self.refuse:
            self.refuse = False
            raise ConnectionError("chat unreachable")
        self.posted.append(reply)
        return SentMessage(chat=self.chat_ref, message_id=str(len(self.posted)))


async def test_one_failed_reply_does_not_stop_the_others_and_the_door_hears_of_it(router):
    here = RecordingHere(SLACK_CHANNEL)
    delivery = Delivery(router, {})

    with pytest.raises(ConnectionError, match="chat unreachable"):
        await delivery.deliver([Reply("first"), Reply("second"), Reply("third")], here)

    assert [r.text for r in here.posted] == ["second", "third"]


async def test_a_poll_in_the_command_chat_goes_through_the_messenger_of_its_platform(router):
    slack = Recording("slack")
    delivery = Delivery(router, {"slack": slack})
    poll = PollSpec(question="Best talk?", options=("A", "B"))

    await delivery.deliver([Reply("Poll", poll=poll)], RecordingHere(SLACK_CHANNEL, refuse=False))

    assert slack.sent == [(SLACK_CHANNEL, poll)]


async def test_what_a_door_writes_around_a_poll_reads_in_the_chats_team_language(router):
    from handlers.i18n import _

    class Wording(Recording):
        async def send_poll(self, chat: ChatRef, poll: PollSpec) -> SentMessage:
            self.sent.append((chat, Reply(_("Vote with the number's reaction."))))
            return SentMessage(chat=chat, message_id="p")

        async def stop_poll(self, message: SentMessage) -> None:
            self.sent.append((message, Reply(_("🔒 This poll is closed; its result is final."))))

    say(router, "/settings language=ru")  # the console team chat of tests.helpers is now Russian
    here = incoming("/help").chat
    console = Wording("console")
    delivery = Delivery(router, {"console": console})

    await delivery.send(Reply("", poll=PollSpec(question="?", options=("a", "b"))), here=here)
    await delivery.stop_polls(Reply("", stop_polls=(SentMessage(chat=here, message_id="p"),)))

    assert [reply.text for _target, reply in console.sent] == [
        "Голосуйте реакцией с нужной цифрой.", "🔒 Опрос закрыт; результат окончательный."]
