"""HTTP routes and event subscriptions."""
