"""Dialogue events: join with a code, write and vote on statements, opinion groups."""
