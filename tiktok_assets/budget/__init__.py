"""Credit budget: ledger persistence, shared daily/monthly budgets, sensors, estimates, checks.

Modules (imported directly; this package imports nothing so the client side stays Dagster-free):
``settings`` (BudgetSettings, billing windows), ``resource`` (BudgetResource), ``reservations``
(SharedBudgetLimit), ``runtime`` (attach_budget), ``ledger_sink`` (flush_ledger,
ledger_flushing, export_ledger), ``usage`` (reading the ledger), ``sensors`` (credit_budget_sensor,
low_balance_sensor, budget_gate), ``estimate`` (estimate_credits, preflight), ``checks``.
"""
