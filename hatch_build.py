"""Hatch build hook: `pip install .` fetches and verifies GraphiQL's pinned files into the
package (app/graphiql/assets.py, standard library only), as `make install` does."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class GraphiQLAssets(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        path = Path(self.root) / "app" / "graphiql" / "assets.py"
        spec = importlib.util.spec_from_file_location("_graphiql_assets", path)
        assert spec is not None
        assert spec.loader is not None
        assets = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = assets  # dataclasses look their module up there
        spec.loader.exec_module(assets)
        # Offline, the package still installs: the GraphiQL page then says how to fetch them.
        if assets.main() != 0:
            self.app.display_warning("GraphiQL's files were not fetched; the API works without")
