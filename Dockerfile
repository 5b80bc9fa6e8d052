# Production image: gunicorn serving Django, static files by whitenoise. Workers run the same image with
# `python manage.py worker` (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

RUN groupadd --system app && useradd --system --gid app --home-dir /app --shell /usr/sbin/nologin app

# The tech scan's optional browser mode (TECH_SCAN_MODE=browser) needs Debian's Chromium: build with
# `--build-arg WITH_CHROMIUM=1` (about 300 MB more). Without it a browser scan falls back to static and says so.
ARG WITH_CHROMIUM=0
RUN if [ "$WITH_CHROMIUM" = "1" ]; then \
        apt-get update && apt-get install -y --no-install-recommends chromium && rm -rf /var/lib/apt/lists/*; \
    fi

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=app:app . .

# collectstatic needs settings to load; a throwaway key is fine here (it is not kept in the image's env).
RUN SECRET_KEY=collectstatic-only DEBUG=0 python manage.py collectstatic --noinput

USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--access-logfile", "-"]
