"""The HTTP surface shared by every service: problems, probes, metrics, request ids."""
