"""The office's set-up checklist (seed 000): “At least one property assigned to a deal”."""

from .models import OfferedProperty


def first_content(request) -> bool:
    return OfferedProperty.objects.exists()
