"""The daily push made in partitions (issue 28): a province's day of passages is millions of
rows, each with up to six fields to decrypt, so the file is written in parts that worker
processes claim through leases (central/core/partitions.py, run "push:daily:<day>").

The partitions are the local day's hours (`SLICES`): each part holds its hour's passages in the
file's order (time, then record id), so the parts laid end to end are the file a single writer
makes, byte for byte. A part is written atomically into a folder beside the push
(`.daily-<day>.parts/<hour>.csv`, no header); when every part is done, the process making the
push (central/reports/pushes.py) lays them after the header into the push file and removes the
folder. A worker that died holding an hour's lease leaves it to another once the lease lapses;
a part written again replaces the first.
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from central.core import partitions
from central.core.cipher import RecordCipher
from central.core.models import ReceivedPassage, WorkPartition
from central.reports.daily import PUSH_COLUMNS, day_bounds, push_rows, row_cells

SLICES = 24
RUN_PREFIX = "push:daily:"


def run_name(day: date) -> str:
    return f"{RUN_PREFIX}{day.isoformat()}"


def parts_folder(out_dir: Path, day: date) -> Path:
    return out_dir / f".daily-{day.isoformat()}.parts"


def _slice(day: date, index: int, time_zone: str) -> tuple[datetime, datetime]:
    start, end = day_bounds(day, time_zone)
    width = (end - start) / SLICES
    return start + width * index, (end if index == SLICES - 1 else start + width * (index + 1))


def plan(sessions: sessionmaker[Session], day: date) -> None:
    """The day's partitions, made once whoever asks first."""
    run = run_name(day)
    try:
        with sessions() as session, session.begin():
            if not partitions.has_run(session, run):
                hours = [(f"{h:02d}", f"{h:02d}") for h in range(SLICES)]
                partitions.create_run(session, run, hours)
    except (IntegrityError, OperationalError):
        pass  # another process made them at the same moment (or is): asked again next run


def work_parts(
    sessions: sessionmaker[Session],
    cipher: RecordCipher,
    day: date,
    out_dir: Path,
    time_zone: str,
    holder: str,
    clock: Callable[[], datetime],
) -> bool:
    """Write the day's parts nobody else holds; whether every part is done."""
    folder = parts_folder(out_dir, day)
    folder.mkdir(parents=True, exist_ok=True)

    def step(session: Session, partition: WorkPartition, now: datetime) -> bool:
        start, end = _slice(day, partition.partition, time_zone)
        within = (ReceivedPassage.at >= start) & (ReceivedPassage.at < end)
        rows = push_rows(session, cipher, day, time_zone, where=within)
        partition.processed = _write_part(rows, folder / f"{partition.low}.csv", time_zone)
        partition.cursor = partition.high
        return False

    run = run_name(day)
    partitions.work_run(sessions, run, holder, clock, step)
    with sessions() as session:
        return partitions.progress(session, run).complete


def _write_part(rows: object, path: Path, time_zone: str) -> int:
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    temporary = Path(name)
    count = 0
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file, lineterminator="\r\n")
            for row in rows:  # type: ignore[attr-defined]
                writer.writerow(row_cells(row, time_zone))
                count += 1
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return count


def assemble(session: Session, day: date, path: Path) -> int:
    """The push file from its parts (every part done): header, then the hours in order; its
    record count. The parts' folder is removed."""
    folder = parts_folder(path.parent, day)
    counts = session.scalars(
        select(WorkPartition.processed)
        .where(WorkPartition.run == run_name(day))
        .order_by(WorkPartition.partition)
    ).all()
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8-sig", newline="") as file:
            csv.writer(file, lineterminator="\r\n").writerow(PUSH_COLUMNS)
            file.flush()
            for hour in range(SLICES):
                with (folder / f"{hour:02d}.csv").open(encoding="utf-8", newline="") as part:
                    shutil.copyfileobj(part, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
    return sum(counts)


def unfinished_days(session: Session) -> list[date]:
    """The days whose push parts are not all done (for a process helping with them)."""
    runs = session.scalars(
        select(WorkPartition.run)
        .where(WorkPartition.run.startswith(RUN_PREFIX), WorkPartition.done.is_(False))
        .distinct()
    ).all()
    return sorted(date.fromisoformat(run.removeprefix(RUN_PREFIX)) for run in runs)
