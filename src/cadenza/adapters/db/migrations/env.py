"""Alembic environment: migrations run on the connection bootstrap hands over."""

from alembic import context
from sqlalchemy import create_engine

from cadenza.adapters.db import (  # noqa: F401  (registers the tables)
    models_accounts,
    models_ads,
    models_artists,
    models_billing,
    models_collection,
    models_creators,
    models_devices,
    models_discovery,
    models_fraud,
    models_history,
    models_listening,
    models_oauth,
    models_offline,
    models_peers,
    models_podcasts,
    models_recs,
    models_royalties,
    models_search,
    models_social,
    models_stats,
)
from cadenza.adapters.db.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    # `alembic` from the command line: use the URL given with -x url=...
    url = context.get_x_argument(as_dictionary=True)["url"]
    connection = create_engine(url).connect()

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
