"""Run every benchmark in bench/ and list their goal lines together at the end.

`python bench/run.py [NAME ...]` runs the named benchmarks (file stems) or all of them. Each runs
as its own process with this interpreter. A missed goal is reported, not hidden; the exit code
is non-zero only when a benchmark itself failed to run. A reader that stops early (`| head`)
ends the run quietly: no further benchmark starts, and the status covers those that ran. A file
whose name starts with `_` is a part of a benchmark (e.g. `_issuance_load.py`), not a benchmark.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from healthcode.console import say, survives_closed_stdout  # noqa: E402

# `goal <name>: <measured> <unit> (target <op> <value>) met|missed`, then anything (a remark).
_VERDICT_AFTER_TARGET = re.compile(r"\(target [^)]*\)\s+(met|missed)\b")


def goal_missed(line: str) -> bool:
    """Whether a goal line says missed: the word after its target decides, whatever follows it.

    A line whose verdict cannot be read counts as missed, so a malformed line is never a pass.
    """
    verdict = _VERDICT_AFTER_TARGET.search(line)
    return verdict is None or verdict.group(1) == "missed"


@survives_closed_stdout
def main(argv: list[str]) -> int:
    wanted = set(argv)
    scripts = sorted(
        path
        for path in HERE.glob("*.py")
        if path.name != "run.py"
        and not path.name.startswith("_")
        and (not wanted or path.stem in wanted)
    )
    goals: list[str] = []
    failed: list[str] = []
    for script in scripts:
        if not say(f"== {script.stem} =="):
            break  # the reader has gone: run nothing more for nobody
        start = time.perf_counter()
        process = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            check=False,
        )
        if process.stdout:
            say(process.stdout.removesuffix("\n"))
        if process.returncode != 0:
            print(process.stderr, end="", file=sys.stderr)
            failed.append(script.stem)
        goals += [line for line in process.stdout.splitlines() if line.startswith("goal ")]
        say(f"({script.stem}: {time.perf_counter() - start:.1f} s)\n")
    say("== goals ==")
    for line in goals:
        say(line)
    missed = sum(goal_missed(line) for line in goals)
    say(f"{len(goals) - missed} goals met, {missed} missed, {len(failed)} benchmarks failed")
    for name in failed:
        say(f"benchmark failed: {name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
