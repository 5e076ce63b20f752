"""``/api/v1/events``: the tenant's event log, paged or as a live SSE stream."""
