"""Copy-paste: the grad_f answer cell duplicated with its metadata (two cells with grade_id
'grad_f'). nbgrader fails on it and, in a batch, on every student after it (nbgrader #1083)."""

BASE = "solution"
DUPLICATE = ["grad_f"]
REASON = "duplicate grade_id"
