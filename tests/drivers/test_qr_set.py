"""The default QR pipeline on the generated test set: a decode-rate floor per category.

The frames are generated in memory from a fixed seed (tests/qrset/generate.py); the floors sit
a little under the rates measured when they were set, so a regression in a decoder, in the
pipeline or in the set shows up here.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from drivers.qr.pipeline import DecodeResult, default_pipeline
from tests.qrset.generate import CATEGORIES, WITHOUT_CODE, Sample, sample_set
from tests.qrset.textures import TEXTURE_KINDS

PER_CATEGORY = 12

# Measured with this set (12 frames per category, seed 0) when the floors were set; see
# docs/drivers-camera-qr.md for the bench's larger run.
FLOORS: dict[str, float] = {
    "clean": 1.0,
    "blurred": 0.75,
    "rotated": 1.0,
    "perspective": 0.9,
    "small": 0.9,
    "low_light": 0.9,
    "glare": 0.75,
    "noise": 0.9,
    "inverted": 1.0,
    "creased": 0.8,
    "moire": 0.9,
    "jpeg": 0.9,
    "empty": 1.0,  # here: the share of frames without a code that give no text at all
    "textured": 1.0,  # likewise, on meshes, fabric, printed pages, foliage, marble, screens
}


@pytest.fixture(scope="module")
def decoded() -> dict[str, list[tuple[Sample, DecodeResult]]]:
    pipeline = default_pipeline()
    by_category: dict[str, list[tuple[Sample, DecodeResult]]] = defaultdict(list)
    for sample in sample_set(PER_CATEGORY):
        by_category[sample.category].append((sample, pipeline.decode(sample.frame)))
    return by_category


def test_every_category_has_a_floor() -> None:
    assert set(FLOORS) == set(CATEGORIES)


@pytest.mark.parametrize("category", CATEGORIES)
def test_the_pipeline_reads_each_category_at_or_above_its_floor(
    category: str, decoded: dict[str, list[tuple[Sample, DecodeResult]]]
) -> None:
    rows = decoded[category]
    assert len(rows) == PER_CATEGORY
    if category in WITHOUT_CODE:
        hits = sum(1 for _, result in rows if not result.texts)
    else:
        hits = sum(1 for sample, result in rows if sample.text in result.texts)
    rate = hits / len(rows)
    assert rate >= FLOORS[category], f"{category}: {hits}/{len(rows)} = {rate:.2f}"


def test_the_pipeline_never_returns_a_text_that_is_not_in_the_frame(
    decoded: dict[str, list[tuple[Sample, DecodeResult]]],
) -> None:
    wrong = [
        (sample.category, sample.index, text)
        for rows in decoded.values()
        for sample, result in rows
        for text in result.texts
        if text != sample.text
    ]
    assert wrong == []


def test_dark_mode_codes_are_read_by_the_inverted_fallback(
    decoded: dict[str, list[tuple[Sample, DecodeResult]]],
) -> None:
    stages = {result.decoder for _, result in decoded["inverted"]}
    assert stages == {"zxing-cpp+invert"}


def test_most_frames_without_a_code_skip_the_fallbacks(
    decoded: dict[str, list[tuple[Sample, DecodeResult]]],
) -> None:
    rows = decoded["empty"]
    with_fallbacks = sum(1 for _, result in rows if result.attempts > 1)
    assert with_fallbacks <= len(rows) // 4


def test_textured_scenes_without_a_code_mostly_skip_the_fallbacks(
    decoded: dict[str, list[tuple[Sample, DecodeResult]]],
) -> None:
    rows = decoded["textured"]
    assert {sample.index % len(TEXTURE_KINDS) for sample, _ in rows} == set(
        range(len(TEXTURE_KINDS))
    )  # every kind of texture is in the set
    with_fallbacks = [sample.index for sample, result in rows if result.attempts > 1]
    assert len(with_fallbacks) <= len(rows) // 4, with_fallbacks


def test_codes_the_fast_pass_reads_take_one_attempt(
    decoded: dict[str, list[tuple[Sample, DecodeResult]]],
) -> None:
    rows = decoded["clean"]
    assert {(result.decoder, result.attempts) for _, result in rows} == {("zxing-cpp", 1)}


def test_codes_are_real_jkm_texts_at_realistic_length() -> None:
    texts = [s.text for s in sample_set(PER_CATEGORY) if s.text]
    assert all(t.startswith("JKM1:") for t in texts)
    assert all(240 <= len(t) <= 300 for t in texts), sorted({len(t) for t in texts})


def test_the_set_is_the_same_every_time() -> None:
    from tests.qrset.generate import make_sample

    a, b = make_sample("glare", 3), make_sample("glare", 3)
    assert a.text == b.text
    assert (a.frame == b.frame).all()
    assert a.frame.shape == (720, 1280, 3)
