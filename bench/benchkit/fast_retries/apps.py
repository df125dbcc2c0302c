from django.apps import AppConfig

# Same number of attempts as the Standard Webhooks schedule: its real 5 s first retry, then seconds
# instead of minutes and hours.
BENCH_RETRY_SCHEDULE = (0, 5, 1, 1, 2, 2, 3, 3)


class FastRetriesConfig(AppConfig):
    """Sets ``webhooks.delivery.RETRY_SCHEDULE`` (read at each failure) once the apps are ready:
    in ``manage.py qcluster`` this happens before the workers start, so they all inherit it."""

    name = "benchkit.fast_retries"
    label = "bench_fast_retries"

    def ready(self):
        from webhooks import delivery

        delivery.RETRY_SCHEDULE = BENCH_RETRY_SCHEDULE
