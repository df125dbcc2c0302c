"""Portico's REST API (``/api/v1/``): authentication, rate limits, errors, and the core endpoints."""
