"""A pytest plugin for the mutation run (DEVELOPERS.md, "Mutation testing"); not used by
the test suite itself.

mutmut runs the tests that cover a mutated function once per mutant, so each run must be
short and repeatable: every hypothesis test is capped at ``MUTATION_MAX_EXAMPLES`` examples
(default 15; an explicit ``@settings(max_examples=N)`` is capped too), derandomised, without
an example database.  Tests that only drive the installed console script in a subprocess
import the unmutated package, so they cannot kill a mutant: they are deselected.
"""

from __future__ import annotations

import os
from typing import Any

import hypothesis

CAP = int(os.environ.get("MUTATION_MAX_EXAMPLES", "15"))
_settings_init = hypothesis.settings.__init__


def _capped(self: hypothesis.settings, parent: Any = None, **kw: Any) -> None:
    if "max_examples" in kw:
        kw["max_examples"] = min(kw["max_examples"], CAP)
    kw["derandomize"] = True
    kw["database"] = None
    _settings_init(self, parent, **kw)


hypothesis.settings.__init__ = _capped  # type: ignore[method-assign]
hypothesis.settings.register_profile("mutation", max_examples=CAP, derandomize=True,
                                     database=None, deadline=None)
hypothesis.settings.load_profile("mutation")

SUBPROCESS_ONLY = {
    "test_a_missing_font_is_one_warning", "test_batch_workers_send_their_warnings_once",
    "test_missing_glyphs_are_one_warning", "test_read_only_batch_folder_is_one_line",
    "test_read_only_output_folder_is_one_line", "test_stdout_closed_before_the_run_is_one_line",
    "test_stdout_closed_by_the_reader_is_quiet", "test_stdout_full_is_one_line",
    "test_unreadable_file_is_one_line", "test_unreadable_folder_is_one_line",
}


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    keep = [i for i in items if getattr(i, "originalname", i.name) not in SUBPROCESS_ONLY]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep
