"""Dramatiq actors; each takes ids or nothing, never ORM objects."""
