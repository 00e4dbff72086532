"""Submitted a folder without the notebook (only a text file)."""

MISSING = True
EXTRA_FILES = {"notes.txt": "I will send my notebook by e-mail.\n"}
REASON = "missing notebook"
