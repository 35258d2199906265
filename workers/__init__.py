"""The check farm: Celery workers that each hold one long-lived Chromium."""
