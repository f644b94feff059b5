"""The lake: Delta Lake tables (delta-rs) with explicit schemas, flattening, batched commits and the capture log."""
