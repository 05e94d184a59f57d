FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TANDEM_ENV=production
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
COPY requirements/production.txt requirements/production.txt
RUN pip install --no-cache-dir -r requirements/production.txt
COPY . .
RUN SECRET_KEY=build-only-$(head -c 48 /dev/urandom | base64 | tr -dc a-zA-Z0-9) DATABASE_URL=postgres://x/x \
    REDIS_URL=redis://x ALLOWED_HOSTS=x python manage.py collectstatic --noinput
RUN useradd --system tandem && mkdir -p /app/var && chown tandem /app/var
USER tandem
EXPOSE 8000
CMD ["gunicorn", "tandem.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
