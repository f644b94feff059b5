"""See tiktok_assets/defs/__init__.py."""
