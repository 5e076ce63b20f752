"""Secret refs: parsing, sealed values, resolution at call time and KEK rotation."""
