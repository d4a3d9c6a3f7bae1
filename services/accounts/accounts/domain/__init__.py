"""The accounts' rules and models, without I/O."""
