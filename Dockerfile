# The InboxGap image used by docker-compose.yml (worker, beat, web, migrations).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY tasks ./tasks
COPY worker ./worker
RUN pip install . \
    && useradd --create-home --uid 10001 inboxgap

USER inboxgap
CMD ["celery", "-A", "config.celery_app", "worker", "--loglevel", "INFO"]
