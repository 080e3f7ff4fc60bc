"""Reading the NDJSON body of POST /internal/v1/talent:bulk, one line at a time.

Memory stays bounded whatever the upload: a line is read at most
`max_line_bytes + 1` bytes at a time, and the rest of an over-long line is
skipped in chunks of the same size, never held whole.
"""

import io
import json
from dataclasses import dataclass
from typing import BinaryIO, Iterator

from marshmallow import ValidationError

from services.common.inputs import might_be_refused, value_problem
from services.eligibility.schemas import BulkTalentLineSchema

MAX_LINE_BYTES = 64 * 1024
MAX_DETAIL_CHARS = 500


@dataclass(frozen=True)
class LineRejected:
    """Why one line of a bulk upload was not kept: a stable `code` and a `detail`."""

    code: str
    detail: str


def parse_ndjson_lines(
    stream: BinaryIO, max_line_bytes: int = MAX_LINE_BYTES
) -> Iterator[tuple[int, dict | LineRejected]]:
    """Yield `(line_number, talent_document_or_rejection)` for each non-blank line.

    Line numbers start at 1 and count blank lines too, so they match what an
    operator sees in an editor. Codes: `invalid_json`, `missing_freelancer_id`,
    `validation_error`, `line_too_long`.
    """
    schema = BulkTalentLineSchema()
    for number, line in _numbered_lines(stream, max_line_bytes):
        if line is None:
            detail = f"Line is longer than {max_line_bytes} bytes."
            yield number, LineRejected("line_too_long", detail)
        elif line.strip():
            yield number, _read_talent_line(line, schema)


def _numbered_lines(
    stream: BinaryIO, max_line_bytes: int
) -> Iterator[tuple[int, bytes | None]]:
    """Yield each line with its number; None stands for a line that is too long."""
    if isinstance(stream, io.RawIOBase):
        # werkzeug's request stream is unbuffered: its readline reads one byte a call
        stream = io.BufferedReader(stream, buffer_size=max_line_bytes + 1)
    number = 0
    while line := stream.readline(max_line_bytes + 1):
        number += 1
        if len(line) > max_line_bytes and not line.endswith(b"\n"):
            _skip_rest_of_line(stream, max_line_bytes)
            yield number, None
        else:
            yield number, line


def _skip_rest_of_line(stream: BinaryIO, chunk_bytes: int) -> None:
    while chunk := stream.readline(chunk_bytes):
        if chunk.endswith(b"\n"):
            return


def _read_talent_line(line: bytes, schema: BulkTalentLineSchema) -> dict | LineRejected:
    try:
        value = json.loads(line, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return LineRejected("invalid_json", "Line is not valid JSON.")
    if not isinstance(value, dict):
        return LineRejected("invalid_json", "Line is not a JSON object.")
    problem = value_problem(value) if might_be_refused(line) else None
    if problem is not None:
        return LineRejected(problem.code, problem.detail)
    if value.get("freelancer_id") is None:
        return LineRejected("missing_freelancer_id", "Line has no freelancer_id.")
    try:
        return schema.load(value)
    except ValidationError as error:
        return LineRejected("validation_error", summarise_errors(error.messages))


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def summarise_errors(messages: dict | list, limit: int = MAX_DETAIL_CHARS) -> str:
    """Flatten marshmallow's nested messages into `field.0.sub: message; ...`."""
    summary = "; ".join(f"{path}: {text}" for path, text in _flatten(messages, ""))
    return summary if len(summary) <= limit else summary[: limit - 3] + "..."


def _flatten(messages: dict | list | str, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(messages, dict):
        for key, nested in messages.items():
            yield from _flatten(nested, f"{path}.{key}" if path else str(key))
    elif isinstance(messages, list):
        for nested in messages:
            yield from _flatten(nested, path)
    else:
        yield path or "_schema", str(messages)
