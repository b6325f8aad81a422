"""The tables. Personal data lives only in ``signals`` (postcode, house number), ``reports`` (note, which
holds a call-back's phone number; the link to the reporter) and ``accounts`` (Telegram name and id), and
goes when its time is up (``omzien.storage.privacy``). Address, note and phone are sealed at rest, and so are
the drafts of conversations and the messages waiting to be sent, which can hold them too
(``omzien.storage.sealing``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    TypeDecorator,
    event,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from omzien.flows.signal import Observation
from omzien.flows.sla import DUTCH_TIME
from omzien.storage.sealing import AddressHash, Sealed, SealedJSON


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database (SQLite keeps no time zone of its own)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[str]: JSON(), list[int]: JSON()}


class Point(Base):
    """A signal point (*signaalpunt*): a welfare organisation, its postcodes and its group chat."""

    __tablename__ = "points"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    group_chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    link_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    link_code_at: Mapped[datetime | None] = mapped_column()  # a code is good for LINK_CODE_DAYS
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # The service level it promises (see omzien.flows.sla), set with `omzien points set-policy`.
    claim_days: Mapped[float] = mapped_column(Float, default=1, server_default="1")
    contact_days: Mapped[float] = mapped_column(Float, default=3, server_default="3")
    close_days: Mapped[float] = mapped_column(Float, default=10, server_default="10")
    urgent_claim_days: Mapped[float] = mapped_column(Float, default=0.25, server_default="0.25")
    retention_days: Mapped[int] = mapped_column(Integer, default=90, server_default="90")  # after closing
    # More claims than this by one worker within the window hold their claims until a coordinator allows them.
    claim_limit: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    claim_window_minutes: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    time_zone: Mapped[str] = mapped_column(String(40), default=DUTCH_TIME, server_default=DUTCH_TIME)
    opens: Mapped[str] = mapped_column(String(5), default="09:00", server_default="09:00")
    closes: Mapped[str] = mapped_column(String(5), default="17:00", server_default="17:00")
    weekdays: Mapped[str] = mapped_column(String(7), default="01234", server_default="01234")  # Monday is 0
    closed_days: Mapped[list[str]] = mapped_column(default=list, server_default="[]")  # ISO dates
    coordinators: Mapped[list[int]] = mapped_column(default=list, server_default="[]")  # Telegram user ids
    fallback_chat_id: Mapped[int | None] = mapped_column(BigInteger)  # the regional fallback contact
    # The group's overview of waiting signals, edited in place while it is current.
    overview_message_id: Mapped[int | None] = mapped_column(BigInteger)
    overview_outbox_id: Mapped[int | None] = mapped_column(Integer)
    overview_at: Mapped[datetime | None] = mapped_column()
    # The clock has news for the group that its overview does not show yet (``omzien.services.sweep``).
    overview_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    summary_at: Mapped[datetime | None] = mapped_column()  # the last morning summary
    follow_up_weeks: Mapped[int] = mapped_column(Integer, default=4, server_default="4")  # "Hoe gaat het nu?"
    # Goals (Kwaliteitskompas): the share of signals to take each step within its deadline, 0 to 1; None: no goal.
    goal_claim: Mapped[float | None] = mapped_column(Float)
    goal_contact: Mapped[float | None] = mapped_column(Float)
    goal_close: Mapped[float | None] = mapped_column(Float)
    area_goals: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")  # "3044": signals a year
    figures_sent_at: Mapped[datetime | None] = mapped_column()  # the last monthly figures to the coordinators

    areas: Mapped[list[PointArea]] = relationship(
        back_populates="point", cascade="all, delete-orphan", order_by="PointArea.first", lazy="selectin"
    )


class PointArea(Base):
    """One range of 4-digit postcode areas that a point covers."""

    __tablename__ = "point_areas"
    __table_args__ = (Index("ix_point_areas_first_last", "first", "last"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("points.id", ondelete="CASCADE"), index=True)
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)

    point: Mapped[Point] = relationship(back_populates="areas")


class Account(Base):
    """A Telegram user who talked to the bot or pressed one of its buttons."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(String(64), default="")
    username: Mapped[str | None] = mapped_column(String(64))
    telegram_language: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))  # chosen with /taal
    role: Mapped[str | None] = mapped_column(String(16))
    started_at: Mapped[datetime | None] = mapped_column()  # the bot may write to them
    blocked_at: Mapped[datetime | None] = mapped_column()  # they blocked the bot: send nothing
    seen_at: Mapped[datetime | None] = mapped_column()  # last update from them (omzien.storage.privacy)
    claims_held_at: Mapped[datetime | None] = mapped_column()  # claimed unusually much: a coordinator must allow
    claims_allowed_at: Mapped[datetime | None] = mapped_column()  # claims are counted again from here
    reports_held_at: Mapped[datetime | None] = mapped_column()  # reported unusually much: new signals wait
    reports_allowed_at: Mapped[datetime | None] = mapped_column()  # reports are counted again from here
    reports_made: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # for the thank-you lines
    # Agreed to one short message a month: how many signals in their area were picked up (never below 5).
    monthly_thanks: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    monthly_thanks_at: Mapped[datetime | None] = mapped_column()  # the last one sent
    # The partner whose poster or link brought them (the first one): counted for that partner, never named.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Partner(Base):
    """An organisation that makes a point known (a PostNL depot, a pharmacy), with its own start link."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("points.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(16), unique=True)  # the link is t.me/<bot>?start=p-<code>
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    point: Mapped[Point] = relationship(lazy="joined")


class Signal(Base):
    """A worry about one address, and where it stands."""

    __tablename__ = "signals"
    __table_args__ = (
        Index("ix_signals_point_status_due", "point_id", "status", "due_claim_at"),
        # The overview's claimed signals without contact a working day after the deadline, found without
        # reading every claimed signal of the point.
        Index("ix_signals_point_status_alert", "point_id", "status", "last_alert", "due_contact_at"),
        Index("ix_signals_next_alert_at", "next_alert_at",
              postgresql_where=text("next_alert_at IS NOT NULL"), sqlite_where=text("next_alert_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    point_id: Mapped[int | None] = mapped_column(ForeignKey("points.id"))
    status: Mapped[str] = mapped_column(String(12), index=True)
    postcode: Mapped[str] = mapped_column(Sealed("signals.postcode"))  # "" once anonymised
    house: Mapped[str] = mapped_column(Sealed("signals.house"))
    area: Mapped[int] = mapped_column(Integer, index=True)
    address_key: Mapped[str] = mapped_column(AddressHash(64), index=True)  # keyed hash, to find duplicates
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    claimed_at: Mapped[datetime | None] = mapped_column()
    address_delivered: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None] = mapped_column()
    outcome: Mapped[str | None] = mapped_column(String(12))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # crisis words in a report
    anonymised_at: Mapped[datetime | None] = mapped_column()  # its personal data is gone (omzien.storage.privacy)
    card_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The clock (omzien.flows.sla): deadlines, and the one alert that comes next.
    waiting_since: Mapped[datetime | None] = mapped_column()  # since when it waits to be picked up
    due_claim_at: Mapped[datetime | None] = mapped_column()
    due_contact_at: Mapped[datetime | None] = mapped_column()
    due_close_at: Mapped[datetime | None] = mapped_column()
    contacted_at: Mapped[datetime | None] = mapped_column()
    # Working hours from the start of the clock to the first claim, and to the first contact or close (the figures).
    claim_hours: Mapped[float | None] = mapped_column(Float)
    contact_hours: Mapped[float | None] = mapped_column(Float)
    # Its reports, counted as they come (``_count_report``), so the figures need not join the reports.
    report_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    callback_reports: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # "Bel mij terug"
    paused_until: Mapped[datetime | None] = mapped_column()
    next_alert: Mapped[str | None] = mapped_column(String(16))
    next_alert_at: Mapped[datetime | None] = mapped_column()
    last_alert: Mapped[str | None] = mapped_column(String(16))
    # After closing: where it went, and the questions that come back to it later.
    referred_offers: Mapped[list[str]] = mapped_column(default=list, server_default="[]")  # offer ids
    forwarded_to: Mapped[str | None] = mapped_column(String(16))  # flows.signal.Forward
    follow_up_at: Mapped[datetime | None] = mapped_column(index=True)  # "Hoe gaat het nu?" to the claimer
    follow_up_answer: Mapped[str | None] = mapped_column(String(12))
    resident_ask_at: Mapped[datetime | None] = mapped_column(index=True)  # "Heeft het geholpen?" to the resident
    resident_answer: Mapped[str | None] = mapped_column(String(12))

    point: Mapped[Point | None] = relationship(lazy="joined")
    claimer: Mapped[Account | None] = relationship(lazy="joined")
    reports: Mapped[list[Report]] = relationship(
        back_populates="signal", order_by="Report.id", lazy="selectin", cascade="all, delete-orphan"
    )


class Report(Base):
    """One signaller's report on a signal: what they saw, and what they allow."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signals.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)  # None: anonymised
    observations: Mapped[list[str]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))  # JSONB: indexable
    consent: Mapped[str] = mapped_column(String(8))
    note: Mapped[str | None] = mapped_column(Sealed("reports.note"))
    may_contact: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    signal: Mapped[Signal] = relationship(back_populates="reports")
    reporter: Mapped[Account | None] = relationship(lazy="joined")


@event.listens_for(Signal.reports, "append")
def _count_report(signal: Signal, report: Report, _initiator: Any) -> None:
    """Every report added to a signal is counted on it, a call-back request apart."""
    signal.report_count = (signal.report_count or 0) + 1
    if Observation.ASKS_FOR_CALL in (report.observations or ()):
        signal.callback_reports = (signal.callback_reports or 0) + 1


class CaseEntry(Base):
    """What a worker notes on a signal without changing it: a note, an attempt to reach the person, a question to
    the reporter and its answer. Seen by whoever holds the signal, never by the group; anonymised with it."""

    __tablename__ = "case_entries"
    __table_args__ = (Index("ix_case_entries_signal_at", "signal_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signals.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(BigInteger)  # None: anonymised
    kind: Mapped[str] = mapped_column(String(12))  # note, attempt, question, answer
    detail: Mapped[str | None] = mapped_column(String(16))  # the kind of attempt
    text: Mapped[str | None] = mapped_column(Sealed("case_entries.text"))


class Event(Base):
    """The audit trail: who did what to a signal, when. Never the address or the note."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_signal_at", "signal_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signals.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(BigInteger)  # None: the system
    kind: Mapped[str] = mapped_column(String(24))
    detail: Mapped[str | None] = mapped_column(String(64))


class OutboxMessage(Base):
    """A message to send or edit: written in the same transaction as the change that causes it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "ix_outbox_waiting",
            "chat_id",
            "id",
            postgresql_where=text("status IN ('pending', 'sending')"),
            sqlite_where=text("status IN ('pending', 'sending')"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(8))  # "send", "edit" or "photo"
    message_id: Mapped[int | None] = mapped_column(BigInteger)  # the message to edit
    payload: Mapped[dict[str, Any]] = mapped_column(SealedJSON("outbox.payload"))  # emptied once sent
    signal_id: Mapped[int | None] = mapped_column(ForeignKey("signals.id", ondelete="SET NULL"))
    purpose: Mapped[str] = mapped_column(String(12), default="chat")  # "card", "address", "chat"
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(8), default="pending")  # pending, sending, sent, dropped, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    in_doubt: Mapped[bool] = mapped_column(Boolean, default=False)  # cut off by a crash: Telegram may have it
    not_before: Mapped[datetime | None] = mapped_column()  # None: as soon as possible
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(String(200))


class ConversationState(Base):
    """aiogram's FSM state and data, so a half-finished report survives a restart."""

    __tablename__ = "conversation_states"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(100))
    data: Mapped[dict[str, Any]] = mapped_column(SealedJSON("conversation_states.data"), default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)


class HandledUpdate(Base):
    """Telegram update ids already handled, so a redelivered update changes nothing twice."""

    __tablename__ = "handled_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class OfferRecord(Base):
    """An offer or method of the catalogue, stored as its CSV columns (see omzien.storage.catalogue)."""

    __tablename__ = "offers"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    record_type: Mapped[str] = mapped_column(String(8))
    columns: Mapped[dict[str, Any]] = mapped_column()
    origin: Mapped[str] = mapped_column(String(8))  # "shipped" with Omzien, or "import" (a municipality's file)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OfferSearch(Base):
    """One search by a resident, anonymously: what was chosen and found — never who, never the typed words."""

    __tablename__ = "offer_searches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)  # to the hour
    needs: Mapped[list[str]] = mapped_column(default=list)
    area: Mapped[int | None] = mapped_column(Integer)  # 4-digit postcode area
    age_group: Mapped[str | None] = mapped_column(String(8))
    going_out: Mapped[str | None] = mapped_column(String(8))
    free_only: Mapped[bool] = mapped_column(Boolean, default=False)
    typed: Mapped[bool] = mapped_column(Boolean, default=False)  # a sentence was typed (its words are not kept)
    results: Mapped[int] = mapped_column(Integer, default=0)
    local_results: Mapped[int | None] = mapped_column(Integer)  # of which local (None: searched before 0007)
    opened: Mapped[list[str]] = mapped_column(default=list)  # ids of offers opened


# The figures (omzien.storage.figures) read signals and events by period, for one point or for all.
Index("ix_signals_created_at", Signal.created_at)
Index("ix_signals_point_created", Signal.point_id, Signal.created_at)
FIGURES_COLUMNS = ("created_at", "point_id", "status", "outcome", "urgent", "area", "report_count", "callback_reports",
                   "claimed_at", "contacted_at", "closed_at", "due_claim_at", "due_contact_at", "due_close_at",
                   "claim_hours", "contact_hours", "forwarded_to")
Index("ix_signals_figures", *(getattr(Signal, name) for name in FIGURES_COLUMNS))
"""Every column the figures read, by the time of reporting: a period of all points is read from this narrow index
alone, not from the table with its sealed addresses (SQLite: 9 s → about 1 s for a year of a million signals)."""
Index("ix_reports_figures", Report.signal_id, Report.reporter_id, Report.observations)
"""The reports of a signal with what the figures read of them (who reported: their role; what was seen)."""
Index("ix_events_at", Event.at)
Index("ix_events_kind_at", Event.kind, Event.at, Event.signal_id)
"""Events of some kinds in a period (what was done; the follow-up: referred, followed up, reopened)."""
