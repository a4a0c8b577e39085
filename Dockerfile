# The InboxGap image used by docker-compose.yml (worker, beat, web, migrations): built once
# (`image: inboxgap:local`) and reused by every service.
#
# Production dependencies only, pinned with hashes from requirements.lock (`make lock`);
# no test or demo tooling (moto, matplotlib, pytest...): the `demo` and `chart` extras are
# not installed here.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
# The lock alone first: this layer stays cached while only the code changes.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

COPY pyproject.toml README.md LICENSE ./
COPY config ./config
COPY tasks ./tasks
COPY worker ./worker
# --no-deps: everything the package needs is already installed from the lock.
RUN pip install --no-deps . \
    && useradd --create-home --uid 10001 inboxgap

USER inboxgap

# The default command is the Celery worker, so the default health check asks it to answer a
# ping through the broker (nodename celery@<container hostname>). docker-compose.yml gives
# beat and web their own checks.
HEALTHCHECK --interval=30s --timeout=20s --start-period=60s --retries=3 \
    CMD celery -A config.celery_app inspect ping --timeout 10 -d "celery@$HOSTNAME" || exit 1

CMD ["celery", "-A", "config.celery_app", "worker", "--loglevel", "INFO"]
