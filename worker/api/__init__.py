"""The support API and web page (FastAPI): :func:`worker.api.app.create_app`."""
