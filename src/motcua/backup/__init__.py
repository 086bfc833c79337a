"""Backup and restore of an installation: database and stored files in one archive (issue 18,
docs/decisions/0034-backup-and-restore.md)."""
