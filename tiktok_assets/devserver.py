"""``make dev``: the Dagster UI on the embedded default, like ``make demo``.

Why a wrapper around ``dagster dev``: a bare ``dagster dev`` picks a temporary ``DAGSTER_HOME`` (the
demo's runs are invisible) and the real API's URL with no key. This starts the simulator unless
``SCAVIO_BASE_URL`` is set (then the environment is used as it is: the real API or your own server),
uses the persistent ``.dagster_home`` that ``make demo`` and the CLI use, and puts the venv's ``bin``
first on ``PATH`` so every subprocess (code server, run workers, dbt) finds the same executables
whether or not the venv is activated. Extra arguments go to ``dagster dev`` (``make dev ARGS="-p 3001"``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from .instance_home import DEFAULT_HOME_DIR, ensure_dagster_home

REPO_ROOT = Path(__file__).resolve().parents[1]
WORKSPACE = REPO_ROOT / "dagster_workspace.yaml"


@contextlib.contextmanager
def embedded_api(root: Path) -> Iterator[str | None]:
    """The simulator's URL while the block runs, or None when ``SCAVIO_BASE_URL`` points elsewhere."""
    if os.environ.get("SCAVIO_BASE_URL"):
        yield None
        return
    from . import simulator
    from .demo import DEMO_KEY, configure_env, track_demo_entities

    with simulator.SimulatorServer(simulator.SimulatorConfig(seed=42, api_key=DEMO_KEY, rate_limit=None)) as sim:
        configure_env(sim.url, root)
        track_demo_entities(simulator)
        yield sim.url


def dagster_command(args: list[str]) -> list[str]:
    bin_dir = Path(sys.executable).parent
    return [str(bin_dir / "dagster"), "dev", "-w", str(WORKSPACE), *args]


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    root = Path.cwd()
    if not os.environ.get("DAGSTER_HOME"):
        os.environ["DAGSTER_HOME"] = str(ensure_dagster_home(root / DEFAULT_HOME_DIR))
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    # SIGTERM (a service manager, a test harness) stops dagster dev's process group too: without this
    # the wrapper would die alone and leave the webserver, daemon and code server running.
    signal.signal(signal.SIGTERM, _interrupt)
    with embedded_api(root) as sim_url:
        where = f"the simulator at {sim_url}" if sim_url else f"SCAVIO_BASE_URL={os.environ['SCAVIO_BASE_URL']}"
        print(f"make dev: API = {where}; DAGSTER_HOME={os.environ['DAGSTER_HOME']}", flush=True)
        # Own process group: Ctrl-C / SIGTERM reach dagster dev and all its children, then we return.
        proc = subprocess.Popen(dagster_command(args), start_new_session=True)
        try:
            return proc.wait()
        except KeyboardInterrupt:
            pass
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
