"""Resources from the environment as it is when the code location loads, and the run executor.

Why ``in_process_executor``: one run = one process = one ``ScavioResource`` instance, hence one
client whose ledger, id memo and budget limit serve every asset of the run; parallelism comes from
``map_concurrent`` across entities and streams (bounded by ``max_concurrency`` under the key's shared
pace), not from step processes that would each pay their own imports and resolution calls.
"""

from dagster import Definitions, definitions, in_process_executor

from tiktok_assets.wiring import build_resources


@definitions
def resources() -> Definitions:
    return Definitions(resources=build_resources(), executor=in_process_executor)
