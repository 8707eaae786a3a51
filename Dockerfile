# PM Interview Coach: one image for every process (web, worker, the one-shot `coach init`).
#   docker build -t pm-interview-coach .
#   docker run --rm pm-interview-coach coach --help
# compose.yaml runs the whole topology; docs/deploy.md describes it.
# BASE is any image with Python 3.11 or newer and pip on PATH; tests/multiprocess builds this on a
# stand-in made from Debian's packages, since its machine reaches no image registry.
ARG BASE=python:3.11-slim
FROM ${BASE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The app runs as an unprivileged user that owns only its instance folder.
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/coach --create-home coach

# A normal, non-editable install: the wheel carries templates, static files, rubrics, the
# question bank and the migrations, so the source tree is not kept in the image.
WORKDIR /build
COPY pyproject.toml README.md ./
COPY app app
COPY src src
COPY static static
COPY migrations migrations
COPY question_bank question_bank
COPY rubrics rubrics
RUN pip install '.[postgres]' && cd / && rm -rf /build

COPY gunicorn.conf.py /etc/coach/gunicorn.conf.py

# Everything else (database, Redis, secret key, AI server) comes from the environment: see
# compose.yaml. The instance folder holds nothing that must survive the container when
# COACH_DATABASE_URL and COACH_REDIS_URL point elsewhere.
ENV COACH_INSTANCE_PATH=/var/lib/coach \
    PORT=8000
USER coach
WORKDIR /var/lib/coach
EXPOSE 8000
CMD ["gunicorn", "-c", "/etc/coach/gunicorn.conf.py", "app:create_app()"]
