"""Outbound webhooks: endpoints, the event outbox, Standard Webhooks signing, delivery and its log."""
