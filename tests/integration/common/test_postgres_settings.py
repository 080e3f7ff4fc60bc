"""PostgreSQL connections never wait forever: a transaction its client left open is ended by
the server, so a process killed mid-transaction cannot hold its locks for good."""
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.common.db import Database

pytestmark = pytest.mark.integration


def test_a_transaction_left_open_is_ended_by_the_server(postgres, monkeypatch):
    monkeypatch.setenv("PORTAL_DB_IDLE_TRANSACTION_SECONDS", "1")
    db = Database(postgres.database("idle_tx"))
    with db.engine.connect() as conn:
        assert conn.execute(text("SHOW idle_in_transaction_session_timeout")).scalar() == "1s"
        conn.execute(text("SELECT 1"))  # the transaction is open now, and left idle
        time.sleep(2.5)
        with pytest.raises(DBAPIError):
            conn.execute(text("SELECT 1"))
    db.dispose()


def test_connecting_to_a_server_that_does_not_answer_gives_up(monkeypatch):
    import socket
    monkeypatch.setenv("PORTAL_DB_CONNECT_TIMEOUT", "2")
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the TCP connection and then says nothing
    db = Database(f"postgresql://postgres@127.0.0.1:{silent.getsockname()[1]}/none")
    started = time.monotonic()
    with pytest.raises(DBAPIError):
        db.ping()
    assert time.monotonic() - started < 10
    silent.close()
