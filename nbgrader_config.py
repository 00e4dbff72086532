"""nbgrader configuration for the course *Continuous Optimization for Machine Learning*.

nbgrader reads this file from the directory it runs in (the repository root for instructors;
``coursetools.grading`` copies it into each temporary course directory it grades in).

Course layout
    ``source/<hw>/<hw>.ipynb``   instructor notebook: solutions between ``### BEGIN SOLUTION`` /
                                 ``### END SOLUTION``, hidden tests between
                                 ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``;
    ``release/<hw>/<hw>.ipynb``  what ``nbgrader generate_assignment`` makes (committed);
    ``submitted/``, ``autograded/``, ``feedback/``  per-student folders (never committed).

Settings and why
    course id ``optml``; the student stub is ``# YOUR CODE HERE`` + ``raise NotImplementedError()``.

    ``Execute.timeout`` = 30 s per cell (override with the environment variable
    ``OPTML_CELL_TIMEOUT``): every correct solution cell runs in well under a second, so only a
    hanging cell (infinite loop, ``input()``) reaches it; it is interrupted
    (``interrupt_on_timeout``), scores 0, and the rest of the notebook is still graded.
    ``python -m coursetools.grading`` passes ``--Execute.timeout=<short>`` for the
    infinite-loop cheat so the test suite pays seconds, not half a minute.

    The gradebook (``CourseDirectory.db_url``) holds student names and grades, so it must stay
    out of git: by default ``sqlite:///<course root>/gradebook.db`` (``gradebook.db`` is in
    ``.gitignore``); set ``OPTML_GRADEBOOK`` to an SQLAlchemy URL to keep it elsewhere.

    Deleted grade cells are put back before grading (``OverwriteCells.add_missing_cells``), so
    deleting a failing test cell does not skip it.

    Feedback must not leak hidden tests (nbgrader issues #917, #1363): ``GenerateFeedback``
    first replaces traceback lines that quote a hidden-test line
    (``coursetools.grading_feedback.HideHiddenTestTracebacks``), then runs ``ClearHiddenTests``
    on the autograded notebook before rendering it to HTML.

    Autograde runs nbgrader's own default preprocessor list with ``Execute`` replaced by
    ``sandboxed(ResilientExecute)``: a kernel death fails only its cell
    (``coursetools.classroom_execute``), and every grading kernel runs in a bubblewrap sandbox
    (``coursetools.sandbox``: no course root, no network, own uid, memory/CPU/process limits;
    ``coursetools.sandbox.status()`` says whether it is on). ``coursetools.policy.PolicyCheck``
    runs before it once that module exists. ``deploy/nbgrader_config.py`` sets the same.

    Homework notebooks draw with matplotlib's inline backend (``MPLBACKEND``, nbgrader #1070: the
    sandbox's kernel manager puts it in the kernel's environment; loading this file changes no
    environment variable) and skip demos, widgets and animations when ``NBGRADER_EXECUTION`` is
    set (nbgrader sets it while autograding; ``helpers.static_mode()`` reads it).

Commands (the Makefile wraps them)::

    nbgrader generate_assignment hw1_derivatives --force    # source -> release
    nbgrader autograde hw1_derivatives                       # submitted -> autograded
    nbgrader generate_feedback hw1_derivatives               # autograded -> feedback HTML
    nbgrader export                                          # grades.csv
    python -m coursetools.grading release | selfgrade | report
"""

import os

from coursetools.nbgrader_setup import configure_grading

c = get_config()  # noqa: F821  (nbgrader injects get_config when it loads this file)

c.CourseDirectory.course_id = "optml"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
if os.environ.get("OPTML_GRADEBOOK"):
    c.CourseDirectory.db_url = os.environ["OPTML_GRADEBOOK"]
# Never copy caches or checkpoints into release/ or into students' folders.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".DS_Store"]

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"

c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100

c.OverwriteCells.add_missing_cells = True

# Autograde: nbgrader's default list with Execute replaced by the sandboxed ResilientExecute and
# the policy check before it, and the Execute timeouts; shared with deploy/nbgrader_config.py.
configure_grading(c)

c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "coursetools.grading_feedback.HideHiddenTestTracebacks",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
