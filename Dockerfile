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
RUN pip install --no-cache-dir .

# The release's SQLite file, renamed so the database is always called "cegdb" in URLs.
COPY dist/${VERSION}/cegdb-${VERSION}.sqlite /data/cegdb.sqlite
RUN python -c "from catalog.publish import write_metadata; from pathlib import Path; write_metadata(Path('/data/cegdb.metadata.json'))" \
 && datasette inspect /data/cegdb.sqlite --inspect-file /data/cegdb.inspect.json

EXPOSE 8001
CMD ["datasette", "serve", "-i", "/data/cegdb.sqlite", "--inspect-file", "/data/cegdb.inspect.json", \
     "-m", "/data/cegdb.metadata.json", "-h", "0.0.0.0", "-p", "8001", \
     "--setting", "sql_time_limit_ms", "3000", "--setting", "max_returned_rows", "2000"]
