"""One xlkpi process per workbook: the lock file, its holder, stale locks, re-entrance."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from xlkpi.errors import WorkbookBusyError
from xlkpi.workbook import lock as workbook_lock
from xlkpi.workbook.lock import is_stale, lock_path, pid_alive, read_lock


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "pay.xlsx"
    path.write_bytes(b"book")
    return path


def _hold(book: Path, pid: int, host: str | None = None, age: float = 0) -> Path:
    lock = lock_path(book)
    record = {
        "pid": pid,
        "host": host or socket.gethostname(),
        "started": "s",
        "time": time.time() - age,
    }
    lock.write_text(json.dumps(record))
    return lock


@pytest.fixture
def other_process() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    yield proc.pid
    proc.kill()
    proc.wait()


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(done.stdout)


def test_the_lock_is_beside_the_workbook_and_removed_after(book: Path) -> None:
    with workbook_lock.workbook_lock(book) as lock:
        assert lock == book.with_name(".~xlkpi-lock.pay.xlsx") and lock.exists()
        holder = read_lock(lock)
        assert holder and holder["pid"] == os.getpid() and holder["host"] == socket.gethostname()
        with workbook_lock.workbook_lock(book):  # re-entrant within a process
            assert lock.exists()
        assert lock.exists()
    assert not lock.exists()


def test_a_live_holder_refuses_a_second_process(book: Path, other_process: int) -> None:
    lock = _hold(book, other_process)
    with pytest.raises(
        WorkbookBusyError, match=f"另一个 xlkpi 正在处理 pay.xlsx（进程 {other_process}"
    ):
        with workbook_lock.workbook_lock(book):
            pass
    assert lock.exists()  # not ours to remove


def test_a_dead_holder_is_stale_and_taken_over(book: Path) -> None:
    lock = _hold(book, _dead_pid())
    assert is_stale(lock)
    with workbook_lock.workbook_lock(book) as taken:
        assert read_lock(taken)["pid"] == os.getpid()  # type: ignore[index]


def test_an_old_lock_is_stale_even_from_another_host(book: Path, other_process: int) -> None:
    lock = _hold(book, other_process, host="elsewhere")
    assert not is_stale(lock)  # another machine's process: cannot tell, so it holds
    assert is_stale(lock, now=time.time() + workbook_lock.STALE_SECONDS + 60)


def test_an_unreadable_lock_is_stale_after_a_grace(book: Path) -> None:
    lock = lock_path(book)
    lock.write_text("")
    assert not is_stale(lock)
    assert is_stale(lock, now=time.time() + 60)


def test_a_symlink_shares_the_lock_of_its_target(book: Path, tmp_path: Path) -> None:
    link = tmp_path / "elsewhere.xlsx"
    link.symlink_to(book)
    assert lock_path(link) == lock_path(book)


def test_pid_alive() -> None:
    assert pid_alive(os.getpid()) and not pid_alive(_dead_pid()) and not pid_alive(0)


def test_close_racing_recalc_cannot_lose_the_seal(tmp_path: Path) -> None:
    from tests.cycle_support import write_book
    from xlkpi.month_cycle import close
    from xlkpi.recalc import recalc
    from xlkpi.sample_data import demo_month
    from xlkpi.workbook.reader import read_workbook

    book = write_book(tmp_path / "m.xlsx", demo_month())
    recalc(book)
    script = (
        "import sys, time; from xlkpi.workbook.lock import workbook_lock; "
        "cm = workbook_lock(sys.argv[1]); cm.__enter__(); print('held', flush=True); time.sleep(30)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script, str(book)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout and holder.stdout.readline().strip() == "held"
        before = book.read_bytes()
        with pytest.raises(WorkbookBusyError):
            close(book)
        with pytest.raises(WorkbookBusyError):
            recalc(book)
        assert book.read_bytes() == before
    finally:
        holder.kill()
        holder.wait()
    close(book)
    assert read_workbook(book).status == "sealed"
