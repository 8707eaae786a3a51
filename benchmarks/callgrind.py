"""Counting instructions with valgrind's callgrind around chosen calls only: a small C helper,
loaded with ctypes by the counted process, zeroes the counts before a call and dumps them, under
a label, after it. Counts are deterministic, unlike times on a busy machine."""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_HELPER = """
#include <valgrind/callgrind.h>
void cg_start(void) { CALLGRIND_START_INSTRUMENTATION; }
void cg_zero(void) { CALLGRIND_ZERO_STATS; }
void cg_dump(const char *label) { CALLGRIND_DUMP_STATS_AT(label); }
"""
_LIBRARY = "libcgctl.so"


def helper(work: Path) -> ctypes.CDLL:
    """The helper, inside the counted process (built into `work` by `count_labels`)."""
    return ctypes.CDLL(str(work / _LIBRARY))


def count_labels(
    work: Path, module: str, *args: str, env: dict[str, str] | None = None
) -> dict[str, list[int]] | None:
    """Run `python -m module --counted WORK ARGS...` under callgrind and return the instructions
    of each labelled dump, by label; None when valgrind or a C compiler cannot be used."""
    if not (shutil.which("valgrind") and shutil.which("cc")):
        return None
    if not Path("/usr/include/valgrind/callgrind.h").exists():
        return None
    (work / "cgctl.c").write_text(_HELPER)
    built = subprocess.run(
        ["cc", "-shared", "-fPIC", "-O1", "-o", str(work / _LIBRARY), str(work / "cgctl.c")],
        capture_output=True,
    )
    if built.returncode != 0:
        return None
    command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        "--dump-line=no",
        f"--callgrind-out-file={work}/callgrind.out.%p",
        sys.executable,
        "-m",
        module,
        "--counted",
        str(work),
        *args,
    ]
    run = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, env=env or dict(os.environ)
    )
    if run.returncode != 0:
        raise RuntimeError(f"the counted run failed:\n{run.stderr[-3000:]}")
    counts: dict[str, list[int]] = {}
    for path in work.glob("callgrind.out.*"):
        text = path.read_text(errors="replace")
        label = re.search(r"^desc: Trigger: Client Request: (.+)$", text, re.M)
        total = re.search(r"^(?:totals|summary): (\d+)", text, re.M)
        if label and total:
            counts.setdefault(label.group(1), []).append(int(total.group(1)))
    return counts
