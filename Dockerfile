# One image for web, worker and beat (docker-compose.yml changes only the command).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DEBUG=False

WORKDIR /app
# WeasyPrint's layout libraries and the CJK fonts of the assessment PDF reports.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
RUN pip install --upgrade pip && pip install -e .

COPY . .
# plotly.js comes from the installed plotly package through a static-files finder: no CDN.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 --home /app metrology \
    && mkdir -p /app/media && chown -R metrology /app/media

USER metrology
EXPOSE 8000
CMD ["gunicorn", "metrology_tracker.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
