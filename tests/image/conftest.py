"""Print the image test's timings and the image's size at the end of the run."""

from __future__ import annotations

import json

import pytest

IMAGE_REPORT = pytest.StashKey[dict[str, object]]()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter,
                            config: pytest.Config) -> None:
    report = config.stash.get(IMAGE_REPORT, None)
    if report is not None:
        terminalreporter.write_sep("-", "container image")
        terminalreporter.write_line(json.dumps(report))
