"""The workspace status channel: canned actions, live fan-out, nothing stored but counters."""
