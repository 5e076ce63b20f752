"""The generated clients of clients/: drift, builds, and their example backends live."""
