"""Every file of the attack corpus answers the code it was made for."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.assets.domain import KINDS, AssetRejected, check_asset

from .corpus import CORPUS, EXPECTED, read

REFUSED = sorted(name for name, (_, code) in EXPECTED.items() if code)
ACCEPTED = sorted(name for name, (_, code) in EXPECTED.items() if not code)


def test_every_corpus_file_has_an_expected_answer():
    on_disk = {path.name for path in CORPUS.iterdir() if path.suffix != ".py"}
    assert on_disk == set(EXPECTED)


def test_corpus_files_stay_small():
    assert all(path.stat().st_size < 100_000 for path in CORPUS.iterdir())


@pytest.mark.parametrize("name", REFUSED)
def test_a_refused_corpus_file_answers_its_code(name):
    kind, code = EXPECTED[name]
    with pytest.raises(AssetRejected) as refused:
        check_asset(kind, read(name))
    assert (refused.value.code, refused.value.status) == (code, 422)


@pytest.mark.parametrize("name", ACCEPTED)
def test_an_accepted_corpus_file_is_stored_with_its_digest(name):
    kind, _ = EXPECTED[name]
    checked = check_asset(kind, read(name))
    assert checked.kind == kind
    assert len(checked.sha256) == 64


@pytest.mark.parametrize("name", ["logo-24.svg", "logo-24px.svg", "logo-viewbox-short.svg"])
def test_a_logo_24px_high_is_accepted_as_svg_96_by_24(name):
    checked = check_asset("logo-dark", read(name))
    assert (checked.content_type, checked.extension) == ("image/svg+xml", "svg")
    assert (checked.width, checked.height) == (96, 24)


@pytest.mark.parametrize(
    ("name", "content_type", "extension", "size"),
    [
        ("ratio-4x3.png", "image/png", "png", (400, 300)),
        ("ratio-within-1pct.png", "image/png", "png", (403, 300)),
        ("exif-gps.jpg", "image/jpeg", "jpg", (400, 300)),
        ("progressive.jpg", "image/jpeg", "jpg", (400, 300)),
    ],
)
def test_a_4_by_3_image_is_accepted_with_its_type_and_size(name, content_type, extension, size):
    checked = check_asset("branded-image", read(name))
    assert (checked.content_type, checked.extension) == (content_type, extension)
    assert (checked.width, checked.height) == size


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(sorted(EXPECTED)),
    kind=st.sampled_from(sorted(KINDS)),
    edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.binary(max_size=8), st.integers(0, 64)), max_size=6),
)
def test_a_damaged_corpus_file_is_accepted_or_refused_with_a_code_but_never_crashes(name, kind, edits):
    data = bytearray(read(name))
    for where, inserted, removed in edits:
        at = int(where * len(data))
        data[at : at + removed] = inserted
    try:
        checked = check_asset(kind, bytes(data))
    except AssetRejected as refused:
        assert refused.status in (404, 413, 422)
    else:
        assert checked.data and checked.height >= 1
