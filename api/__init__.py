"""The FastAPI control service: subscriptions, checks, slots, evidence, health and metrics."""
