"""Receivers that belong to the sample module (their ``__module__`` is inside its package)."""

heard: list[str] = []


def on_ping(sender, *, label: str, **kwargs) -> str:
    heard.append(f"notes:{label}")
    return "notes"
