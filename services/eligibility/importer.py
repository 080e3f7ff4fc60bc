"""The operator's re-score from a file: ``python -m services.eligibility import-talent FILE``.

Streams an NDJSON or CSV file of talent documents to ``POST /internal/v1/talent:bulk`` in
batches (never the whole file in memory), shows progress (lines, lines/s, ETA), retries a
batch that failed on the way (a connection error, a timeout, 429 or 5xx) with exponential
backoff, and remembers the last accepted batch in ``FILE.import-state.json``, so running the
same command again after an interruption resumes after it. Re-sending a batch whose answer
was lost is harmless: its lines come back stale (API.md, "Talent document"). Rejected lines
go to ``FILE.rejected.ndjson`` as ``{line, code, detail, text}``, numbered as in the file.

CSV: a header row naming the talent document's fields, one record per line; ``skills`` and
``badges`` are ``;``-separated, ``projects`` and ``consultations`` JSON arrays (empty: none),
an empty ``referred_by_partner_id`` is null, ``hourly_rate`` and ``jss`` numbers.
"""
from __future__ import annotations

import csv
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import requests
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

LIST_FIELDS = ("skills", "badges")
JSON_FIELDS = ("projects", "consultations")
MAX_BATCH_BYTES = 64 * 1024 * 1024  # well under the endpoint's 512 MiB and a proxy's patience


class ImportFailed(Exception):
    """The endpoint refused a batch for a reason retrying cannot fix (a bad token, a bad URL)."""


class TryAgain(Exception):
    """A batch failed on the way (connection, timeout, 429, 5xx): worth sending again."""


@dataclass
class ImportState:
    """What was accepted so far: where the next batch starts, for a resume."""

    size: int
    mtime_ns: int
    offset: int = 0
    line: int = 0
    accepted: int = 0
    stale: int = 0
    rejected: int = 0
    rejects_bytes: int = 0
    done: bool = False
    header: list[str] | None = field(default=None)

    @classmethod
    def load(cls, path: Path, source: Path, restart: bool) -> "ImportState":
        stat = source.stat()
        if path.exists() and not restart:
            state = cls(**json.loads(path.read_text()))
            if (state.size, state.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
                raise ImportFailed(f"{source} changed since the import began ({path}); "
                                   "use --restart to send it from the start")
            return state
        return cls(size=stat.st_size, mtime_ns=stat.st_mtime_ns)

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(asdict(self)))
        os.replace(tmp, path)  # whole or not at all, even if killed while writing


@dataclass
class Batch:
    lines: list[int]  # the file's line number of each body line
    texts: list[bytes]  # each line as it is in the file
    body: bytes
    end_offset: int
    end_line: int  # the file's last line read, blank ones included


def import_talent(source: Path, url: str, token: str, batch_lines: int = 1000, fmt: str = "auto",
                  attempts: int = 6, retry_wait: float = 1.0, restart: bool = False, progress: bool = True,
                  session: requests.Session | None = None, on_batch: Callable[[ImportState], None] | None = None,
                  ) -> ImportState:
    """Send ``source`` to ``url``'s bulk endpoint; the final state (also in the state file)."""
    source = Path(source)
    state_path, rejects_path = sibling(source, ".import-state.json"), sibling(source, ".rejected.ndjson")
    state = ImportState.load(state_path, source, restart)
    if restart or not rejects_path.exists():
        rejects_path.write_bytes(b"")
    with open(rejects_path, "r+b") as rejects:
        rejects.truncate(state.rejects_bytes)  # rejects of a batch sent but not recorded go again
    if state.done:
        return state
    fmt = ("csv" if source.suffix.lower() == ".csv" else "ndjson") if fmt == "auto" else fmt
    poster = Poster(url, token, session or requests.Session(), attempts, retry_wait)
    with Progress(source.stat().st_size, state, progress) as shown, open(source, "rb") as f, \
            open(rejects_path, "ab") as rejects:
        for batch in batches(f, state, fmt, batch_lines):
            answer = poster.post(batch.body)
            for rejected in answer["rejected"]:
                number = batch.lines[rejected["line"] - 1]
                text = batch.texts[rejected["line"] - 1].decode("utf-8", "replace").rstrip("\r\n")
                rejects.write(json.dumps({"line": number, "code": rejected["code"], "detail": rejected["detail"],
                                          "text": text}).encode() + b"\n")
            rejects.flush()
            state.offset, state.line = batch.end_offset, batch.end_line
            state.accepted += answer["accepted"]
            state.stale += answer.get("stale", 0)
            state.rejected += len(answer["rejected"])
            state.rejects_bytes = rejects.tell()
            state.save(state_path)
            shown.advance(state)
            if on_batch is not None:
                on_batch(state)
    state.done = True
    state.save(state_path)
    return state


def sibling(source: Path, suffix: str) -> Path:
    return source.with_name(source.name + suffix)


def batches(f, state: ImportState, fmt: str, batch_lines: int) -> Iterator[Batch]:
    """Batches of at most ``batch_lines`` lines (and MAX_BATCH_BYTES) from the state's offset."""
    if fmt == "csv" and state.header is None:
        f.seek(0)
        first = f.readline()
        state.header = next(csv.reader([first.decode("utf-8-sig")]))
        state.offset, state.line = f.tell(), 1
    f.seek(state.offset)
    number, lines, texts, body, size = state.line, [], [], [], 0
    while raw := f.readline():
        number += 1
        if raw.strip():
            line = csv_line(raw, state.header) if fmt == "csv" else raw.rstrip(b"\r\n")
            lines.append(number)
            texts.append(raw)
            body.append(line)
            size += len(line) + 1
        if len(lines) >= batch_lines or size >= MAX_BATCH_BYTES:
            yield Batch(lines, texts, b"\n".join(body) + b"\n", f.tell(), number)
            lines, texts, body, size = [], [], [], 0
    if lines:
        yield Batch(lines, texts, b"\n".join(body) + b"\n", f.tell(), number)


def csv_line(raw: bytes, header: list[str]) -> bytes:
    """One CSV record as an NDJSON line; a value that does not convert is sent as it is, so
    the endpoint rejects the line with its own reason."""
    values = next(csv.reader([raw.decode("utf-8", "replace")]), [])
    document = {}
    for name, value in zip(header, values):
        document[name] = convert(name, value)
    return json.dumps(document).encode()


def convert(name: str, value: str):
    if name in LIST_FIELDS:
        return [v.strip() for v in value.split(";") if v.strip()]
    if name in JSON_FIELDS:
        try:
            return json.loads(value) if value.strip() else []
        except ValueError:
            return value
    if name == "referred_by_partner_id":
        return value or None
    if name in ("hourly_rate", "jss"):
        try:
            number = float(value)
            return int(number) if name == "jss" and number.is_integer() else number
        except ValueError:
            return value
    return value


class Poster:
    """POSTs one batch, retrying what can be retried (tenacity: exponential backoff)."""

    def __init__(self, url: str, token: str, session: requests.Session, attempts: int, retry_wait: float):
        self.endpoint = url.rstrip("/") + "/internal/v1/talent:bulk"
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
        self.session = session
        self.retrying = Retrying(stop=stop_after_attempt(attempts), reraise=True,
                                 wait=wait_exponential(multiplier=retry_wait, max=30),
                                 retry=retry_if_exception_type(TryAgain))

    def post(self, body: bytes) -> dict:
        try:
            return self.retrying(self._post_once, body)
        except TryAgain as exc:
            raise ImportFailed(f"a batch kept failing: {exc}") from exc

    def _post_once(self, body: bytes) -> dict:
        try:
            answer = self.session.post(self.endpoint, data=body, headers=self.headers, timeout=(10, 600))
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise TryAgain(f"{type(exc).__name__}: {exc}") from exc
        if answer.status_code == 429 or answer.status_code >= 500:
            raise TryAgain(f"{answer.status_code} {answer.text[:200]}")
        if answer.status_code != 200:
            raise ImportFailed(f"{answer.status_code} {answer.text[:500]}")
        return answer.json()


class Progress:
    """Lines, lines/s and the time left (from the bytes still to send), with rich."""

    def __init__(self, total_bytes: int, state: ImportState, enabled: bool):
        from rich.progress import BarColumn, Progress as Bar, TaskProgressColumn, TextColumn, TimeRemainingColumn
        self.started, self.first_line = time.monotonic(), state.line
        self.bar = Bar(TextColumn("{task.fields[lines]:>12,} lines"), TextColumn("{task.fields[rate]:>8,.0f} lines/s"),
                       BarColumn(), TaskProgressColumn(), TimeRemainingColumn(), disable=not enabled)
        self.task = self.bar.add_task("import", total=total_bytes, completed=state.offset, lines=state.line, rate=0)

    def __enter__(self) -> "Progress":
        self.bar.start()
        return self

    def __exit__(self, *exc) -> None:
        self.bar.stop()

    def advance(self, state: ImportState) -> None:
        rate = (state.line - self.first_line) / max(time.monotonic() - self.started, 1e-6)
        self.bar.update(self.task, completed=state.offset, lines=state.line, rate=rate)
