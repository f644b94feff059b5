"""The UI tests reuse the asset tests' pipeline (the Definitions' own job on a tmp lake, simulator over HTTP)."""

from tests.assets.conftest import make_pipeline, pipeline  # noqa: F401  (fixtures)
