"""SQL, password hashing and token signing."""
