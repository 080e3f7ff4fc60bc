"""Reading an upload from the request, as the raw body or multipart field `file`.

Memory stays bounded whatever the client sends: a declared Content-Length over
the limit is refused before a byte is read, the raw body is read in chunks up
to the limit and no further, and multipart file parts are spooled to disk by
werkzeug's form parser. The declared content type chooses raw or multipart
only; what the file is gets decided by its content.
"""
from __future__ import annotations

from flask import Request

from services.common.errors import Problem

from .domain import AssetKind, AssetRejected, read_limited

MULTIPART_OVERHEAD_BYTES = 64 * 1024
FILE_FIELD = "file"


def read_upload(request: Request, spec: AssetKind) -> bytes:
    """The uploaded file's bytes, at most `spec.max_bytes` of them."""
    multipart = request.mimetype == "multipart/form-data"
    limit = spec.max_bytes + (MULTIPART_OVERHEAD_BYTES if multipart else 0)
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise AssetRejected("file_too_large", f"{spec.name} is limited to {spec.max_bytes} bytes")
    if multipart:
        return _multipart_file(request, spec)
    return read_limited(request.stream, spec.max_bytes)


def _multipart_file(request: Request, spec: AssetKind) -> bytes:
    request.max_form_parts = 4
    request.max_form_memory_size = 1024
    unexpected = sorted(set(request.form) | (set(request.files) - {FILE_FIELD}))
    if unexpected:
        raise Problem(422, "validation_error", "The upload has fields other than `file`.",
                      errors={name: ["Unknown field."] for name in unexpected})
    files = request.files.getlist(FILE_FIELD)
    if len(files) != 1:
        raise Problem(422, "validation_error", "Send exactly one file in the multipart field `file`.",
                      errors={FILE_FIELD: ["Exactly one file is required."]})
    with files[0].stream as stream:
        return read_limited(stream, spec.max_bytes)
