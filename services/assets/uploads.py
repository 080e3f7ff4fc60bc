"""Reading an upload from the request, as the raw body or the multipart part `file`.

Contract (API.md, "Changed rules"): a multipart upload's file is the one part
named `file`, with or without a filename, and multipart and raw bodies accept
the same files up to the same limits (`AssetKind.max_bytes`).

Memory stays bounded whatever the client sends: a declared Content-Length over
the limit is refused before a byte is read; the raw body is read in chunks up
to the limit and no further; a multipart body is decoded as it arrives
(Werkzeug's sans-IO MultipartDecoder, RFC 7578) and the `file` part is
streamed to a temporary file (on disk past 512 KiB), so no copy of the form
is ever held besides the file itself. The declared content type chooses raw
or multipart only; what the file is gets decided by its content.
"""
from __future__ import annotations

import tempfile

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.sansio.multipart import (
    Data,
    Epilogue,
    Field,
    File,
    MultipartDecoder,
    NeedData,
)

from services.common.errors import Problem

from .domain import READ_CHUNK_BYTES, AssetKind, AssetRejected, read_limited, too_large

MULTIPART_OVERHEAD_BYTES = 64 * 1024
FILE_FIELD = "file"
MAX_PARTS = 8
SPOOL_IN_MEMORY_BYTES = 512 * 1024
# What the decoder may hold at once: one chunk read plus headers or a boundary in wait.
DECODER_BUFFER_BYTES = 2 * READ_CHUNK_BYTES


def read_upload(request: Request, spec: AssetKind) -> bytes:
    """The uploaded file's bytes, at most `spec.max_bytes` of them.

    Raises AssetRejected `file_too_large` (413) past the limit, Problem 422
    `validation_error` for a multipart body without exactly one part `file`
    or one that cannot be decoded.
    """
    multipart = request.mimetype == "multipart/form-data"
    limit = spec.max_bytes + (MULTIPART_OVERHEAD_BYTES if multipart else 0)
    # One byte more than the limit: Werkzeug refuses a read *at* its maximum, which would
    # refuse a chunked body (no Content-Length) of exactly the limit. read_limited and the
    # decoder loop count the file's bytes themselves.
    request.max_content_length = limit + 1
    if request.content_length is not None and request.content_length > limit:
        raise too_large(spec)
    if multipart:
        return _multipart_file(request, spec)
    try:
        return read_limited(request.stream, spec.max_bytes)
    except (RequestEntityTooLarge, AssetRejected):  # past the limit, chunked or not
        raise too_large(spec) from None


def _malformed(reason: str) -> Problem:
    return Problem(422, "validation_error", f"The upload is not a readable multipart form: {reason}.",
                   errors={FILE_FIELD: [reason]})


def _multipart_file(request: Request, spec: AssetKind) -> bytes:
    boundary = request.mimetype_params.get("boundary", "")
    if not boundary or len(boundary) > 70:  # RFC 2046 5.1.1
        raise _malformed("its Content-Type names no valid boundary")
    decoder = MultipartDecoder(boundary.encode("latin-1", "replace"), max_form_memory_size=DECODER_BUFFER_BYTES,
                               max_parts=MAX_PARTS)
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES) as spool:
        found = _decode(request, decoder, spool, spec)
        if found != 1:
            raise Problem(422, "validation_error", "Send exactly one file, in the multipart part named `file`.",
                          errors={FILE_FIELD: ["Exactly one file is required."]})
        spool.seek(0)
        return read_limited(spool, spec.max_bytes)


def _decode(request: Request, decoder: MultipartDecoder, spool, spec: AssetKind) -> int:
    """Stream the body through the decoder, writing part `file` to `spool`; the number of such parts."""
    found, in_file, written = 0, False, 0
    while True:
        try:
            chunk = request.stream.read(READ_CHUNK_BYTES)
        except RequestEntityTooLarge:  # a chunked body past the multipart limit
            raise too_large(spec) from None
        try:
            decoder.receive_data(chunk or None)
            event = decoder.next_event()
            while not isinstance(event, NeedData):
                if isinstance(event, (Field, File)):
                    if event.name != FILE_FIELD:
                        raise Problem(422, "validation_error", "The upload has parts other than `file`.",
                                      errors={event.name or "(unnamed)": ["Unknown field."]})
                    found, in_file = found + 1, True
                elif isinstance(event, Data) and in_file:
                    written += len(event.data)
                    if written > spec.max_bytes:
                        raise too_large(spec)
                    spool.write(event.data)
                    in_file = event.more_data
                elif isinstance(event, Epilogue):
                    return found
                event = decoder.next_event()
        except RequestEntityTooLarge:
            raise _malformed(f"it has more than {MAX_PARTS} parts or a part header over "
                             f"{DECODER_BUFFER_BYTES // 1024} KiB") from None
        except ValueError as exc:
            raise _malformed(str(exc).rstrip(".") or "it is not multipart/form-data") from None
        if not chunk:
            raise _malformed("it ends before its closing boundary")
