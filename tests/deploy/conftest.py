"""Fixtures of the production-deployment tests: real PostgreSQL, moto S3, the simulator."""

from tests.deploy.postgres import postgres  # noqa: F401  (fixture)
from tests.moto_s3 import moto_s3, s3_bucket  # noqa: F401  (fixtures)
