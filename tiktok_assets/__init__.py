"""tiktok-assets: Dagster assets that turn the Scavio TikTok API into a credit-aware Parquet lakehouse."""

__version__ = "0.1.0"
