"""``python -m tiktok_assets.dbt.prepare``: build dbt's manifest ahead of time (install or image build).

Why ahead of time: ``@dbt_assets`` needs ``target/manifest.json`` when the code location loads. Parsing
at load took 16-22 s per load and reload in the UI; with the manifest prepared, the location loads
from it in a few seconds. ``make`` runs this after installing; a production image runs it in its
build (``docs/deploy/``). At load, ``ensure_manifest`` re-parses only if the project changed since.
"""

from __future__ import annotations

import sys
import time

from tiktok_assets.dbt.runner import ensure_manifest


def main() -> int:
    started = time.monotonic()
    try:
        path = ensure_manifest()
    except Exception as exc:  # noqa: BLE001 - a CLI: one line, not a traceback
        print(f"error: dbt manifest not built: {exc}", file=sys.stderr)
        return 1
    print(f"dbt manifest ready: {path} ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
