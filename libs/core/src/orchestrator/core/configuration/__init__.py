"""A workspace's configuration: policies, connectors, secret refs, configs, quotas, bundles."""
