"""The event log: append in the changing transaction, read by a gap-free cursor, push live."""
