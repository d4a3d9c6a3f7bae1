"""Mechanisms every service stands on: settings, logging, HTTP, database, events, auth, tests.

Nothing here knows about candidatures or accounts: domain rules live in the services.
"""
