"""``manage.py qcluster``: the worker. django-q2's own cluster, and beside it, in this process, the
timer loop (``tenants.queue.timers_run``) that hands timed work (webhook retries) to the queue
when it is due.

It takes django-q2's command name, so every place that starts a worker (``make run``, the compose
file's worker service, the benches, the tests) runs the timers too. django-q2's scheduler cannot
do this job: it looks at its schedules every 30 seconds, in whole minutes.

The worker's processes keep their database connections between tasks, as production's settings
do everywhere (``CONN_MAX_AGE``), even where the web's setting is 0 (``runserver`` makes a thread
per request and could not reuse them): a new PostgreSQL backend for each task costs more than a
webhook attempt.
"""

from __future__ import annotations

import logging
import os
import signal
import threading

from django import db
from django.conf import settings
from django_q.cluster import Cluster
from django_q.management.commands.qcluster import Command as ClusterCommand

from tenants.pooling import refuse_transaction_pooling
from tenants.queue import timers_run

logger = logging.getLogger(__name__)

WORKER_CONN_MAX_AGE = 60


class Command(ClusterCommand):
    help = "Starts the worker: a django-q2 cluster, and the timer loop that enqueues timed work when due."

    def handle(self, *args, **options):
        settings.SECRET_KEY  # noqa: B018 - as django-q2 does: no signing key, no cluster
        refuse_transaction_pooling()  # offices' schemas must not share server connections
        if options.get("cluster_name"):
            os.environ["Q_CLUSTER_NAME"] = options["cluster_name"]
        stop = threading.Event()
        cluster = Cluster()

        # SIGTERM or Ctrl-C: the loop finishes its pass, then the cluster stops (its workers finish
        # their tasks). django-q2's own handler would stop the cluster from inside the signal,
        # possibly in the middle of a pass holding timer rows a worker is waiting for.
        def on_signal(signum, frame):
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        for alias in db.connections:
            database = db.connections.settings[alias]  # the dict each connection reads, forked too
            if database.get("CONN_MAX_AGE") == 0:
                database["CONN_MAX_AGE"] = WORKER_CONN_MAX_AGE
                database["CONN_HEALTH_CHECKS"] = True
        db.connections.close_all()  # the cluster's processes are forked from this one
        cluster.start()
        try:
            if not options.get("run_once"):
                timers_run(stop, alive=lambda: cluster.sentinel.is_alive())
                if not stop.is_set():
                    logger.error("the worker cluster stopped by itself; stopping the timer loop")
        finally:
            cluster.stop()
