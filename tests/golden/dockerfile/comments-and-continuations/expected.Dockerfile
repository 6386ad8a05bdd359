# syntax=docker/dockerfile:1
FROM debian:bookworm-slim

# Install runtime dependencies.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       ca-certificates \
       # curl is used by the health check
       curl \
    && rm -rf /var/lib/apt/lists/*

COPY app /opt/app
HEALTHCHECK CMD curl -fsS http://localhost:8080/health || exit 1
ENTRYPOINT ["/opt/app/bin/run", \
    # the config file lives in the image
    "--config", "/opt/app/config.yaml", \
    "--log-format", "json"]

# Keep this file's trailing comment.

# Prisma Cloud Compute App-Embedded Defender, added by prisma-defender (EmbeddedDefenderImage).
# The Defender starts first, then runs the original entrypoint:
# ["/opt/app/bin/run", "--config", "/opt/app/config.yaml", "--log-format", "json"]
ADD ["twistlock_defender_app_embedded.tar.gz", "/twistlock"]
ENV DEFENDER_TYPE="appEmbedded"
ENV DEFENDER_APP_ID="demo-app"
ENV FILESYSTEM_MONITORING="false"
ENV WS_ADDRESS="wss://console.example.com:8084"
ENV DATA_FOLDER="/twistlock"
ENV FIPS_ENABLED="false"
ENTRYPOINT ["/twistlock/defender", "app-embedded", "/opt/app/bin/run", "--config", "/opt/app/config.yaml", "--log-format", "json"]
