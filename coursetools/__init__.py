"""Course tooling: build, execute, export and grade the course (not used by students)."""
