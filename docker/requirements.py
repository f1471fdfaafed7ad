"""The third-party requirements of one of our packages, with those of the local packages it
depends on (``credit-core[extras]``) folded in: what an image installs in its cached dependency
layer, before any of our code is copied.

    python docker/requirements.py services/scoring-api > requirements.txt
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCAL = {"credit-core": ROOT / "packages" / "credit-core", "credit-synthetic": ROOT / "packages" / "credit-synthetic"}
NAME = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*(?:\[([^\]]*)\])?(.*)$")


def requirements(folder: Path, extras: set[str] | None = None) -> set[str]:
    project = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    wanted = list(project.get("dependencies", []))
    for extra in extras or set():
        wanted += project.get("optional-dependencies", {})[extra]
    found: set[str] = set()
    for requirement in wanted:
        match = NAME.match(requirement)
        if match is None:
            raise SystemExit(f"{folder}: cannot read requirement {requirement!r}")
        name, extra_list = match.group(1), match.group(2)
        if name in LOCAL:
            found |= requirements(LOCAL[name], {e.strip() for e in (extra_list or "").split(",") if e.strip()})
        else:
            found.add(requirement)
    return found


def main() -> None:
    if len(sys.argv) != 2 or not (ROOT / sys.argv[1] / "pyproject.toml").exists():
        raise SystemExit("usage: python docker/requirements.py <folder with a pyproject.toml>")
    print("\n".join(sorted(requirements(ROOT / sys.argv[1]), key=str.lower)))


if __name__ == "__main__":
    main()
