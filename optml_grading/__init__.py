"""Grading code for the course's nbgrader homework, kept out of the student package ``helpers``.

:mod:`optml_grading.integrity`
    the tamper guard that the homework's locked setup cell and every hidden-test block call;
:mod:`optml_grading.checks`
    visible-test helpers (``expect_close``) imported by the locked setup cell.

Students never need to import this package themselves.
"""
