"""The code location's definitions, one folder per concern (the ``dg`` project layout).

``load_from_defs_folder`` (``tiktok_assets/definitions.py``, ``dg dev``, ``dg check defs``) imports
every module below and merges the ``Definitions`` each ``definitions.py`` returns:

- ``resources/``  the resources every concern uses, and the run executor;
- ``tiktok_api/`` the eleven API assets, their checks, the daily job and schedule;
- ``budget/``     the credit budget: its observable asset and the sensors that watch it;
- ``lake/``       the lake's own upkeep: maintenance asset and schedule, the record tables;
- ``dbt/``        the dbt models as assets, their job and automation sensor.

The code itself lives in the domain packages (``tiktok_assets.assets``, ``budget``, ``lake``,
``dbt``): the CLI builds the lake-only part without dbt (see :mod:`tiktok_assets.wiring`), so each
concern's ``Definitions`` is built by one function, used by both.
"""
