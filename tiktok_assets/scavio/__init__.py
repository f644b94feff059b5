"""Scavio TikTok API client: typed endpoints, pagination, retries, pacing, credit guard."""
