"""Organisations, users, roles and login."""
