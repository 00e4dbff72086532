"""Feedback without leaks: hide hidden-test lines that IPython quotes in tracebacks.

nbgrader's ``ClearHiddenTests`` removes the hidden block from the *source* shown in feedback,
but the autograded notebook also stores the error output of each failed test cell, and
IPython's default traceback quotes the lines around the failing one, hidden lines included::

    ----> 1 expect_close("f(np.zeros(2))", f(np.zeros(2)), 1.11)
          3 ### BEGIN HIDDEN TESTS
          4 _integrity.assert_untampered(_GUARD)

:class:`HideHiddenTestTracebacks` runs in ``GenerateFeedback.preprocessors`` *before*
``ClearHiddenTests`` (it needs the hidden block to know what to hide) and replaces every
traceback line that quotes a line of the cell's hidden block by ``<hidden test line>``.
The exception message itself (what was called, what came back, what was expected) is kept:
hidden tests are written so that their messages help without giving the test away.

Examples
--------
>>> import nbformat
>>> cell = nbformat.v4.new_code_cell("x = 1\\n### BEGIN HIDDEN TESTS\\nassert secret()\\n"
...                                  "### END HIDDEN TESTS")
>>> cell.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="",
...                 traceback=["----> 3 assert secret()", "AssertionError: "])]
>>> cell, _ = HideHiddenTestTracebacks().preprocess_cell(cell, {}, 0)
>>> cell.outputs[0].traceback
['----> 3 <hidden test line>', 'AssertionError: ']
"""

from __future__ import annotations

import re

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Unicode

from coursetools.nbgrader_io import split_regions

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: a quoted source line in an IPython traceback: optional arrow, line number, code
_QUOTED = re.compile(r"^(\s*(?:-*>)?\s*\d+\s)(.*)$")


class HideHiddenTestTracebacks(Preprocessor):
    """Replace traceback lines that quote a hidden-test line by ``<hidden test line>``."""

    enabled = Bool(True, help="nbconvert skips preprocessors that are not enabled")
    begin_test_delimeter = Unicode("BEGIN HIDDEN TESTS").tag(config=True)
    end_test_delimeter = Unicode("END HIDDEN TESTS").tag(config=True)
    placeholder = Unicode("<hidden test line>").tag(config=True)

    def _hidden_lines(self, source: str) -> set[str]:
        """Stripped lines of the hidden blocks, their delimiter lines included."""
        delimiters = (self.begin_test_delimeter, self.end_test_delimeter)
        _, inside = split_regions(source, (delimiters,))
        marks = {ln.strip() for ln in source.splitlines() if any(d in ln for d in delimiters)}
        return {ln.strip() for ln in inside if ln.strip()} | marks

    def _scrub(self, text: str, hidden: set[str]) -> str:
        out = []
        for line in text.split("\n"):
            plain = _ANSI.sub("", line)
            match = _QUOTED.match(plain)
            if match and match.group(2).strip() in hidden:
                out.append(match.group(1) + self.placeholder)
            else:
                out.append(line)
        return "\n".join(out)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or self.begin_test_delimeter not in cell.source:
            return cell, resources
        hidden = self._hidden_lines(cell.source)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [self._scrub(t, hidden) for t in output["traceback"]]
            elif output.get("output_type") == "stream":
                output["text"] = self._scrub(output["text"], hidden)
        return cell, resources
