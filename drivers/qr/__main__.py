"""`python -m drivers.qr IMAGE...`: decode image files, one JSON line per image.

Each line holds `file`, `texts` (list), `decoder` (the stage that read them, or null) and `ms`.
`--decoder NAME` runs one bare library instead of the default pipeline. Exit status 0 when
every image was read as an image (whether or not it held a code), 2 when one could not be
read or held a code whose bytes are not text (each named on stderr; the others are still
decoded). A reader that stops early (`| head`) changes nothing: every image is still decoded
and the status is still the batch's.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from drivers.qr.decoders import DECODERS, DecoderUnavailableError, make_decoder
from drivers.qr.pipeline import DecodeResult, QrPipeline, default_pipeline
from drivers.serialio.cli import say, survives_closed_stdout


def _bare(name: str) -> QrPipeline:
    return QrPipeline(primary=make_decoder(name), clock=time.perf_counter)


@survives_closed_stdout
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m drivers.qr", description="Decode QR codes in image files."
    )
    parser.add_argument("images", nargs="+", help="image files (PNG, JPEG, ...)")
    parser.add_argument(
        "--decoder",
        choices=sorted(DECODERS),
        help="one bare decoder instead of the default pipeline",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        pipeline = _bare(args.decoder) if args.decoder else default_pipeline()
    except DecoderUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    status = 0
    for path in args.images:
        image = cv2.imread(path, cv2.IMREAD_COLOR) if Path(path).is_file() else None
        if image is None:
            print(f"error: cannot read image {path!r}", file=sys.stderr)
            status = 2
            continue
        result: DecodeResult = pipeline.decode(np.asarray(image, dtype=np.uint8))
        line = {
            "file": path,
            "texts": list(result.texts),
            "decoder": result.decoder,
            "ms": round(result.ms, 2),
        }
        say(json.dumps(line, ensure_ascii=False))
        for problem in result.problems:
            print(f"error: {path!r}: {problem}", file=sys.stderr)
            status = 2
    return status


if __name__ == "__main__":
    raise SystemExit(main())
