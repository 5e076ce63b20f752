"""A workspace at a glance: bounded reads of its depths, recent attempts and gate state."""
