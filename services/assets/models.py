"""Assets' tables: brand asset metadata and versions (the bytes live in storage)."""
from __future__ import annotations

from services.common.consumer import inbox_table
from services.common.db import make_base
from services.common.members import members_table
from services.common.outbox import outbox_table

Base = make_base()
outbox = outbox_table(Base.metadata)
inbox = inbox_table(Base.metadata)
members = members_table(Base.metadata)
