"""figures: follow-up, goals per area, the signallers' monthly thank-you, speed

Revision ID: 0010
Revises: 0009

Each point's goals on counts per area (signals a year from a 4-digit area). A signaller's yes to one short
monthly message about their neighbourhood, and when the last one went. An index on the events by kind, so
the figures read the events of a kind in a period from the index alone. Each signal's working hours
to its first claim and to its first contact (or close), written by the service layer from now on and worked
out here from the events for the signals before, so the figures need no working time per signal.
"""
import json
from datetime import UTC, date, time

import sqlalchemy as sa
from alembic import op

from omzien.flows.sla import WorkingTime

CHUNK = 20_000
FIGURES_COLUMNS = ("created_at", "point_id", "status", "outcome", "urgent", "area", "report_count", "callback_reports",
                   "claimed_at", "contacted_at", "closed_at", "due_claim_at", "due_contact_at", "due_close_at",
                   "claim_hours", "contact_hours", "forwarded_to")

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('area_goals', sa.JSON(), server_default='{}', nullable=False))
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('monthly_thanks', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('monthly_thanks_at', sa.DateTime(), nullable=True))
    op.create_index('ix_events_kind_at', 'events', ['kind', 'at', 'signal_id'], unique=False)
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_hours', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('contact_hours', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('report_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('callback_reports', sa.Integer(), server_default='0', nullable=False))
    _work_out_hours(op.get_bind())
    op.execute("UPDATE signals SET report_count = (SELECT count(*) FROM reports r WHERE r.signal_id = signals.id),"
               " callback_reports = (SELECT count(*) FROM reports r WHERE r.signal_id = signals.id"
               " AND CAST(r.observations AS TEXT) LIKE '%\"callback\"%')")
    op.create_index('ix_signals_figures', 'signals', list(FIGURES_COLUMNS), unique=False)
    if op.get_bind().dialect.name == 'postgresql':  # JSON has no order to index by; JSONB has
        op.execute('ALTER TABLE reports ALTER COLUMN observations TYPE JSONB USING observations::jsonb')
    op.create_index('ix_reports_figures', 'reports', ['signal_id', 'reporter_id', 'observations'], unique=False)
    op.execute('ANALYZE')  # the planner learns the new indexes


def _working_times(connection: sa.Connection) -> dict[int, WorkingTime]:
    found = {}
    for point_id, zone, opens, closes, weekdays, closed in connection.execute(sa.text(
            "SELECT id, time_zone, opens, closes, weekdays, closed_days FROM points")):
        closed = json.loads(closed) if isinstance(closed, str) else closed or []
        found[point_id] = WorkingTime(time_zone=zone, opens=time.fromisoformat(opens), closes=time.fromisoformat(closes),
                                      weekdays=frozenset(int(day) for day in weekdays),
                                      closed_days=frozenset(date.fromisoformat(day) for day in closed))
    return found


def _work_out_hours(connection: sa.Connection) -> None:
    """The hours of the signals before this version, from their first events (as ``omzien sla report`` did)."""
    working = _working_times(connection)
    last = connection.scalar(sa.text("SELECT max(id) FROM signals")) or 0
    firsts = sa.text(
        "SELECT e.signal_id, s.point_id, e.kind, min(e.at) AS at FROM events e JOIN signals s ON s.id = e.signal_id"
        " WHERE s.point_id IS NOT NULL AND e.signal_id > :low AND e.signal_id <= :high"
        " AND e.kind IN ('reported', 'routed', 'claimed', 'contacted', 'closed')"
        " GROUP BY e.signal_id, s.point_id, e.kind").columns(at=sa.DateTime())
    for low in range(0, last, CHUNK):
        kinds: dict[int, dict[str, object]] = {}
        for signal_id, point_id, kind, at in connection.execute(firsts, {"low": low, "high": low + CHUNK}):
            kinds.setdefault(signal_id, {"point": point_id})[kind] = at.replace(tzinfo=UTC)
        rows = []
        for signal_id, first in kinds.items():
            start, time_of = first.get("routed") or first.get("reported"), working[first["point"]]
            if start is None:
                continue
            contact = min((first[k] for k in ("contacted", "closed") if k in first), default=None)
            rows.append({"id": signal_id, "claim": _hours(time_of, start, first.get("claimed")),
                         "contact": _hours(time_of, start, contact)})
        if rows:
            connection.execute(sa.text("UPDATE signals SET claim_hours = :claim, contact_hours = :contact"
                                       " WHERE id = :id"), rows)


def _hours(working: WorkingTime, start, end) -> float | None:  # type: ignore[no-untyped-def]
    return None if end is None else working.between(start, end).total_seconds() / 3600


def downgrade() -> None:
    op.drop_index('ix_reports_figures', table_name='reports')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE reports ALTER COLUMN observations TYPE JSON USING observations::json')
    op.drop_index('ix_signals_figures', table_name='signals')
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.drop_column('callback_reports')
        batch_op.drop_column('report_count')
        batch_op.drop_column('contact_hours')
        batch_op.drop_column('claim_hours')
    op.drop_index('ix_events_kind_at', table_name='events')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('monthly_thanks_at')
        batch_op.drop_column('monthly_thanks')
    with op.batch_alter_table('points', schema=None) as batch_op:
        batch_op.drop_column('area_goals')
