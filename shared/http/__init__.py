"""The aiohttp app factory, problem+json errors, and routes described once for OpenAPI."""
