"""Writing an export's file: CSV (UTF-8 with a BOM, CRLF) or XLSX (xlsxwriter in constant-memory
mode, every cell a string), row by row into a temporary file renamed when complete."""

from __future__ import annotations

import csv
import io
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import xlsxwriter  # type: ignore[import-untyped]


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class RowSink(Protocol):
    def write(self, row: list[str]) -> None: ...


class CsvSink:
    def __init__(self, file: io.TextIOBase) -> None:
        self._writer = csv.writer(file, lineterminator="\r\n")

    def write(self, row: list[str]) -> None:
        self._writer.writerow(row)


class XlsxSink:
    def __init__(self, path: Path, title: str) -> None:
        self.book = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self._sheet = self.book.add_worksheet(title)
        self._row = 0

    def write(self, row: list[str]) -> None:
        for column, cell in enumerate(row):
            self._sheet.write_string(self._row, column, cell)
        self._row += 1


@contextmanager
def open_sink(path: Path, file_format: ExportFormat, title: str) -> Iterator[RowSink]:
    """Rows go to a temporary file beside `path`, renamed when complete."""
    # Unique: a worker whose lease lapsed may still be writing the same export.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        if file_format is ExportFormat.CSV:
            with temporary.open("w", encoding="utf-8-sig", newline="") as file:
                yield CsvSink(file)
                file.flush()
                os.fsync(file.fileno())
        else:
            sink = XlsxSink(temporary, title)
            try:
                yield sink
            finally:
                sink.book.close()  # also on failure: its own temporary files go
        os.chmod(temporary, 0o600)  # personal data: its owner's only (in a 0700 folder)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
