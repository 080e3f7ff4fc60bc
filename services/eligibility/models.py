"""Eligibility's tables: the talent directory, watched pairs and verdict history."""
from __future__ import annotations

from services.common.consumer import inbox_table
from services.common.db import make_base
from services.common.outbox import outbox_table

Base = make_base()
outbox = outbox_table(Base.metadata)
inbox = inbox_table(Base.metadata)
