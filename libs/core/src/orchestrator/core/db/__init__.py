"""Database access: engine, sessions, the declarative base and RLS helpers."""
