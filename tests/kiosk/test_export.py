"""Exports of the passage log: exactly the filtered rows, read back from the files; formulas
defused; a BOM for Excel; no ID number; progress, cancel and no partial file; paging that
survives a clock that went backwards."""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree

import pytest

from healthcode.claims import Colour
from kiosk.checkpoint.outcome import Outcome
from kiosk.sessions.export import (
    COLUMNS,
    ExportCancelledError,
    ExportFormat,
    ExportOptions,
    LogPages,
    escape_cell,
    export_rows,
    headers,
    log_rows,
    row_cells,
)
from kiosk.store import LogFilter, PassageRow, Store, StoreKeys
from tests.kiosk.checkpoint_support import ID_NUMBER, T0, passage

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "kiosk.db", StoreKeys.generate()) as opened:
        yield opened


def fill(store: Store) -> None:
    """Twelve passages an hour apart: every third red and denied, every fourth a fever."""
    for i in range(12):
        red = i % 3 == 0
        store.passages.record(
            passage(
                T0 + timedelta(hours=i),
                code_byte=i + 1,
                colour=Colour.RED if red else Colour.GREEN,
                outcome=Outcome.DENY if red else Outcome.PASS,
                fever=i % 4 == 0,
                operator_id="op-1" if i < 6 else "op-2",
                name=f"张*{i}",
            )
        ).result(timeout=10)


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file))


def ooxml_text(element: ElementTree.Element) -> str:
    """The text of a string item, with OOXML's _xHHHH_ escapes (e.g. a carriage return) undone."""
    text = "".join(t.text or "" for t in element.iter(f"{MAIN}t"))
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def read_xlsx(path: Path) -> list[list[str]]:
    """The first sheet's cells as text (inline or shared strings, numbers), row by row."""
    with zipfile.ZipFile(path) as archive:
        shared: list[str] = []
        if "xl/sharedStrings.xml" in archive.namelist():
            root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))  # noqa: S314
            shared = [ooxml_text(si) for si in root]
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))  # noqa: S314
    table = []
    for row in sheet.iter(f"{MAIN}row"):
        cells: dict[int, str] = {}
        for cell in row.iter(f"{MAIN}c"):
            reference = cell.attrib["r"]
            column = ord(reference[0]) - ord("A")
            kind = cell.attrib.get("t")
            if kind == "inlineStr":
                cells[column] = ooxml_text(cell)
            elif kind == "s":
                cells[column] = shared[int(cell.findtext(f"{MAIN}v") or "0")]
            else:
                cells[column] = cell.findtext(f"{MAIN}v") or ""
        table.append([cells.get(i, "") for i in range(len(COLUMNS))])
    return table


FILTERS = [
    LogFilter(),
    LogFilter(colour=Colour.RED),
    LogFilter(outcome=Outcome.PASS, fever=True),
    LogFilter(operator_id="op-2"),
    LogFilter(from_utc=T0 + timedelta(hours=2), to_utc=T0 + timedelta(hours=7)),
    LogFilter(from_utc=T0 + timedelta(hours=2), colour=Colour.GREEN, fever=False),
]


@pytest.mark.parametrize("export_format", list(ExportFormat))
@pytest.mark.parametrize("where", FILTERS)
def test_an_export_holds_exactly_the_filtered_rows(
    store: Store, tmp_path: Path, export_format: ExportFormat, where: LogFilter
) -> None:
    fill(store)
    path = tmp_path / f"out.{export_format}"
    wanted = store.passages.log(where, limit=1000)
    written = export_rows(
        log_rows(store.passages, where, page_rows=4),
        path,
        export_format,
        total=store.passages.log_count(where),
    )
    table = read_csv(path) if export_format is ExportFormat.CSV else read_xlsx(path)
    assert table[0] == headers("zh")
    assert written == len(table) - 1 == len(wanted) > 0
    names = [line[4] for line in table[1:]]
    assert names == [row.masked_name for row in wanted]
    options = ExportOptions()
    for line, row in zip(table[1:], wanted, strict=True):
        cells = ["" if c is None else str(c) for c in row_cells(row, options.language)]
        assert line == cells


def test_the_cells_say_what_happened_in_the_chosen_language(store: Store, tmp_path: Path) -> None:
    store.passages.record(passage(T0, fever=True, outcome=Outcome.REFER)).result(timeout=10)
    for language, expected in [
        ("zh", ["2026-11-23 16:00:00", "请留观", "绿码", "绿码", "张*丰", "38.1", "是"]),
        ("en", ["2026-11-23 16:00:00", "Observation", "Green", "Green", "张*丰", "38.1", "yes"]),
    ]:
        path = tmp_path / f"{language}.csv"
        options = ExportOptions(language=language)  # type: ignore[arg-type]
        export_rows(log_rows(store.passages, LogFilter()), path, ExportFormat.CSV, options=options)
        head, line = read_csv(path)
        assert head == headers(language)  # type: ignore[arg-type]
        assert line[:7] == expected
    assert line[7] == "Green code; Temperature normal"
    assert line[8:] == ["op-1", "In", "Return to work", "陕A12345", "yes", "pending"]


def test_csv_starts_with_a_bom_and_uses_crlf(store: Store, tmp_path: Path) -> None:
    fill(store)
    path = tmp_path / "out.csv"
    export_rows(log_rows(store.passages, LogFilter()), path, ExportFormat.CSV)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") == 13
    assert "时间".encode() in raw


@pytest.mark.parametrize("export_format", list(ExportFormat))
def test_formulas_in_names_and_plates_are_defused(
    store: Store, tmp_path: Path, export_format: ExportFormat
) -> None:
    nasty = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "a=b"]
    for i, text in enumerate(nasty):
        record = replace(passage(T0 + timedelta(minutes=i), name=text), vehicle_plate=text)
        store.passages.record(record).result(timeout=10)
    path = tmp_path / f"out.{export_format}"
    export_rows(log_rows(store.passages, LogFilter()), path, export_format)
    table = read_csv(path) if export_format is ExportFormat.CSV else read_xlsx(path)
    names = [line[4] for line in table[1:]]
    plates = [line[11] for line in table[1:]]
    expected = ["'" + t for t in nasty[:-1]] + ["a=b"]
    assert sorted(names) == sorted(expected)
    assert sorted(plates) == sorted(expected)
    if export_format is ExportFormat.XLSX:
        with zipfile.ZipFile(path) as archive:
            assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_escape_cell() -> None:
    assert escape_cell("=1") == "'=1"
    assert escape_cell("张三") == "张三"
    assert escape_cell("") == ""


@pytest.mark.parametrize("export_format", list(ExportFormat))
def test_no_id_number_is_ever_written(
    store: Store, tmp_path: Path, export_format: ExportFormat
) -> None:
    store.passages.record(passage(T0, code_byte=None)).result(timeout=10)
    path = tmp_path / f"out.{export_format}"
    export_rows(log_rows(store.passages, LogFilter()), path, export_format)
    raw = path.read_bytes()
    if export_format is ExportFormat.XLSX:
        with zipfile.ZipFile(path) as archive:
            raw = b"".join(archive.read(name) for name in archive.namelist())
    assert ID_NUMBER.encode() not in raw
    assert b"110105" not in raw  # not even the masked form: no ID column at all


@pytest.mark.parametrize("export_format", list(ExportFormat))
def test_progress_rises_to_the_total(
    store: Store, tmp_path: Path, export_format: ExportFormat, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kiosk.sessions.export.PROGRESS_EVERY", 5)
    fill(store)
    seen: list[tuple[int, int]] = []
    export_rows(
        log_rows(store.passages, LogFilter()),
        tmp_path / f"out.{export_format}",
        export_format,
        total=12,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(0, 12), (5, 12), (10, 12), (12, 12)]


@pytest.mark.parametrize("export_format", list(ExportFormat))
def test_a_cancelled_export_leaves_no_file(
    store: Store, tmp_path: Path, export_format: ExportFormat
) -> None:
    fill(store)
    out = tmp_path / "exports"
    given = 0

    def rows() -> Iterator[PassageRow]:
        nonlocal given
        for row in log_rows(store.passages, LogFilter()):
            given += 1
            yield row

    with pytest.raises(ExportCancelledError):
        export_rows(
            rows(), out / f"out.{export_format}", export_format, cancelled=lambda: given > 3
        )
    assert given == 4
    assert list(out.iterdir()) == []


def test_pages_by_time_survive_a_clock_that_went_backwards(store: Store) -> None:
    # Written in this order (sequence 1..8) while the clock jumped back and forth.
    hours = [5, 1, 7, 3, 3, 2, 6, 4]
    for i, hour in enumerate(hours):
        store.passages.record(passage(T0 + timedelta(hours=hour), code_byte=i + 1)).result(
            timeout=10
        )
    where = LogFilter(from_utc=T0, to_utc=T0 + timedelta(hours=24))
    rows = list(log_rows(store.passages, where, page_rows=2))
    assert [r.seq for r in rows] == [3, 7, 1, 8, 5, 4, 6, 2]
    assert len({r.record_id for r in rows}) == 8


def test_pages_hold_every_row_when_many_share_one_millisecond(store: Store) -> None:
    for i in range(7):
        store.passages.record(passage(T0, code_byte=i + 1)).result(timeout=10)
    store.passages.record(passage(T0 - timedelta(seconds=1), code_byte=9)).result(timeout=10)
    where = LogFilter(from_utc=T0 - timedelta(hours=1))
    pages = LogPages(store.passages, where, page_rows=3)
    seqs = [row.seq for row in pages]
    assert sorted(seqs) == list(range(1, 9))
    assert seqs[-1] == 8
    assert pages.exhausted


def test_pages_by_sequence_without_a_time_range(store: Store) -> None:
    fill(store)
    pages = LogPages(store.passages, LogFilter(colour=Colour.GREEN), page_rows=3)
    first = pages.next_page()
    assert [r.seq for r in first] == [12, 11, 9]
    rest = list(pages)
    assert [r.seq for r in rest] == [8, 6, 5, 3, 2]
    assert pages.next_page() == []
