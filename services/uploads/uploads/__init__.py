"""The uploads service."""
