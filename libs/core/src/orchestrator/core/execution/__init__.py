"""Running connector operations under their policies: ``/execute`` and job attempts."""
