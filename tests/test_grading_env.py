"""The classroom commands grade with the instructor's settings; the test pipeline never does."""

from __future__ import annotations

import os
from pathlib import Path

from coursetools import classroom
from coursetools.grading import nbgrader_env


def test_pipeline_drops_and_classroom_keeps_the_course_settings(monkeypatch):
    monkeypatch.setenv("OPTML_GRADEBOOK", "postgresql://grader@127.0.0.1:5432/optml")
    monkeypatch.setenv("OPTML_CELL_TIMEOUT", "45")
    monkeypatch.setenv("OPTML_STATIC", "1")
    pipeline, course = nbgrader_env(), nbgrader_env(course_settings=True)
    assert "OPTML_GRADEBOOK" not in pipeline and "OPTML_CELL_TIMEOUT" not in pipeline
    assert course["OPTML_GRADEBOOK"] == "postgresql://grader@127.0.0.1:5432/optml"
    assert course["OPTML_CELL_TIMEOUT"] == "45"
    assert "OPTML_STATIC" not in course, "notebook switches never reach a grading kernel"


def test_course_run_passes_the_course_settings_to_nbgrader(monkeypatch, tmp_path):
    monkeypatch.setenv("OPTML_GRADEBOOK", "sqlite:////srv/optml/gradebook.db")
    seen = {}

    def fake_nbgrader(args, cwd, timeout=1800, env=None):
        seen.update(args=args, cwd=cwd, env=env)

    monkeypatch.setattr(classroom, "nbgrader", fake_nbgrader)
    classroom.Course(root=Path(tmp_path)).run("export")
    assert seen["args"] == ["export"]
    assert seen["env"]["OPTML_GRADEBOOK"] == "sqlite:////srv/optml/gradebook.db"


def test_loading_nbgrader_config_changes_no_environment_variable(monkeypatch):
    """nbgrader loads nbgrader_config.py into every process that grades (workers, the
    formgrader): it reads OPTML_GRADEBOOK/OPTML_CELL_TIMEOUT but must not set anything."""
    from traitlets.config import Config

    from coursetools.nbgrader_io import ROOT

    monkeypatch.setenv("OPTML_CELL_TIMEOUT", "7")
    before = dict(os.environ)
    config = Config()
    code = compile((ROOT / "nbgrader_config.py").read_text(), "nbgrader_config.py", "exec")
    exec(code, {"get_config": lambda: config, "__file__": str(ROOT / "nbgrader_config.py")})
    assert dict(os.environ) == before
    assert config.Execute.timeout == 7
    assert config.CourseDirectory.course_id == "optml"
