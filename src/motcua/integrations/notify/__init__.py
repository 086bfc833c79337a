"""Notification channels to citizens: SMS gateways (e-mail goes through Django's mail API)."""
