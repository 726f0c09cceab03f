"""The command line: `--version`, and long commands' progress (a bar on a terminal, lines in a log)."""
from __future__ import annotations

import subprocess
import sys

from courtwatch import __version__
from courtwatch.cli import StepProgress


def test_version_names_the_package_version():
    done = subprocess.run([sys.executable, "-m", "courtwatch.cli", "--version"], capture_output=True, text=True)
    assert done.returncode == 0
    assert done.stdout.startswith(f"courtwatch {__version__}")


def test_progress_in_a_log_keeps_every_message_as_a_line(capsys):
    """stderr is not a terminal under pytest: no bar, the messages as they were."""
    with StepProgress(2, "detector", lambda m: m.startswith("a:")) as progress:
        progress("a: 3 flag(s)")
        progress("sentencing review list: 5 sentence(s)")
    err = capsys.readouterr().err
    assert "  a: 3 flag(s)\n" in err and "  sentencing review list" in err


def test_a_bar_counts_the_steps(monkeypatch):
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    with StepProgress(3, "detector", lambda m: m.startswith("step")) as progress:
        for message in ("step 1", "note", "step 2"):
            progress(message)
        assert progress.bar.n == 2 and progress.bar.total == 3
