FROM alpine:3.20 AS base
RUN apk add --no-cache tini

FROM base AS app
COPY app /usr/local/bin/app
ENTRYPOINT ["/sbin/tini", "--", "/usr/local/bin/app"]

# Prisma Cloud Compute App-Embedded Defender, added by prisma-defender (EmbeddedDefenderImage).
# The Defender starts first, then runs the original entrypoint:
# ["/sbin/tini", "--", "/usr/local/bin/app"]
ADD ["twistlock_defender_app_embedded.tar.gz", "/twistlock"]
ENV DEFENDER_TYPE="appEmbedded"
ENV DEFENDER_APP_ID="demo-app"
ENV FILESYSTEM_MONITORING="false"
ENV WS_ADDRESS="wss://console.example.com:8084"
ENV DATA_FOLDER="/twistlock"
ENV FIPS_ENABLED="false"
ENTRYPOINT ["/twistlock/defender", "app-embedded", "/sbin/tini", "--", "/usr/local/bin/app"]

FROM app AS test
COPY tests /tests
RUN /usr/local/bin/app --self-test
