"""The headless interface: `tiktok-assets <command>`."""
