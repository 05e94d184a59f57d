# The production image: the production dependency set only (requirements/production.txt), with no
# gettext, compiler, test tool or development package. The build stage installs the set into a
# virtualenv, compiles the message catalogues (polib) and collects the static files; the final stage
# takes the virtualenv and the application from it. .dockerignore keeps tests, the benchmark harness,
# the development set and local data out of the context.

FROM python:3.11-slim AS build
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TANDEM_ENV=production
# The base image's pip installs into a virtualenv that has none of its own. --no-deps installs
# exactly the locked set; pip check fails the build if the set is missing a dependency.
RUN python -m venv --without-pip /opt/venv
COPY requirements/production.txt /tmp/production.txt
RUN pip --python /opt/venv/bin/python install --no-deps -r /tmp/production.txt \
    && pip --python /opt/venv/bin/python check
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY . .
RUN python scripts/messages.py compile \
    && SECRET_KEY=build-only-$(head -c 48 /dev/urandom | base64 | tr -dc a-zA-Z0-9) DATABASE_URL=postgres://x/x \
       REDIS_URL=redis://x ALLOWED_HOSTS=x python manage.py collectstatic --noinput

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TANDEM_ENV=production PATH=/opt/venv/bin:$PATH
# WeasyPrint (the report's PDF) lays out text with pango and harfbuzz; DejaVu has every German glyph.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --no-create-home tandem
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
RUN mkdir -p /app/var && chown tandem /app/var
USER tandem
EXPOSE 8000
CMD ["gunicorn", "tandem.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
