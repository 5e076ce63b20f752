"""The audit log as operators read it: newest first, filtered, paged (``/api/v1/audit``)."""
