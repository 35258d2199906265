# MTA: one image for every process (api, worker, beat, bot, migrate, and the portal replica for demos).
# Debian's Chromium, run by an unprivileged user; no secret is baked in: settings come from the environment.
FROM python:3.11.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MTA_CHROMIUM_PATH=/usr/lib/chromium/chromium \
    MTA_EVIDENCE_DIR=/var/lib/mta/evidence \
    PROMETHEUS_MULTIPROC_DIR=/tmp/mta-metrics

RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin mta

WORKDIR /app
# Dependencies first, so a code change does not reinstall them: the pinned versions, each checked by its hash.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY . .
# Editable, so the migrations, alembic.ini and browser_profiles/storage stay beside the code under /app.
RUN pip install --no-deps -e . \
    && mkdir -p /var/lib/mta/evidence /app/browser_profiles/storage \
    && chown -R mta:mta /var/lib/mta /app/browser_profiles/storage \
    && chmod +x deploy/docker-entrypoint.sh

USER mta
ENTRYPOINT ["/app/deploy/docker-entrypoint.sh"]
EXPOSE 8000 9808
CMD ["python", "-m", "api", "--host", "0.0.0.0", "--port", "8000"]
