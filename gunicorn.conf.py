"""Gunicorn settings for PM Interview Coach: `gunicorn -c gunicorn.conf.py 'app:create_app()'`.

Each choice below is deliberate; the environment may override the counts (WEB_CONCURRENCY) and
the address (PORT), and command-line options override everything here.
"""

import multiprocessing
import os
import shutil
import tempfile

# Sync workers: each handles one request at a time, which suits this app. A request is short
# CPU work (rendering, scoring an answer takes milliseconds) plus quick database queries; the
# slow part of any request is the client's network, and nginx in front absorbs that (it reads
# the whole request before passing it on and takes the whole response at once), so a worker is
# never tied up by a slow client. AI feedback, rescoring and large imports run in `coach worker`,
# not in the request. Async workers (gevent) would only add monkey-patching risk to the database
# and openai clients for no gain.
worker_class = "sync"

# Two per core plus one, gunicorn's usual rule for sync workers, so one worker waiting on the
# database leaves the CPUs busy with others. WEB_CONCURRENCY (the platform convention) sets it.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))

# Inside a container the app listens on all interfaces; only nginx publishes a port.
bind = [f"0.0.0.0:{os.environ.get('PORT', '8000')}"]

# A worker silent for 30 s is stuck (nothing here should take more than a second or two: the
# largest request is a 10 MB bank upload, already buffered by nginx): kill and replace it.
# nginx's proxy_read_timeout (deploy/nginx.conf) is longer, so the client sees gunicorn's
# recovery rather than a proxy timeout.
timeout = 30

# On a deploy or SIGTERM, finish the requests in flight for up to 20 s before exiting, so a
# rolling restart drops no answers being submitted; shorter than Docker's stop grace (30 s,
# stop_grace_period in compose.yaml), so gunicorn, not Docker's SIGKILL, ends the worker.
graceful_timeout = 20

# No `keepalive`: a sync worker closes the connection after each response whatever it says
# (gunicorn's design notes), so nginx opens a fresh one to the app per request, on loopback or
# the container network, where that costs little.

# Recycle each worker after about a thousand requests (jittered so they do not all restart at
# once): bounds any slow memory growth in long-lived processes at no visible cost.
max_requests = 1000
max_requests_jitter = 100

# Import the app once in the master and fork: faster start-up and shared memory pages. The
# app opens no database connection or thread at import (they are made on first use in each
# worker), so nothing is shared across the fork.
preload_app = True

# nginx is the only client and sets X-Forwarded-For; the app reads it (COACH_PROXY_COUNT=1).
forwarded_allow_ips = "*"

# Logs go to stdout/stderr, where Docker and systemd collect them. No access log: the app
# writes its own JSON line per request, with its request id (COACH_REQUEST_LOG).
accesslog = None
errorlog = "-"

# Prometheus metrics summed over every worker, not those of whichever worker answers a scrape:
# prometheus-client's multiprocess mode keeps each worker's figures in files in this folder.
# Set here, before the app (and prometheus-client) is imported and the workers fork. A folder of
# one's own may be given; it is emptied at start, since old files would count again. A folder
# made here is removed when gunicorn exits (the environment remembers it was made here, since a
# reload, on SIGHUP, runs this file again).
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="coach-metrics-")
    os.environ["GUNICORN_MADE_METRICS_DIR"] = "1"
_metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"]


def on_starting(server):
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    os.makedirs(_metrics_dir, exist_ok=True)


def child_exit(server, worker):
    """A worker that exits (recycled or killed) leaves its counts; its live gauges go."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if os.environ.get("GUNICORN_MADE_METRICS_DIR"):
        shutil.rmtree(_metrics_dir, ignore_errors=True)
