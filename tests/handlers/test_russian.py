"""A Russian-speaking team: every kind logged with Russian words and dates, every reply in Russian, the same
numbers as an English team; a person's own language for what only they see."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from sqlmodel import select

from handlers.core import ChatRef, Incoming, UserRef
from handlers.router import Router
from storage.models import Activity, Team
from tests.helpers import ALICE, incoming, say, text_of

RU_CHAT = ChatRef(platform="console", chat_id="ru-team")
EN_CHAT = ChatRef(platform="console", chat_id="en-team")

# The clock says Thursday 2026-11-26.
RUSSIAN = [
    '/log доклад "Масштабируем Postgres" @ HighLoad++ вчера аудитория=300 контакты=25 стоимость=150 000 руб #backend',
    '/log митап "Go Meetup #3" @ Офис 20 ноября аудитория=80 просмотры_трансляции=1.2к стоимость=€500',
    "/log стенд Стенд на DevConf @ DevConf 20.11 участники=150 контакты=90 стоимость=3000₽",
    '/log статья "Почему Kafka" @ Хабр 20 ноя 2026 просмотры=12к лайки=140 репосты=10 комментарии=5',
    '/log твит "Тред о релизе" @ Telegram сегодня просмотры=5к лайки=80 целевые_действия=7',
    '/log выступление "Kafka для всех" @ DevFest завтра статус=запланировано',
]
ENGLISH = [
    '/log talk "Масштабируем Postgres" @ HighLoad++ yesterday audience=300 contacts=25 cost=150000rub #backend',
    '/log meetup "Go Meetup #3" @ Офис 2026-11-20 audience=80 stream_views=1.2k cost=500eur',
    '/log booth "Стенд на DevConf" @ DevConf 20.11.2026 participants=150 contacts=90 cost=3000rub',
    '/log article "Почему Kafka" @ Хабр 2026-11-20 views=12k likes=140 shares=10 comments=5',
    '/log tweet "Тред о релизе" @ Telegram today views=5k likes=80 target_actions=7',
    '/log talk "Kafka для всех" @ DevFest tomorrow status=planned',
]
KINDS = ["доклад", "мероприятие", "партнёрство", "публикация", "соцсети", "доклад"]


def team_of(db, chat: ChatRef) -> Team:
    from storage.teams import team_for_chat

    with db.session() as s:
        team = team_for_chat(s, platform=chat.platform, scope_id=chat.scope)
        assert team is not None
        return team


def ledger(db, chat: ChatRef) -> list[tuple]:
    team_id = team_of(db, chat).id
    with db.session() as s:
        rows = s.exec(select(Activity).where(Activity.team_id == team_id).order_by(Activity.id)).all()
        return [(a.kind, a.title, a.venue, a.date, a.status, a.audience, a.stream_views, a.participants, a.views,
                 a.likes, a.shares, a.comments, a.target_actions, a.contacts, a.cost, a.currency) for a in rows]


def russian_team(router: Router) -> None:
    say(router, "/settings language=ru currency=RUB", chat=RU_CHAT)


def test_a_russian_team_logs_every_kind_in_russian_and_reads_russian_replies(router, db):
    russian_team(router)

    replies = [say(router, line, chat=RU_CHAT) for line in RUSSIAN]

    for reply, kind in zip(replies, KINDS, strict=True):
        assert not reply.is_error, text_of(reply)
        assert re.match(rf"✅ (Записано|Запланировано): {kind} #\d+ ", text_of(reply)), text_of(reply)
    first = text_of(replies[0])
    assert "аудитория: 300" in first and "контакты: 25" in first
    assert "150\xa0000,00\xa0₽" in first  # Babel's Russian currency format
    assert "стоимость контакта 6\xa0000,00\xa0₽" in first
    rows = ledger(db, RU_CHAT)
    assert [r[3] for r in rows] == [date(2026, 11, 25), date(2026, 11, 20), date(2026, 11, 20), date(2026, 11, 20),
                                    date(2026, 11, 26), date(2026, 11, 27)]
    assert rows[0][14:] == (Decimal("150000.00"), "RUB") and rows[1][14:] == (Decimal("500.00"), "EUR")
    assert rows[5][4] == "planned"


def test_the_same_data_in_an_english_team_gives_the_same_numbers(router, db):
    russian_team(router)
    say(router, "/settings currency=RUB", chat=EN_CHAT)
    for ru, en in zip(RUSSIAN, ENGLISH, strict=True):
        assert not say(router, ru, chat=RU_CHAT).is_error
        assert not say(router, en, chat=EN_CHAT).is_error

    assert ledger(db, RU_CHAT) == ledger(db, EN_CHAT)
    russian = numbers(text_of(say(router, "/stats month", chat=RU_CHAT)), decimal=",")
    english = numbers(text_of(say(router, "/stats month", chat=EN_CHAT)), decimal=".")
    assert russian == english and russian


def numbers(text: str, *, decimal: str) -> list[str]:
    """The figures of the bullet lines, whatever the locale's separators."""
    figures = []
    for line in text.splitlines():
        if line.startswith("•"):
            plain = re.sub(r"(?<=\d)[\s\u00a0\u202f,.](?=\d{3}\b)", "", line)  # thousands separators
            figures += [f.replace(decimal, ".") for f in re.findall(r"\d+(?:[.,]\d+)?", plain)]
    return figures


def test_help_and_errors_in_russian_with_a_russian_example(router):
    russian_team(router)

    help_text = text_of(say(router, "/help log", chat=RU_CHAT))
    refused = say(router, "/log доклад Kafka @ HighLoad++ 20/11", chat=RU_CHAT)

    assert "Как писать: /log <вид> <название>" in help_text and "Примеры:" in help_text
    assert refused.is_error
    assert "не похоже на дату" in text_of(refused)
    assert 'Пример: /log доклад "Масштабируем Postgres"' in text_of(refused)


def test_an_english_team_sees_no_change(router):
    reply = text_of(say(router, '/log talk "Kafka" @ Conf 2026-11-20 audience=1200 cost=1500usd', chat=EN_CHAT))

    assert reply.startswith("✅ Logged talk #1 Kafka @ Conf")
    assert "• audience: 1,200" in reply and "• cost: $1,500.00" in reply


# --- a person's own language ------------------------------------------------------------------------

RU_PERSON = UserRef(platform="console", user_id="u-olga", display_name="olga")


def as_russian(line: str, *, chat: ChatRef, user: UserRef = RU_PERSON) -> Incoming:
    from dataclasses import replace

    return replace(incoming(line, user=user, chat=chat), language="ru-RU")


def test_what_only_the_person_sees_is_in_their_language_and_the_channel_keeps_the_teams(router, db):
    say(router, "/settings", chat=EN_CHAT, user=ALICE)  # an English team; alice is its admin

    [help_reply] = router.dispatch(as_russian("/help", chat=EN_CHAT))
    [error] = router.dispatch(as_russian("/log доклад Kafka 20/11", chat=EN_CHAT))
    [logged] = router.dispatch(as_russian("/log доклад Kafka @ HighLoad++ вчера аудитория=300", chat=EN_CHAT))

    assert help_reply.ephemeral and "Команды devrelbot" in text_of(help_reply)
    assert error.is_error and "не похоже на дату" in text_of(error)
    assert not logged.ephemeral and text_of(logged).startswith("✅ Logged talk #1")  # the channel reads it
    assert len(ledger(db, EN_CHAT)) == 1  # the command ran once for real: the Russian rerun of help changed nothing


def test_a_chat_that_is_the_persons_own_answers_in_their_language(router):
    own = ChatRef(platform="telegram", chat_id=RU_PERSON.user_id, is_private=True)

    [logged] = router.dispatch(as_russian("/log доклад Kafka вчера аудитория=300", chat=own))

    assert text_of(logged).startswith("✅ Записано: доклад #1 Kafka")


def test_a_language_the_bot_does_not_speak_falls_back_to_the_teams(router):
    from dataclasses import replace

    [reply] = router.dispatch(replace(incoming("/help", chat=EN_CHAT), language="de"))

    assert "devrelbot commands" in text_of(reply)


def test_the_report_reads_in_russian_with_a_chart(router):
    russian_team(router)
    for line in RUSSIAN:
        say(router, line, chat=RU_CHAT)

    replies = router.dispatch(incoming("/report", chat=RU_CHAT))

    text = "\n".join(text_of(r) for r in replies)
    assert "Еженедельный дайджест" in text and "Топ-3 по охвату" in text and "по неделям · 8 недель до" in text
    assert "доклад" in text and "Weekly digest" not in text
    [chart] = [r.image for r in replies if r.image is not None]
    assert chart.content.startswith(b"\x89PNG")


def test_an_update_in_russian_names_what_changed_in_russian(router):
    russian_team(router)
    say(router, '/plan add статья "Итоги" due 10.12.2026 @ Хабр', chat=RU_CHAT)

    done = text_of(say(router, "/plan done 1 просмотры=100", chat=RU_CHAT))
    updated = text_of(say(router, '/update 1 название="Итоги года" лайки=5', chat=RU_CHAT))

    assert "• просмотры: — → 100" in done and "• статус: запланировано → проведено" in done
    assert "• название: Итоги → Итоги года" in updated and "• лайки: — → 5" in updated


def test_the_russian_examples_of_help_work_as_written(router):
    from handlers.i18n import _, use_locale
    from handlers.list import LIST_EXAMPLE
    from handlers.plan import ADD_EXAMPLE
    from handlers.plan import LIST_EXAMPLE as PLAN_LIST_EXAMPLE
    from handlers.report import REPORT_EXAMPLE
    from handlers.stats import STATS_EXAMPLE

    russian_team(router)
    with use_locale("ru"):
        lines = [_(e) for e in (ADD_EXAMPLE, LIST_EXAMPLE, PLAN_LIST_EXAMPLE, REPORT_EXAMPLE, STATS_EXAMPLE,
                                "/report last month", "/list publication week @alice")]

    for line in lines:
        assert re.search("[а-я]", line), line
        for reply in router.dispatch(incoming(line, chat=RU_CHAT)):
            assert not reply.is_error, (line, text_of(reply))
    planned = text_of(router.dispatch(incoming("/plan", chat=RU_CHAT))[0])
    assert "Postgres 17 в продакшене @ Хабр" in planned
