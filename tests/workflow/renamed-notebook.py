"""The notebook saved under another name (Jupyter's "Make a copy"). nbgrader scores it 0 with
exit code 0 and no message (nbgrader #1302)."""

BASE = "solution"
FILENAME = "hw1_derivatives-Copy1.ipynb"
REASON = "renamed notebook"
