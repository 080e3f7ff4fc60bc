"""A broker-free bus for the processes of one machine: a folder of queues.

Development and tests only; production runs RabbitMQ. It keeps the guarantees
kombu's filesystem transport does not:

* a message is written under a temporary name and renamed into ``new/``,
  so a reader never sees a half-written file;
* a consumer claims a message by renaming it into ``cur/`` under its own
  process tag, so two consumers never handle the same copy, and deletes it
  only on ack;
* claims of consumers that died are put back (with their delivery count
  raised), so SIGKILL loses nothing;
* past the delivery limit a message moves to the queue's dead-letter folder,
  from where ``replay`` puts it back.
"""
from __future__ import annotations

import itertools
import json
import os
import threading
import time
from pathlib import Path
from typing import Callable

from .base import Bus, BusUnavailable, Delivery, Message, dead_letter_queue, topic_matches

_counter = itertools.count()


def _process_tag(pid: int) -> str | None:
    """pid plus its start time, so a recycled pid is not mistaken for a live consumer."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    except OSError:
        return str(pid)
    return f"{pid}-{stat.rsplit(')', 1)[1].split()[19]}"


class _Name:
    """``<order>.<message_id>.<delivery_count>``; claimed files add ``<owner>~`` in front."""

    @staticmethod
    def new(message_id: str, count: int = 0) -> str:
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in message_id)[:80]
        return f"{time.time_ns():020d}{next(_counter) % 1000:03d}.{os.getpid()}.{safe}.{count}"

    @staticmethod
    def with_count(name: str, count: int) -> str:
        return f"{name.rsplit('.', 1)[0]}.{count}"

    @staticmethod
    def count(name: str) -> int:
        return int(name.rsplit(".", 1)[1])


class FolderDelivery(Delivery):
    def __init__(self, bus: "FolderBus", queue: str, path: Path, message: Message, count: int):
        self.bus, self.queue, self.path = bus, queue, path
        self.message, self.delivery_count = message, count

    def ack(self) -> None:
        self.path.unlink(missing_ok=True)
        self.bus._in_flight.discard(self.path.name)

    def retry(self) -> None:
        self.bus._return(self.queue, self.path, self.path.name.split("~", 1)[1], self.delivery_count + 1)
        self.bus._in_flight.discard(self.path.name)


class FolderBus(Bus):
    """Queues as folders under ``root`` (``$PORTAL_DATA_DIR/bus``)."""

    def __init__(self, root: Path, delivery_limit: int = 5, poll_seconds: float = 0.02,
                 fsync: bool = False):
        self.root = Path(root)
        self.delivery_limit = delivery_limit
        self.poll_seconds, self.fsync = poll_seconds, fsync
        self.owner = _process_tag(os.getpid()) or str(os.getpid())
        self._in_flight: set[str] = set()  # claims this process is handling right now

    # -- layout
    def _queue_dir(self, queue: str) -> Path:
        return self.root / "queues" / queue

    def declare(self, queue: str, bindings: list[str]) -> None:
        for name in (queue, dead_letter_queue(queue)):
            for sub in ("tmp", "new", "cur"):
                (self._queue_dir(name) / sub).mkdir(parents=True, exist_ok=True)
        folder = self.root / "bindings"
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{queue}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(sorted(bindings)))
        os.replace(tmp, folder / queue)

    def _bindings(self) -> dict[str, list[str]]:
        folder = self.root / "bindings"
        try:
            names = [n for n in os.listdir(folder) if not n.startswith(".")]
            return {n: json.loads((folder / n).read_text()) for n in names}
        except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError) as exc:
            raise BusUnavailable(f"bus folder unavailable: {exc}") from exc

    # -- publishing
    def publish(self, messages: list[Message]) -> None:
        bindings = self._bindings()
        try:
            for message in messages:
                for queue, patterns in bindings.items():
                    if any(topic_matches(p, message.routing_key) for p in patterns):
                        self._put(queue, message, _Name.new(message.message_id))
        except OSError as exc:
            raise BusUnavailable(f"bus folder unavailable: {exc}") from exc

    def _put(self, queue: str, message: Message, name: str) -> None:
        folder = self._queue_dir(queue)
        tmp = folder / "tmp" / name
        header = json.dumps({"routing_key": message.routing_key, "message_id": message.message_id,
                             "headers": message.headers}).encode()
        with open(tmp, "xb") as f:
            f.write(header + b"\n" + message.body)
            if self.fsync:
                f.flush()
                os.fsync(f.fileno())
        os.rename(tmp, folder / "new" / name)

    @staticmethod
    def _read(path: Path) -> Message:
        header, _, body = path.read_bytes().partition(b"\n")
        meta = json.loads(header)
        return Message(meta["routing_key"], meta["message_id"], body, meta.get("headers") or {})

    # -- consuming
    def consume(self, queue: str, handle: Callable[[Delivery], None], stop: threading.Event,
                prefetch: int = 10) -> None:
        last_sweep = 0.0
        while not stop.is_set():
            try:
                if time.monotonic() - last_sweep > 1.0:
                    self.restore_orphans(queue)
                    last_sweep = time.monotonic()
                handled = self._consume_waiting(queue, handle, stop)
            except OSError:  # the folder went away for a moment: claims come back, restore_orphans
                handled = 0
            if not handled:
                stop.wait(self.poll_seconds)

    def _consume_waiting(self, queue: str, handle, stop: threading.Event) -> int:
        handled = 0
        for name in self._waiting(queue):
            if stop.is_set():
                break
            delivery = self._claim(queue, name)
            if delivery is not None:
                handle(delivery)
                handled += 1
        return handled

    def _waiting(self, queue: str) -> list[str]:
        try:
            return sorted(os.listdir(self._queue_dir(queue) / "new"))
        except FileNotFoundError:
            return []

    def _claim(self, queue: str, name: str) -> FolderDelivery | None:
        folder = self._queue_dir(queue)
        claimed = folder / "cur" / f"{self.owner}~{name}"
        try:
            os.rename(folder / "new" / name, claimed)
        except FileNotFoundError:
            return None  # another consumer took it
        try:
            message = self._read(claimed)
        except FileNotFoundError:
            return None  # the folder went away with our claim; restore_orphans puts it back
        self._in_flight.add(claimed.name)
        return FolderDelivery(self, queue, claimed, message, _Name.count(name))

    def _return(self, queue: str, claimed: Path, name: str, count: int) -> None:
        """Back to the queue, or to its dead letters once the delivery limit is reached."""
        target = queue if count < self.delivery_limit else dead_letter_queue(queue)
        try:
            os.rename(claimed, self._queue_dir(target) / "new" / _Name.with_count(name, count))
        except FileNotFoundError:
            pass  # someone else restored it first

    def restore_orphans(self, queue: str) -> int:
        """Put back the messages claimed by consumers that are no longer alive, and our own
        claims that nobody here is handling (left behind when the folder went away)."""
        restored, alive = 0, {}
        cur = self._queue_dir(queue) / "cur"
        for claimed_name in os.listdir(cur) if cur.exists() else []:
            owner, _, name = claimed_name.partition("~")
            if owner == self.owner:
                alive[owner] = claimed_name in self._in_flight
            elif owner not in alive:
                pid = int(owner.split("-", 1)[0])
                alive[owner] = _process_tag(pid) == owner or (owner == str(pid) and _pid_alive(pid))
            if not alive[owner]:
                self._return(queue, cur / claimed_name, name, _Name.count(name) + 1)
                restored += 1
        return restored

    # -- dead letters and inspection
    def dead_letters(self, queue: str, limit: int = 100) -> list[Message]:
        folder = self._queue_dir(dead_letter_queue(queue)) / "new"
        names = sorted(os.listdir(folder))[:limit] if folder.exists() else []
        return [self._read(folder / n) for n in names]

    def replay(self, queue: str, message_ids: list[str] | None = None) -> int:
        folder = self._queue_dir(dead_letter_queue(queue)) / "new"
        moved = 0
        for name in sorted(os.listdir(folder)) if folder.exists() else []:
            if message_ids is not None and self._read(folder / name).message_id not in message_ids:
                continue
            try:
                os.rename(folder / name, self._queue_dir(queue) / "new" / _Name.with_count(name, 0))
                moved += 1
            except FileNotFoundError:
                pass
        return moved

    def depth(self, queue: str) -> int:
        return len(self._waiting(queue))

    def ping(self) -> None:
        if not (self.root / "bindings").is_dir() or not os.access(self.root, os.W_OK):
            raise BusUnavailable(f"bus folder {self.root} unavailable")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
