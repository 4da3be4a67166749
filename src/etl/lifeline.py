"""lifeline: a killed `etl run` takes its children with it.

A run has children that outlive a SIGKILL of the main process: Prefect's
ephemeral API server (a uvicorn subprocess), the multiprocessing forkserver and
its pool workers, a local Dask cluster. None of them can be told to go by the
dead parent, and PR_SET_PDEATHSIG would have to be set inside each of them,
which Prefect and multiprocessing do not let us do. So `start` spawns one small
watcher process (Linux /proc) that notes every descendant of the run while it
lives and, the moment the run is gone, sends them SIGTERM, then SIGKILL to any
still there after `grace` seconds, and exits. The next run's recovery removes
the temporaries the dead run left (`etl.load.recover`).

Example (the CLI does this for `etl run` and `etl reprocess`):

    from etl import lifeline
    lifeline.start()
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

log = logging.getLogger(__name__)

PROC = Path("/proc")


def stat_of(pid: int) -> tuple[str, int, int, int] | None:
    """(state, parent pid, start time, process group) of a process, or None when it is gone."""
    try:
        raw = (PROC / str(pid) / "stat").read_text()
        fields = raw[raw.rindex(")") + 2:].split()  # the command name may hold spaces and parentheses
        return fields[0], int(fields[1]), int(fields[19]), int(fields[2])
    except (OSError, ValueError, IndexError):  # gone, or caught half-exited
        return None


def processes() -> dict[int, tuple[str, int, int, int]]:
    """Every live process: pid -> (state, parent pid, start time, process group)."""
    out = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            stat = stat_of(int(entry.name))
            if stat is not None:
                out[int(entry.name)] = stat
    return out


def descendants(roots: set[int], table: dict[int, tuple]) -> set[int]:
    """Pids below any of `roots` in the process tree."""
    children: dict[int, list[int]] = {}
    for pid, (_, ppid, *_) in table.items():
        children.setdefault(ppid, []).append(pid)
    found: set[int] = set()
    todo = list(roots)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int, started: int) -> bool:
    """The same process (same start time) is still running (a zombie counts as gone)."""
    stat = stat_of(pid)
    return stat is not None and stat[2] == started and stat[0] not in ("Z", "X")


def watch(parent: int, poll: float = 0.5, grace: float = 2.0) -> int:
    """Remember `parent`'s descendants while it lives; when it dies, stop them. Returns how many were stopped."""
    me = os.getpid()
    first = stat_of(parent)
    if first is None:
        return 0
    started, group = first[2], first[3]
    known: dict[int, int] = {}  # pid -> start time, so a recycled pid is never hit
    while alive(parent, started):
        try:
            table = processes()
            for pid in descendants({parent}, table) - {me}:
                known.setdefault(pid, table[pid][2])
        except Exception:  # noqa: BLE001 - the watcher must outlive any odd /proc entry
            pass
        time.sleep(poll)
    table = processes()
    victims = {pid for pid, when in known.items() if pid in table and table[pid][2] == when}
    victims |= descendants(victims, table)  # children born after the last look
    # a child born after the last look is an orphan now, adopted by our own new parent: same
    # process group as the run, started after it
    reaper = table.get(me, (None, None))[1]
    victims |= {pid for pid, (_, ppid, when, pgrp) in table.items()
                if ppid == reaper and pgrp == group and when >= started}
    victims |= descendants(victims, table)
    victims.discard(me)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in victims:
            if pid in table and alive(pid, table[pid][2]):
                try:
                    os.kill(pid, sig)
                except (ProcessLookupError, PermissionError):
                    pass
        deadline = time.monotonic() + grace
        while sig == signal.SIGTERM and time.monotonic() < deadline and any(
                alive(pid, table[pid][2]) for pid in victims if pid in table):
            time.sleep(0.05)
    return len(victims)


_watchers: dict[int, subprocess.Popen] = {}  # pid -> its watcher: one per process, however often called


def start(poll: float = 0.5) -> subprocess.Popen | None:
    """Spawn the watcher for this process once (Linux only); returns it, or None where /proc is missing."""
    pid = os.getpid()
    if pid in _watchers and _watchers[pid].poll() is None:
        return _watchers[pid]
    if not (PROC / str(pid) / "stat").exists():
        return None
    _watchers[pid] = subprocess.Popen(
        [sys.executable, "-m", "etl.lifeline", str(os.getpid()), str(poll)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,  # a Ctrl-C to the terminal's group reaches the run, not its watcher
    )
    return _watchers[pid]


if __name__ == "__main__":
    watch(int(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 0.5)
