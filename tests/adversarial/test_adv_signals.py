"""Signals and concurrency (issue 13): a stopped run leaves no temporary file and says what
it wrote; killing the batch parent stops its workers; parallel runs on one deck lose no
slide.  Every run is a subprocess, bounded by timeouts; nothing here measures time."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cohort import write_cohort  # tests/ is on the path (its conftest.py)

EXE = shutil.which("nmo-timeline", path=str(Path(sys.executable).parent))
pytestmark = pytest.mark.skipif(sys.platform == "win32" or EXE is None,
                                reason="POSIX signals and the installed console script")


def wait_for(condition, limit: float = 120.0) -> None:
    """Poll until ``condition()`` (a bound on waiting, not a measurement)."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.02)


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".lock")))


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper that never comes has stopped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


@pytest.mark.parametrize("signame,code,message", [
    ("SIGTERM", 143, "stopped by SIGTERM; nothing was written\n"),
    ("SIGHUP", 129, "stopped by SIGHUP; nothing was written\n"),
    ("SIGINT", 130, "interrupted; nothing was written\n"),
])
def test_a_signal_during_a_write_leaves_no_temporary_file(tmp_path, signame, code, message):
    out = tmp_path / "big.png"
    proc = subprocess.Popen([EXE, "plot", "-o", str(out), "--dpi", "1200"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: temps(tmp_path) or proc.poll() is not None)
        assert proc.poll() is None, "the write finished before the signal"
        proc.send_signal(getattr(signal, signame))
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == code
    assert err == message
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def series(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("series") / "series.csv"
    write_cohort(path, 2500)  # about 250 patients
    return path


def _batch(series: Path, outdir: Path) -> subprocess.Popen:
    return subprocess.Popen([EXE, "plot", str(series), "--all-patients", "--outdir",
                             str(outdir), "--dpi", "60"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _started(proc: subprocess.Popen, outdir: Path) -> bool:
    return proc.poll() is not None or (
        outdir.is_dir() and sum(p.suffix == ".png" for p in outdir.iterdir()) >= 3)


@needs_proc
@pytest.mark.parametrize("signame,code,why", [("SIGINT", 130, "interrupted"),
                                              ("SIGTERM", 143, "stopped by SIGTERM"),
                                              ("SIGHUP", 129, "stopped by SIGHUP")])
def test_a_stopped_batch_says_exactly_what_it_wrote(tmp_path, series, signame, code, why):
    outdir = tmp_path / "figs"
    proc = _batch(series, outdir)
    try:
        wait_for(lambda: _started(proc, outdir))
        assert proc.poll() is None, "the batch finished before the signal"
        workers = children(proc.pid)
        if signame == "SIGINT":  # Ctrl-C reaches the whole foreground group
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(getattr(signal, signame))
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == code, err
    written = sorted(p.name for p in outdir.iterdir() if p.suffix == ".png")
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{why}: wrote {len(written)} of ")
    assert lines[0].endswith(f" figures to {outdir} before stopping; the others were not "
                             "drawn")
    assert temps(outdir) == []
    assert not [w for w in workers if alive(w)]


@needs_proc
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
def test_killing_the_batch_parent_stops_its_workers(tmp_path, series):
    outdir = tmp_path / "figs"
    proc = _batch(series, outdir)
    try:
        wait_for(lambda: _started(proc, outdir))
        workers = children(proc.pid)
        assert workers
        proc.kill()
        proc.communicate(timeout=120)
        wait_for(lambda: not [w for w in workers if alive(w)], limit=60)
    finally:
        proc.kill()
        for w in children(proc.pid):
            os.kill(w, signal.SIGKILL)


def test_parallel_appends_to_one_deck_lose_no_slide(tmp_path):
    pytest.importorskip("pptx")
    import pptx

    deck = tmp_path / "talk.pptx"
    first = subprocess.run([EXE, "plot", "-o", str(tmp_path / "f0.png"), "--pptx", str(deck),
                            "--dpi", "50", "--title", "run 0"], capture_output=True,
                           text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    runs = [subprocess.Popen([EXE, "plot", "-o", str(tmp_path / f"f{i}.png"), "--pptx",
                              str(deck), "--dpi", "50", "--title", f"run {i}"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for i in range(1, 7)]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    titles = sorted(s.shapes.title.text for s in pptx.Presentation(str(deck)).slides)
    assert titles == [f"run {i}" for i in range(7)]
    assert temps(tmp_path) == []


def test_a_deck_held_by_another_writer_is_refused_clearly(tmp_path):
    fcntl = pytest.importorskip("fcntl")
    from nmo_timeline.errors import OptionError
    from nmo_timeline.output.slides import deck_lock

    deck = tmp_path / "talk.pptx"
    lock = tmp_path / ".talk.pptx.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with pytest.raises(OptionError) as info, deck_lock(deck, wait=0.2):
            pass
    finally:
        os.close(fd)
    assert str(info.value) == (f"{deck}: another nmo-timeline run is adding slides to this "
                               f"deck (it holds {lock}); nothing was written: try again when "
                               "it has finished")
    with deck_lock(deck, wait=0.2):  # free again
        assert lock.exists()
    assert not lock.exists()
