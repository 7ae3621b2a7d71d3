"""Fixture plugins as modules: worker processes load plugins by module name or entry point."""

from __future__ import annotations

from pathlib import Path


def install(site: Path, module: str) -> None:
    """Make `module` an installed plugin package, as pip would: a dist-info in `site` whose
    entry point names it. Put `site` on the path of the process that should find it."""
    name = module.rsplit(".", 1)[-1]
    dist = site / f"claimscope_fixture_{name}-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: claimscope-fixture-{name}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[claimscope]\n{name} = {module}\n")
