# Serves a frozen cegdb release read-only with Datasette. Build after `cegdb release VERSION`:
#   docker build --build-arg VERSION=2026.12.0 -t cegdb:2026.12.0 .
#   docker run -p 8001:8001 cegdb:2026.12.0
FROM python:3.11-slim

ARG VERSION
WORKDIR /app
COPY pyproject.toml README.md ./
COPY catalog ./catalog
COPY analysis ./analysis
COPY scrapers ./scrapers
COPY migrations ./migrations
COPY publish ./publish
COPY cegdb ./cegdb
RUN pip install --no-cache-dir .

# The release's SQLite file, renamed so the database is always called "cegdb" in URLs.
COPY dist/${VERSION}/cegdb-${VERSION}.sqlite /data/cegdb.sqlite

EXPOSE 8001
# `cegdb serve` writes the metadata and inspect counts beside the file and starts Datasette with
# the settings in publish/serving.py (immutable, time limit, row limit).
CMD ["cegdb", "serve", "--db", "/data/cegdb.sqlite", "--host", "0.0.0.0", "--port", "8001"]
