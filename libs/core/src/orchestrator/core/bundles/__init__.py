"""Configuration bundles: export, check, plan, prune and import of a whole workspace's
configuration, above the domains whose resources they carry (configuration, schedules,
workflows)."""
