"""A small module that proves the module contract (it lives only in the test suite)."""
