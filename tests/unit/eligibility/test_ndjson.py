import io
import json

from services.eligibility.ndjson import (
    MAX_LINE_BYTES,
    LineRejected,
    parse_ndjson_lines,
)

from .builders import talent_document


def ndjson(*lines: str | dict, end: str = "\n") -> io.BytesIO:
    text = "\n".join(
        json.dumps(line) if isinstance(line, dict) else line for line in lines
    )
    return io.BytesIO((text + end).encode("utf-8"))


def codes(stream, **kwargs) -> list[tuple[int, str]]:
    return [
        (number, result.code if isinstance(result, LineRejected) else "accepted")
        for number, result in parse_ndjson_lines(stream, **kwargs)
    ]


class ReadSizeSpy(io.BytesIO):
    """Remembers the largest read asked for, to show lines are never held whole."""

    largest_read = 0

    def readline(self, size=-1):
        self.largest_read = max(self.largest_read, size if size >= 0 else 1 << 62)
        return super().readline(size)


def test_each_line_is_reported_with_its_number_and_blank_lines_still_count():
    no_id = talent_document()
    del no_id["freelancer_id"]
    stream = ndjson(
        talent_document(freelancer_id="fl-1"),
        "",
        "   ",
        "{not json",
        "[1, 2]",
        no_id,
        talent_document(jss=101),
        talent_document(freelancer_id="fl-2"),
    )

    assert codes(stream) == [
        (1, "accepted"),
        (4, "invalid_json"),
        (5, "invalid_json"),
        (6, "missing_freelancer_id"),
        (7, "validation_error"),
        (8, "accepted"),
    ]


def test_an_accepted_line_is_the_validated_talent_document():
    [(number, document)] = parse_ndjson_lines(ndjson(talent_document(), end=""))

    assert number == 1
    assert document["freelancer_id"] == "fl-000042"
    assert document["updated_at"].tzinfo is not None


def test_a_validation_error_names_the_fields_at_fault():
    project = {"id": "p-9", "title": "x", "price": -5, "delivery_days": 1}
    [(_, rejected)] = parse_ndjson_lines(
        ndjson(talent_document(jss=-1, projects=[project], colour="red"))
    )

    assert rejected.code == "validation_error"
    for path in ("jss:", "projects.0.price:", "colour: Unknown field."):
        assert path in rejected.detail


def test_an_over_long_line_is_reported_and_the_next_line_still_read():
    limit = 2048
    long_line = json.dumps(talent_document(title="x" * 200, skills=["y" * 60] * 40))
    assert len(long_line) > limit
    stream = ReadSizeSpy(ndjson(long_line, talent_document()).getvalue())

    assert codes(stream, max_line_bytes=limit) == [
        (1, "line_too_long"),
        (2, "accepted"),
    ]
    assert stream.largest_read <= limit + 1


def test_a_line_of_exactly_the_limit_is_read():
    line = json.dumps(talent_document())
    stream = ndjson(line)

    assert codes(stream, max_line_bytes=len(line)) == [(1, "accepted")]
    assert codes(ndjson(line), max_line_bytes=len(line) - 1) == [(1, "line_too_long")]


def test_the_default_limit_is_64_kib():
    huge = '{"name": "' + "x" * MAX_LINE_BYTES + '"}'

    assert codes(ndjson(huge, talent_document())) == [
        (1, "line_too_long"),
        (2, "accepted"),
    ]


def test_windows_line_endings_and_a_missing_final_newline_are_fine():
    body = json.dumps(talent_document()) + "\r\n" + json.dumps(talent_document())

    assert codes(io.BytesIO(body.encode())) == [(1, "accepted"), (2, "accepted")]


def test_non_standard_json_and_bad_bytes_are_invalid_json():
    stream = io.BytesIO(b'{"jss": NaN}\n\xff\xfe{"a": 1}\n"just a string"\n')

    assert codes(stream) == [
        (1, "invalid_json"),
        (2, "invalid_json"),
        (3, "invalid_json"),
    ]


def test_an_empty_upload_yields_nothing():
    assert list(parse_ndjson_lines(io.BytesIO(b""))) == []


def test_a_line_with_a_nul_character_is_refused_and_its_neighbours_kept():
    lines = ndjson(talent_document(), talent_document(name="Ada\u0000"), talent_document(name="\\u0000 as text"))
    assert codes(lines) == [(1, "accepted"), (2, "validation_error"), (3, "accepted")]
