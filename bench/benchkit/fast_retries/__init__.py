"""A bench-only app that shortens the webhook retry schedule in every process that loads it."""
