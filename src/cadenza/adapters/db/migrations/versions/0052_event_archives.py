"""the Parquet archive of listening events: which day is in which blob; on PostgreSQL,
listening_events partitioned by month of occurred_at (SQLite unchanged)

Revision ID: 0052
Revises: 0044
Create Date: 2026-12-07 14:20:00
"""

from datetime import UTC, date, datetime

from alembic import op
import sqlalchemy as sa


revision = '0052'
down_revision = '0046'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'event_archives',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('events', sa.Integer(), nullable=False),
        sa.Column('archived_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('day'),
    )
    if op.get_bind().dialect.name == 'postgresql':
        _partition_listening_events()


def _months(first: date, last: date) -> list[date]:
    found, month = [], first.replace(day=1)
    while month <= last:
        found.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return found


def _partition_listening_events() -> None:
    """The table again, partitioned by month: its rows copied over, its sequence kept. The
    primary key and the unique client id take the month's column (PostgreSQL's rule for a
    partitioned table): a resent event has the same time, so it is still refused as one."""
    bind = op.get_bind()
    op.execute('ALTER TABLE listening_events RENAME TO listening_events_unpartitioned')
    op.execute('ALTER SEQUENCE listening_events_id_seq OWNED BY NONE')
    for index in ('listening_events_pkey', 'uq_listening_event', 'ix_listening_event_play'):
        op.execute(f'ALTER INDEX {index} RENAME TO {index}_unpartitioned')
    op.execute(
        'CREATE TABLE listening_events ('
        " id BIGINT NOT NULL DEFAULT nextval('listening_events_id_seq'),"
        ' user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,'
        ' client_id VARCHAR(64) NOT NULL,'
        ' play_id VARCHAR(64) NOT NULL,'
        ' kind VARCHAR(10) NOT NULL,'
        ' track_id INTEGER NOT NULL,'
        ' device VARCHAR(100) NOT NULL,'
        ' position_ms BIGINT NOT NULL,'
        ' seek_to_ms BIGINT,'
        ' occurred_at TIMESTAMP WITH TIME ZONE NOT NULL,'
        ' received_at TIMESTAMP WITH TIME ZONE NOT NULL,'
        ' CONSTRAINT listening_events_pkey PRIMARY KEY (id, occurred_at)'
        ') PARTITION BY RANGE (occurred_at)'
    )
    op.execute('ALTER SEQUENCE listening_events_id_seq OWNED BY listening_events.id')
    op.execute(
        'CREATE UNIQUE INDEX uq_listening_event ON listening_events '
        '(user_id, client_id, occurred_at)'
    )
    op.execute('CREATE INDEX ix_listening_event_play ON listening_events (user_id, play_id)')
    today = datetime.now(UTC).date()
    first = bind.execute(
        sa.text('SELECT min(occurred_at) FROM listening_events_unpartitioned')
    ).scalar()
    start = min(first.astimezone(UTC).date(), today) if first is not None else today
    end = date(today.year + (today.month + 2) // 12, (today.month + 2) % 12 + 1, 1)
    for month in _months(start, end):
        after = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        op.execute(
            f'CREATE TABLE listening_events_{month.year:04d}_{month.month:02d} '
            f"PARTITION OF listening_events FOR VALUES FROM ('{month.isoformat()}') "
            f"TO ('{after.isoformat()}')"
        )
    op.execute('CREATE TABLE listening_events_default PARTITION OF listening_events DEFAULT')
    op.execute('INSERT INTO listening_events SELECT * FROM listening_events_unpartitioned')
    op.execute('DROP TABLE listening_events_unpartitioned')


def downgrade() -> None:
    op.drop_table('event_archives')
    if op.get_bind().dialect.name == 'postgresql':  # one table again, the rows kept
        op.execute('ALTER TABLE listening_events RENAME TO listening_events_partitioned')
        op.execute('ALTER SEQUENCE listening_events_id_seq OWNED BY NONE')
        op.execute('ALTER INDEX uq_listening_event RENAME TO uq_listening_event_partitioned')
        op.execute('ALTER INDEX ix_listening_event_play RENAME TO ix_listening_event_play_p')
        op.execute('ALTER INDEX listening_events_pkey RENAME TO listening_events_pkey_p')
        op.execute(
            'CREATE TABLE listening_events (LIKE listening_events_partitioned INCLUDING DEFAULTS)'
        )
        op.execute('ALTER TABLE listening_events ADD PRIMARY KEY (id)')
        op.execute(
            'ALTER TABLE listening_events ADD FOREIGN KEY (user_id) REFERENCES users (id) '
            'ON DELETE CASCADE'
        )
        op.execute('INSERT INTO listening_events SELECT * FROM listening_events_partitioned')
        op.execute('DROP TABLE listening_events_partitioned')
        op.execute('ALTER SEQUENCE listening_events_id_seq OWNED BY listening_events.id')
        op.execute(
            'CREATE UNIQUE INDEX uq_listening_event ON listening_events (user_id, client_id)'
        )
        op.execute('CREATE INDEX ix_listening_event_play ON listening_events (user_id, play_id)')
