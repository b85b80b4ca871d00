"""SQLModel tables. Times are aware UTC datetimes (SQLModel's UTCDateTime); an activity's day is a plain date."""

from __future__ import annotations

import datetime as dt
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, Column, ForeignKey, Index, Integer, Numeric, Text, UniqueConstraint
from sqlalchemy import true as sa_true
from sqlmodel import Field, SQLModel

from storage.domain import Kind, Purpose, Role, Status
from storage.outbox import OutboxFields


def utcnow() -> datetime:
    return datetime.now(UTC)


def _fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> Column:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True)


class Team(SQLModel, table=True):
    __tablename__ = "team"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    timezone: str = Field(default="UTC", max_length=64)
    currency: str = Field(default="USD", max_length=3)
    digest_weekday: int = Field(default=0, ge=0, le=6)  # 0 = Monday, as in ISO weeks
    digest_hour: int = Field(default=10, ge=0, le=23)
    locale: str = Field(default="en", max_length=16)
    # Plan reminders: this many days before the due date, and on the day, at this local hour.
    reminder_days_before: int = Field(default=3, ge=0, le=30)
    reminder_hour: int = Field(default=9, ge=0, le=23)
    # Feedback: the emoji → score map ("🔥=5 👍=4 😐=3 👎=1" when None) and whether polls are anonymous.
    feedback_emoji: str | None = Field(default=None, max_length=500)
    polls_anonymous: bool = Field(default=True, sa_column_kwargs={"server_default": sa_true()})
    # When the next weekly digest is due (UTC); None while no chat subscribes to it.
    next_digest_at: datetime | None = Field(default=None, index=True)
    # The purpose an activity gets when /log names none (None: no purpose), and what the team calls its
    # target actions in reports and the funnel ("vacancy responses", "sign-ups"; None: "target actions").
    default_purpose: str | None = Field(default=None, max_length=16)
    target_action_name: str | None = Field(default=None, max_length=60)
    # Who besides an item's owner and the admins may add numbers to it: "owners" (no one) or "team".
    edits: str = Field(default="owners", max_length=8, sa_column_kwargs={"server_default": "owners"})
    # The community's weights and orbit level thresholds (storage.community.orbit.Orbit; None: the defaults).
    orbit: str | None = Field(default=None, max_length=120)
    created_at: datetime = Field(default_factory=utcnow)
    # Bumped by the database itself (triggers, migration 0020) whenever the team's row, one of its chats or
    # one of its members changes, by whatever path and process: a cached copy of the team and member a chat
    # works as (storage.chat_context) is still true while the generation it was read at is. Never set it.
    generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class ChatBinding(SQLModel, table=True):
    """A chat (or a whole Slack workspace) that belongs to a team."""

    __tablename__ = "chat_binding"
    __table_args__ = (
        UniqueConstraint("platform", "chat_id", name="uq_chat_binding_platform_chat"),
        CheckConstraint("purpose IN ('team', 'community')", name="ck_chat_binding_purpose"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    team_id: int = Field(sa_column=_fk("team.id"))
    purpose: str = Field(default="team", max_length=16)
    title: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow)


class Member(SQLModel, table=True):
    __tablename__ = "member"
    __table_args__ = (
        UniqueConstraint("team_id", "platform", "user_id", name="uq_member_team_platform_user"),
        CheckConstraint("role IN ('admin', 'advocate', 'member')", name="ck_member_role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(sa_column=_fk("team.id"))
    platform: str = Field(max_length=16)
    user_id: str = Field(max_length=64)
    display_name: str = Field(max_length=200)
    role: str = Field(default=Role.ADVOCATE.value, max_length=16)
    created_at: datetime = Field(default_factory=utcnow)


class PrivateChatTeam(SQLModel, table=True):
    """Which of their teams a person's private chat with the bot acts in, when they belong to several."""

    __tablename__ = "private_chat_team"

    platform: str = Field(primary_key=True, max_length=16)
    user_id: str = Field(primary_key=True, max_length=64)
    team_id: int = Field(sa_column=_fk("team.id"))
    chosen_at: datetime = Field(default_factory=utcnow)


_KINDS = ", ".join(f"'{k.value}'" for k in Kind)
_STATUSES = ", ".join(f"'{s.value}'" for s in Status)
_COUNTS = (
    "audience",
    "stream_views",
    "participants",
    "views",
    "subscribers",
    "likes",
    "shares",
    "comments",
    "target_actions",
    "contacts",
    "hires",
)
_PURPOSES = ", ".join(f"'{p.value}'" for p in Purpose)


class Activity(SQLModel, table=True):
    __tablename__ = "activity"
    __table_args__ = (
        # "activities of team T between two dates, by kind" is a range scan on this index.
        Index("ix_activity_team_date_kind", "team_id", "date", "kind"),
        Index("ix_activity_team_kind_title_key", "team_id", "kind", "title_key"),
        # The media plan and its fulfilment: items of team T due between two dates.
        Index("ix_activity_team_due_date", "team_id", "due_date"),
        CheckConstraint(f"kind IN ({_KINDS})", name="ck_activity_kind"),
        CheckConstraint(f"status IN ({_STATUSES})", name="ck_activity_status"),
        CheckConstraint(f"purpose IS NULL OR purpose IN ({_PURPOSES})", name="ck_activity_purpose"),
        CheckConstraint("cost IS NULL OR cost >= 0", name="ck_activity_cost_nonnegative"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="ck_activity_rating_range"),
        CheckConstraint("nps IS NULL OR (nps >= -100 AND nps <= 100)", name="ck_activity_nps_range"),
        *(CheckConstraint(f"{c} IS NULL OR {c} >= 0", name=f"ck_activity_{c}_nonnegative") for c in _COUNTS),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(sa_column=_fk("team.id"))
    kind: str = Field(max_length=16)
    title: str = Field(max_length=200)
    # Case- and space-folded title: the same talk given again shares it (re-use).
    title_key: str = Field(max_length=200)
    status: str = Field(default=Status.DONE.value, max_length=16)
    date: date
    owner_id: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True, ondelete="SET NULL"))
    venue: str | None = Field(default=None, max_length=200)
    url: str | None = Field(default=None, max_length=2000)
    notes: str | None = Field(default=None, max_length=2000)
    # Set when the item entered the media plan (planned for a future day); plan fulfilment compares
    # done_on (the day it actually happened) with it.
    # dt.date: inside this class "date" is the field above, not the type.
    due_date: dt.date | None = None
    done_on: dt.date | None = None

    audience: int | None = None
    stream_views: int | None = None
    participants: int | None = None
    views: int | None = None
    subscribers: int | None = None
    likes: int | None = None
    shares: int | None = None
    comments: int | None = None
    target_actions: int | None = None
    contacts: int | None = None
    # Hires the recruiting pipeline credits to this activity; new-hire survey answers naming it add to them.
    hires: int | None = None
    cost: Decimal | None = Field(default=None, sa_type=Numeric(14, 2))
    currency: str | None = Field(default=None, max_length=3)
    rating: float | None = None
    nps: int | None = None
    purpose: str | None = Field(default=None, max_length=16)

    created_at: datetime = Field(default_factory=utcnow)
    created_by: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True, ondelete="SET NULL"))
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True, ondelete="SET NULL"))


class ActivityTag(SQLModel, table=True):
    __tablename__ = "activity_tag"
    __table_args__ = (Index("ix_activity_tag_tag", "tag"),)

    activity_id: int = Field(sa_column=Column(Integer, ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True))
    tag: str = Field(primary_key=True, max_length=64)


class ProcessedEvent(SQLModel, table=True):
    """Platform events already handled: Slack retries and Telegram re-deliveries are processed once."""

    __tablename__ = "processed_event"

    platform: str = Field(primary_key=True, max_length=16)
    event_id: str = Field(primary_key=True, max_length=128)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class InboxItem(SQLModel, table=True):
    """What a platform delivered, stored before the platform is told it arrived, until it has been handled.

    A Telegram update's offset is confirmed (or its webhook answered) only once its row is committed; a worker
    handles the rows and marks them done — also the ones a killed process left behind. ``(platform,
    delivery_id)`` is unique, so a redelivery is stored once."""

    __tablename__ = "inbox_item"
    __table_args__ = (
        UniqueConstraint("platform", "delivery_id", name="uq_inbox_item_delivery"),
        Index("ix_inbox_item_pending", "platform", "done_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    delivery_id: str = Field(max_length=128)
    chat_key: str = Field(max_length=64)  # items of one chat are handled in order; chats do not wait for each other
    payload: str = Field(sa_column=Column(Text, nullable=False))  # the platform's own JSON, as it came
    received_at: datetime = Field(default_factory=utcnow, index=True)
    done_at: datetime | None = None
    # The replies of a command applied from this row, kept in the transaction that applied it and sent after:
    # a row with an answer and no done_at was applied but maybe not answered (the process died in between).
    answer: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # The lease: the replica handling the row (``bot.inbox.replica_name``) and until when. Another replica takes
    # the row only once the lease ran out (its holder died): a kept answer is not sent by two live replicas.
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = None


class Dialogue(SQLModel, table=True):
    """A guided form in progress (Telegram's /log questions): one per person and chat (and forum topic).

    Kept here, not in a process, so that whichever replica gets the next answer continues it; each step is
    committed with the update's id (``processed_event``), so an update handled again changes it once. A dialogue
    past ``expires_at`` is over: it is ignored, and housekeeping drops it."""

    __tablename__ = "dialogue"

    platform: str = Field(primary_key=True, max_length=16)
    chat_id: str = Field(primary_key=True, max_length=64)
    thread_id: str = Field(primary_key=True, max_length=64)  # "" outside a forum topic: a key column is never NULL
    user_id: str = Field(primary_key=True, max_length=64)
    state: str = Field(sa_column=Column(Text, nullable=False))  # the answers so far and the step, as JSON
    expires_at: datetime = Field(index=True)


class ButtonCommand(SQLModel, table=True):
    """The command behind a Telegram button too long for its 64-byte ``callback_data``: the button carries the
    token, any replica (or a restarted process) finds the command here. Sending the same command again moves
    ``expires_at`` on; a press after it gets "expired — type the command", and housekeeping drops the row later."""

    __tablename__ = "button_command"

    token: str = Field(primary_key=True, max_length=32)  # derived from the command: the same command, one row
    command: str = Field(sa_column=Column(Text, nullable=False))
    expires_at: datetime = Field(index=True)


class LinkCode(SQLModel, table=True):
    """A one-time code (``/connect telegram``) that joins another chat to a team.

    Only a hash of the code is stored, so a copy of the database cannot be used to link a chat; the code is
    valid for a short time and once (``used_at`` is claimed atomically).
    """

    __tablename__ = "link_code"
    __table_args__ = (CheckConstraint("purpose IN ('team', 'community')", name="ck_link_code_purpose"),)

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True, index=True)
    team_id: int = Field(sa_column=_fk("team.id"))
    purpose: str = Field(default="team", max_length=16)
    created_by: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True, ondelete="SET NULL"))
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    # "platform:chat_id" of the chat that redeemed the code; /disconnect looks for it.
    used_by_chat: str | None = Field(default=None, max_length=96, index=True)


class Reminder(OutboxFields, table=True):
    """Something to tell an activity's owner at ``due_at``. A sweep claims due rows atomically before it
    sends, so each goes out once, across restarts and with several bot processes on one database."""

    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint("activity_id", "kind", "due_at", name="uq_reminder_activity_kind_due"),
        CheckConstraint(
            "kind IN ('due_soon', 'due_today', 'overdue', 'followup', 'checklist')", name="ck_reminder_kind"
        ),
        Index("ix_reminder_pending", "sent_at", "cancelled_at", "next_attempt_at"),
    )

    team_id: int = Field(sa_column=_fk("team.id"))
    activity_id: int = Field(sa_column=_fk("activity.id"))
    kind: str = Field(max_length=16)
    due_at: datetime
    created_at: datetime = Field(default_factory=utcnow)


CHECKLIST_ITEMS: tuple[str, ...] = (
    "own_content", "external_content", "organisation", "announcements", "online_stream",
    "networking", "closing", "post_event_materials", "reporting", "misc",
)


class ChecklistTick(SQLModel, table=True):
    """A ticked item of an event's ten-point checklist (the seed talk's list)."""

    __tablename__ = "checklist_tick"

    activity_id: int = Field(
        sa_column=Column(Integer, ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True)
    )
    item: str = Field(primary_key=True, max_length=32)
    ticked_by: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True, ondelete="SET NULL"))
    ticked_at: datetime = Field(default_factory=utcnow)


class FeedbackCard(SQLModel, table=True):
    """A message the bot posted to collect feedback on an activity: an emoji card, or a poll.

    It is created before it is sent (``message_id`` is None until the door reports the sent message); a
    reaction or poll answer counts only on a message that is a card."""

    __tablename__ = "feedback_card"
    __table_args__ = (
        UniqueConstraint("platform", "chat_id", "message_id", name="uq_feedback_card_message"),
        UniqueConstraint("poll_id", name="uq_feedback_card_poll"),
        CheckConstraint("mode IN ('emoji', 'poll')", name="ck_feedback_card_mode"),
        CheckConstraint("scale IN ('rating', 'nps')", name="ck_feedback_card_scale"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(sa_column=_fk("team.id"))
    activity_id: int = Field(sa_column=_fk("activity.id"))
    mode: str = Field(max_length=8)
    scale: str = Field(default="rating", max_length=8)
    anonymous: bool = False
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    message_id: str | None = Field(default=None, max_length=64)
    poll_id: str | None = Field(default=None, max_length=128)
    created_by: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True, ondelete="SET NULL"))
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class Vote(SQLModel, table=True):
    """One voter's answer on one card: a later reaction or click replaces it, a removed one deletes it.

    ``team_id`` and ``scale`` repeat the card's so a period's rating and NPS are one range scan on
    ``ix_vote_team_scale_cast`` (the index covers the score)."""

    __tablename__ = "vote"
    __table_args__ = (
        UniqueConstraint("card_id", "voter", name="uq_vote_card_voter"),
        Index("ix_vote_team_scale_cast", "team_id", "scale", "cast_at", "score"),
        CheckConstraint("scale IN ('rating', 'nps')", name="ck_vote_scale"),
        CheckConstraint(
            "(scale = 'rating' AND score BETWEEN 1 AND 5) OR (scale = 'nps' AND score BETWEEN 0 AND 10)",
            name="ck_vote_score_range",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    card_id: int = Field(sa_column=_fk("feedback_card.id"))
    team_id: int = Field(sa_column=Column(Integer, ForeignKey("team.id", ondelete="CASCADE"), nullable=False))
    scale: str = Field(max_length=8)
    voter: str = Field(max_length=96)  # "platform:user_id"
    score: int
    emoji: str | None = Field(default=None, max_length=64)
    cast_at: datetime = Field(default_factory=utcnow)


class VoteOrder(SQLModel, table=True):
    """The platform's stamp of the newest change per voter, card and choice (``storage.feedback.order``).

    For reactions ``choice`` is the emoji and ``present`` says whether the person's newest change added or
    removed it — a removal leaves no vote row to compare with, so it is kept here. A poll answer replaces the
    whole answer: one row with ``choice`` "" per voter and card."""

    __tablename__ = "vote_order"

    card_id: int = Field(sa_column=Column(Integer, ForeignKey("feedback_card.id", ondelete="CASCADE"),
                                          primary_key=True))
    voter: str = Field(primary_key=True, max_length=96)  # "platform:user_id", as Vote.voter
    choice: str = Field(primary_key=True, max_length=64)
    present: bool
    stamp: int = Field(sa_column=Column(BigInteger, nullable=False))
    seen_at: datetime = Field(default_factory=utcnow)


class VoteTally(SQLModel, table=True):
    """Anonymous totals (a Telegram channel's reaction counts, an anonymous poll's results) per card and
    option: the newest total replaces the older one, so a repeated update is counted once."""

    __tablename__ = "vote_tally"
    __table_args__ = (
        Index("ix_vote_tally_team_scale_updated", "team_id", "scale", "updated_at", "score", "count"),
        CheckConstraint("count >= 0", name="ck_vote_tally_count_nonnegative"),
    )

    card_id: int = Field(
        sa_column=Column(Integer, ForeignKey("feedback_card.id", ondelete="CASCADE"), primary_key=True)
    )
    option: str = Field(primary_key=True, max_length=64)  # the emoji, or the poll option's index
    team_id: int = Field(sa_column=Column(Integer, ForeignKey("team.id", ondelete="CASCADE"), nullable=False))
    scale: str = Field(max_length=8)
    score: int
    count: int
    updated_at: datetime = Field(default_factory=utcnow)


class HireSurvey(SQLModel, table=True):
    """The new-hire survey: did our talks, articles or events influence the decision to join?"""

    __tablename__ = "hire_survey"
    __table_args__ = (
        UniqueConstraint("team_id", "platform", "user_id", name="uq_hire_survey_person"),
        CheckConstraint("answer IS NULL OR answer IN ('yes', 'partly', 'no')", name="ck_hire_survey_answer"),
        Index("ix_hire_survey_team_answered", "team_id", "answered_at", "answer"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(sa_column=Column(Integer, ForeignKey("team.id", ondelete="CASCADE"), nullable=False))
    platform: str = Field(max_length=16)
    user_id: str = Field(max_length=64)
    display_name: str = Field(max_length=200)
    asked_by: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True, ondelete="SET NULL"))
    asked_at: datetime = Field(default_factory=utcnow)
    answer: str | None = Field(default=None, max_length=8)
    answered_at: datetime | None = None
    activity_id: int | None = Field(default=None, sa_column=_fk("activity.id", nullable=True, ondelete="SET NULL"))


class DigestChannel(SQLModel, table=True):
    """A chat that gets its team's weekly digest (``/digest here``)."""

    __tablename__ = "digest_channel"
    __table_args__ = (UniqueConstraint("platform", "chat_id", name="uq_digest_channel_platform_chat"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(sa_column=_fk("team.id"))
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    thread_id: str | None = Field(default=None, max_length=64)
    created_by: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True, ondelete="SET NULL"))
    created_at: datetime = Field(default_factory=utcnow)


class DigestDelivery(OutboxFields, table=True):
    """One week's digest for one channel: sent once, in parts, resumed where a failed attempt stopped."""

    __tablename__ = "digest_delivery"
    __table_args__ = (
        UniqueConstraint("channel_id", "week_start", name="uq_digest_delivery_channel_week"),
        Index("ix_digest_delivery_pending", "sent_at", "cancelled_at", "next_attempt_at"),
    )

    team_id: int = Field(sa_column=_fk("team.id"))
    channel_id: int = Field(sa_column=_fk("digest_channel.id"))
    week_start: date
    due_at: datetime
    progress: int = 0  # parts already posted: summary, details, chart
    thread_ref: str | None = Field(default=None, max_length=64)  # the summary's message: the rest goes under it
    created_at: datetime = Field(default_factory=utcnow)


GOAL_METRICS: tuple[str, ...] = (
    "activities", "talks", "events", "partnerships", "publications", "social", "reach", "engagement", "contacts",
    "target_actions", "hires", "nps", "rating",
)
_GOAL_METRICS = ", ".join(f"'{m}'" for m in GOAL_METRICS)


class Goal(SQLModel, table=True):
    """A target for one metric over one calendar month, quarter or year, optionally for one tag or person."""

    __tablename__ = "goal"
    __table_args__ = (
        Index("ix_goal_team_period", "team_id", "start", "end"),
        CheckConstraint("period IN ('month', 'quarter', 'year')", name="ck_goal_period"),
        CheckConstraint(f"metric IN ({_GOAL_METRICS})", name="ck_goal_metric"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(sa_column=Column(Integer, ForeignKey("team.id", ondelete="CASCADE"), nullable=False))
    period: str = Field(max_length=8)
    start: date  # inclusive
    end: date  # exclusive
    metric: str = Field(max_length=16)
    target: float
    tag: str | None = Field(default=None, max_length=64)
    member_id: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True, ondelete="CASCADE"))
    created_by: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True, ondelete="SET NULL"))
    created_at: datetime = Field(default_factory=utcnow)


class Change(SQLModel, table=True):
    """One change to an activity or to the team's settings: who, when, which field, old → new, and through
    which door. Written in the same transaction as the change (:mod:`storage.history`). ``activity_id`` has no
    foreign key on purpose: an activity's history outlives it, also after its archive is pruned."""

    __tablename__ = "change"
    __table_args__ = (
        Index("ix_change_team_activity", "team_id", "activity_id", "id"),
        Index("ix_change_team_member", "team_id", "member_id", "id"),
        CheckConstraint(
            "action IN ('create', 'update', 'move', 'done', 'drop', 'delete', 'restore', 'settings')",
            name="ck_change_action",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(sa_column=Column(Integer, ForeignKey("team.id", ondelete="CASCADE"), nullable=False))
    activity_id: int | None = None  # None: a settings change
    action: str = Field(max_length=16)
    field: str | None = Field(default=None, max_length=32)
    old: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    new: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    member_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("member.id", ondelete="SET NULL"), nullable=True))
    actor: str = Field(max_length=200)  # the name as it was then: it stays readable after the member goes
    door: str = Field(max_length=16)  # console, slack, telegram, cli, system
    at: datetime = Field(default_factory=utcnow)


class ArchivedActivity(SQLModel, table=True):
    """A deleted activity, kept for the retention period so an admin can /restore it with the same id: its row
    and its dependants' rows (tags, checklist ticks, feedback cards and their votes) as JSON. Every read of the
    ledger stays as it was — the activity is simply not in ``activity`` any more."""

    __tablename__ = "archived_activity"

    activity_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    team_id: int = Field(sa_column=_fk("team.id"))
    title: str = Field(max_length=200)
    rows: str = Field(sa_column=Column(Text, nullable=False))
    deleted_by: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True, ondelete="SET NULL"))
    deleted_at: datetime = Field(default_factory=utcnow, index=True)


def saved_id(row_id: int | None) -> int:
    """The id of a row already flushed to the database (SQLModel types every primary key as optional)."""
    if row_id is None:
        raise ValueError("the row has no id yet: flush it first")
    return row_id


class CommunityMember(SQLModel, table=True):
    """A person of the team's community (not of the DevRel team): someone who reacted to a card, answered a
    named poll, attended or spoke. One row per platform identity per team; ``/forget me`` deletes it."""

    __tablename__ = "community_member"
    __table_args__ = (UniqueConstraint("team_id", "platform", "user_id", name="uq_community_member_person"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(sa_column=_fk("team.id"))
    platform: str = Field(max_length=16)
    user_id: str = Field(max_length=64)
    display_name: str = Field(max_length=200)
    first_seen: datetime
    last_seen: datetime
    # /member merge: this identity is the same person as that member (their Slack and Telegram selves, say); the
    # figures count them as that one member, and this row keeps taking the identity's new interactions. (No ON
    # DELETE: /forget me erases a merged person's rows together.)
    merged_into: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("community_member.id"), nullable=True, index=True))


class Interaction(SQLModel, table=True):
    """One public interaction of a community member: a reaction or a named poll answer on a card, attendance
    or a talk at an activity. ``subject`` ("card:7", "activity:3") makes it one row per thing, so a changed
    reaction moves the time instead of counting twice."""

    __tablename__ = "interaction"
    __table_args__ = (
        UniqueConstraint("member_id", "kind", "subject", name="uq_interaction_member_kind_subject"),
        Index("ix_interaction_team_at", "team_id", "at"),
        CheckConstraint(
            "kind IN ('reaction', 'poll_answer', 'attendance', 'speaking')", name="ck_interaction_kind"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=_fk("community_member.id"))
    team_id: int = Field(sa_column=Column(Integer, ForeignKey("team.id", ondelete="CASCADE"), nullable=False))
    kind: str = Field(max_length=16)
    subject: str = Field(max_length=32)
    activity_id: int | None = Field(default=None, sa_column=_fk("activity.id", nullable=True, ondelete="SET NULL"))
    at: datetime


class CommunityPoll(OutboxFields, table=True):
    """A question to the community (``/ask``), posted in one or more community chats and answered across them.

    Its closing is an outbox row (:mod:`storage.outbox`): due at ``closes_at``, claimed by one sweep, which stops
    the posted polls and posts the result where it was asked — once, across restarts and processes. ``progress``
    says how far a closing got (1: the posted polls are stopped), so a retry does not redo it."""

    __tablename__ = "community_poll"
    __table_args__ = (
        Index("ix_community_poll_pending", "sent_at", "cancelled_at", "next_attempt_at"),
        Index("ix_community_poll_team_closed", "team_id", "closed_at"),
    )

    team_id: int = Field(sa_column=_fk("team.id"))
    question: str = Field(max_length=300)
    options: str = Field(sa_column=Column(Text, nullable=False))  # a JSON list of the options' texts
    multiple: bool = False
    anonymous: bool = True
    # Where it was asked: the result is posted there.
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    thread_id: str | None = Field(default=None, max_length=64)
    created_by: int | None = Field(default=None, sa_column=_fk("member.id", nullable=True, ondelete="SET NULL"))
    created_at: datetime = Field(default_factory=utcnow)
    closes_at: datetime
    closed_at: datetime | None = None  # answers stop counting from here
    progress: int = 0


class CommunityPollPost(SQLModel, table=True):
    """One chat's copy of a community poll: a native Telegram poll, or a Slack message with buttons.
    ``counts`` holds an anonymous native poll's newest totals (a JSON list, one number per option), which the
    platform reports instead of who answered."""

    __tablename__ = "community_poll_post"
    __table_args__ = (UniqueConstraint("platform", "native_poll_id", name="uq_community_poll_post_native"),)

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(sa_column=_fk("community_poll.id"))
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    message_id: str | None = Field(default=None, max_length=64)
    native_poll_id: str | None = Field(default=None, max_length=128)
    counts: str | None = Field(default=None, max_length=500)
    voters: int = 0  # an anonymous native poll's voter total (several options each count once per voter)


class CommunityPollAnswer(SQLModel, table=True):
    """One person's choice of one option (several rows when the poll takes several answers). The voter is kept
    on anonymous polls too — it is what makes one person one vote — but never shown, and only public polls make
    the voter a community member."""

    __tablename__ = "community_poll_answer"

    poll_id: int = Field(sa_column=Column(Integer, ForeignKey("community_poll.id", ondelete="CASCADE"),
                                          primary_key=True))
    voter: str = Field(primary_key=True, max_length=96)  # "platform:user_id"
    option: int = Field(primary_key=True)
    cast_at: datetime = Field(default_factory=utcnow)


class CommunityPollOrder(SQLModel, table=True):
    """The platform's stamp of a person's newest answer to a community poll (``storage.community.poll_order``):
    a Telegram poll answer's update id, a Slack button click's ``action_ts``. Kept apart from the answer rows,
    because an answer taken back leaves no row to compare a late older one with."""

    __tablename__ = "community_poll_order"

    poll_id: int = Field(sa_column=Column(Integer, ForeignKey("community_poll.id", ondelete="CASCADE"),
                                          primary_key=True))
    voter: str = Field(primary_key=True, max_length=96)  # "platform:user_id", as CommunityPollAnswer.voter
    stamp: int = Field(sa_column=Column(BigInteger, nullable=False))
    seen_at: datetime = Field(default_factory=utcnow)


class AudienceCount(OutboxFields, table=True):
    """One day's member (or subscriber) count of one of a team's chats: a linked Telegram group or channel, a
    community or digest Slack channel. The row is created for the day, then one sweep claims it and asks the
    platform (the outbox life cycle), so each chat is counted once a day, across restarts and processes."""

    __tablename__ = "audience_count"
    __table_args__ = (
        UniqueConstraint("platform", "chat_id", "day", name="uq_audience_count_chat_day"),
        Index("ix_audience_count_pending", "sent_at", "cancelled_at", "next_attempt_at"),
        Index("ix_audience_count_team_day", "team_id", "day"),
    )

    team_id: int = Field(sa_column=_fk("team.id"))
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    title: str | None = Field(default=None, max_length=200)
    day: date  # the team's local day
    count: int | None = None  # None until the platform answered


# Ids are never reused (PRODUCT.md): PostgreSQL sequences never go back; on SQLite a table needs AUTOINCREMENT
# for that (migration 0008), declared here too so the models and the migrated schema agree.
for _table in SQLModel.metadata.tables.values():
    if [c.name for c in _table.primary_key.columns] == ["id"]:
        _table.dialect_options["sqlite"]["autoincrement"] = True
