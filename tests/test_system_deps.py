"""`make test` brings its Debian packages itself, or stops before any test with the one command."""

from __future__ import annotations

import pytest

from coursetools import system_deps
from coursetools.system_deps import Requirement

GONE = Requirement("nosuchpkg", "a test", ("/nonexistent/optml-no-such-program",))
HERE = Requirement("sh", "a test", ("sh",))


def test_presence_by_path_glob_and_command_name():
    assert HERE.present()
    assert not GONE.present()
    assert Requirement("x", "y", ("/usr/bin/*",)).present()


def test_not_root_stops_with_the_install_command(monkeypatch, capsys):
    monkeypatch.setitem(system_deps.PROFILES, "test", (HERE, GONE))
    monkeypatch.setattr(system_deps.os, "geteuid", lambda: 1000)
    installs = []
    monkeypatch.setattr(system_deps, "apt_install", lambda pkgs: installs.append(pkgs) or True)
    assert system_deps.ensure("test") == 2
    err = capsys.readouterr().err
    assert "sudo apt-get update && sudo apt-get install -y nosuchpkg" in err
    assert "stopping before anything runs" in err
    assert installs == [], "a non-root user must not be asked to run apt-get by the Makefile"


def test_root_installs_what_is_missing_and_checks_again(monkeypatch, capsys):
    monkeypatch.setitem(system_deps.PROFILES, "test", (HERE, GONE))
    monkeypatch.setattr(system_deps.os, "geteuid", lambda: 0)
    monkeypatch.setattr(system_deps.shutil, "which", lambda name: f"/usr/bin/{name}")
    installs = []
    monkeypatch.setattr(system_deps, "apt_install", lambda pkgs: installs.append(pkgs) or True)
    # apt-get "succeeded" but the program is still missing: that is an error, not a pass
    assert system_deps.ensure("test") == 2
    assert installs == [["nosuchpkg"]]
    assert "apt-get install -y nosuchpkg" in capsys.readouterr().err


def test_optional_package_only_warns(monkeypatch, capsys):
    monkeypatch.setitem(system_deps.PROFILES, "course", (GONE,))
    monkeypatch.setitem(system_deps.OPTIONAL, "course", {"nosuchpkg"})
    monkeypatch.setattr(system_deps.os, "geteuid", lambda: 1000)
    assert system_deps.ensure("course") == 0
    assert "missing (optional): nosuchpkg" in capsys.readouterr().err


@pytest.mark.parametrize("profile", sorted(system_deps.PROFILES))
def test_this_machine_has_every_package(profile):
    """After `make system-deps` (which `make test` runs first) nothing may be missing."""
    assert system_deps.missing(system_deps.PROFILES[profile]) == []
