from django.apps import AppConfig


class ScaleStepConfig(AppConfig):
    """A tenant app with one migration: ``bench/scale.py`` takes it off every schema and times a
    deploy that brings it back, as a release with one new migration would."""

    name = "benchkit.scale_step"
    label = "scale_step"
