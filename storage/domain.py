"""The DevRel domain from PRODUCT.md: activity kinds, statuses, and which metrics each kind carries."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class Kind(StrEnum):
    TALK = "talk"
    EVENT = "event"
    PARTNERSHIP = "partnership"
    PUBLICATION = "publication"
    SOCIAL = "social"


class Status(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"


class Purpose(StrEnum):
    """Why an activity was done: the seed talk's split between those who hire and those who sell."""

    HIRING = "hiring"
    BRAND = "brand"
    PRODUCT = "product"
    COMMUNITY = "community"


PURPOSE_ALIASES: dict[str, Purpose] = {
    **{p.value: p for p in Purpose},
    "найм": Purpose.HIRING,
    "бренд": Purpose.BRAND,
    "продукт": Purpose.PRODUCT,
    "сообщество": Purpose.COMMUNITY,
    "комьюнити": Purpose.COMMUNITY,
}


def resolve_purpose(word: str) -> Purpose | None:
    return PURPOSE_ALIASES.get(word.strip().lower())


class Role(StrEnum):
    ADMIN = "admin"
    ADVOCATE = "advocate"
    MEMBER = "member"


KIND_ALIASES: dict[str, Kind] = {
    **{k.value: k for k in Kind},
    "meetup": Kind.EVENT,
    "workshop": Kind.EVENT,
    "hackathon": Kind.EVENT,
    "post": Kind.PUBLICATION,
    "article": Kind.PUBLICATION,
    "video": Kind.PUBLICATION,
    "blog": Kind.PUBLICATION,
    "tweet": Kind.SOCIAL,
    "booth": Kind.PARTNERSHIP,
    # The words a Russian-speaking team logs with (either language's team may use them).
    "доклад": Kind.TALK,
    "выступление": Kind.TALK,
    "мероприятие": Kind.EVENT,
    "событие": Kind.EVENT,
    "митап": Kind.EVENT,
    "воркшоп": Kind.EVENT,
    "хакатон": Kind.EVENT,
    "вебинар": Kind.EVENT,
    "стенд": Kind.PARTNERSHIP,
    "партнёрство": Kind.PARTNERSHIP,
    "партнерство": Kind.PARTNERSHIP,
    "спонсорство": Kind.PARTNERSHIP,
    "публикация": Kind.PUBLICATION,
    "статья": Kind.PUBLICATION,
    "пост": Kind.PUBLICATION,
    "видео": Kind.PUBLICATION,
    "блог": Kind.PUBLICATION,
    "подкаст": Kind.PUBLICATION,
    "соцсети": Kind.SOCIAL,
    "твит": Kind.SOCIAL,
}

# Where the activity happened, as the kind calls it (shown in replies and help).
PLACE_WORD: dict[Kind, str] = {
    Kind.TALK: "venue",
    Kind.EVENT: "venue",
    Kind.PARTNERSHIP: "venue",
    Kind.PUBLICATION: "outlet",
    Kind.SOCIAL: "network",
}

ValueType = Literal["int", "rating", "nps", "money"]


@dataclass(frozen=True)
class MetricSpec:
    name: str
    value_type: ValueType
    description: str
    kinds: frozenset[Kind]


_IN_PERSON = frozenset({Kind.TALK, Kind.EVENT, Kind.PARTNERSHIP})
_ONLINE = frozenset({Kind.PUBLICATION, Kind.SOCIAL})

METRICS: dict[str, MetricSpec] = {
    m.name: m
    for m in (
        MetricSpec("audience", "int", "people in the room", _IN_PERSON),
        MetricSpec("stream_views", "int", "views of the online stream", frozenset({Kind.EVENT})),
        MetricSpec(
            "participants", "int", "people who took part in activities and contests", frozenset({Kind.PARTNERSHIP})
        ),
        MetricSpec("views", "int", "views of the post or video", _ONLINE),
        MetricSpec("subscribers", "int", "subscribers gained", _ONLINE),
        MetricSpec("likes", "int", "likes", _ONLINE),
        MetricSpec("shares", "int", "shares and reposts", _ONLINE),
        MetricSpec("comments", "int", "comments", _ONLINE),
        MetricSpec(
            "target_actions",
            "int",
            "target actions: clicks, downloads, sign-ups",
            frozenset(Kind),
        ),
        MetricSpec("contacts", "int", "contacts made (leads, people who left details)", frozenset(Kind)),
        MetricSpec("hires", "int", "people hired thanks to it (from the recruiting pipeline)", frozenset(Kind)),
        MetricSpec("cost", "money", "what it cost, with an optional currency (1500usd)", frozenset(Kind)),
        MetricSpec("rating", "rating", "the organisers' rating, 1 to 5", _IN_PERSON),
        MetricSpec("nps", "nps", "NPS from the organisers' survey, -100 to 100", frozenset({Kind.EVENT})),
    )
}

METRIC_ALIASES: dict[str, str] = {
    "stream": "stream_views",
    "streamviews": "stream_views",
    "subs": "subscribers",
    "actions": "target_actions",
    "targets": "target_actions",
    "people": "audience",
    "аудитория": "audience",
    "зрители": "audience",
    "слушатели": "audience",
    "просмотры_трансляции": "stream_views",
    "трансляция": "stream_views",
    "участники": "participants",
    "просмотры": "views",
    "подписчики": "subscribers",
    "лайки": "likes",
    "репосты": "shares",
    "комментарии": "comments",
    "целевые_действия": "target_actions",
    "действия": "target_actions",
    "контакты": "contacts",
    "стоимость": "cost",
    "цена": "cost",
    "бюджет": "cost",
    "оценка": "rating",
    "рейтинг": "rating",
    "нпс": "nps",
    "hired": "hires",
    "наймы": "hires",
    "нанято": "hires",
}

# Russian names of the text keys (``место=``, ``дата=``) → the keys of TEXT_KEYS.
TEXT_KEY_ALIASES: dict[str, str] = {
    "название": "title",
    "место": "venue",
    "площадка": "venue",
    "издание": "outlet",
    "соцсеть": "network",
    "сеть": "network",
    "дата": "date",
    "срок": "due",
    "статус": "status",
    "ссылка": "url",
    "заметки": "notes",
    "примечание": "notes",
    "назначение": "purpose",
}

# Status words in either language.
STATUS_ALIASES: dict[str, Status] = {
    **{s.value: s for s in Status},
    "canceled": Status.CANCELLED,
    "запланировано": Status.PLANNED,
    "план": Status.PLANNED,
    "проведено": Status.DONE,
    "сделано": Status.DONE,
    "готово": Status.DONE,
    "отменено": Status.CANCELLED,
}

# Text fields that /log and /update accept as key=value, on top of the metrics.
TEXT_KEYS: tuple[str, ...] = ("title", "venue", "outlet", "network", "date", "status", "url", "notes", "purpose")


def metrics_for(kind: Kind) -> list[str]:
    return [name for name, spec in METRICS.items() if kind in spec.kinds]


def resolve_kind(word: str) -> Kind | None:
    return KIND_ALIASES.get(word.strip().lower())
