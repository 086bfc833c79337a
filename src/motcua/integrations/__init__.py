"""Adapters to external systems: each a small protocol, a real client, and a local sandbox."""
