"""The lock file `make install` uses agrees with pyproject.toml (run `make lock` after changing it)."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_pinned_dependency_is_locked_at_the_same_version_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = project["dependencies"] + project["optional-dependencies"]["dev"]
    lock = (ROOT / "requirements" / "lock.txt").read_text()
    entries = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+) \\\n\s+--hash=sha256:", lock, re.M)
    assert len(entries) == len(re.findall(r"^\S+==", lock, re.M)), "every locked package has its hashes"
    locked = {name.lower(): version for name, version in entries}
    for pin in pins:
        name, version = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?==(\S+)", pin).groups()
        assert locked.get(name.lower().replace("_", "-")) == version, f"{pin} : lancez `make lock`"
