ARG GO_VERSION=1.22
ARG RUNTIME_IMAGE
FROM golang:${GO_VERSION}-alpine AS build
COPY . /src
RUN cd /src && go build -o /out/app .

FROM ${RUNTIME_IMAGE:-alpine:3.20}
ARG APP_USER=root
COPY --from=build /out/app /usr/local/bin/app
USER ${APP_USER}
ENTRYPOINT ["/usr/local/bin/app"]
CMD ["serve"]

# Prisma Cloud Compute App-Embedded Defender, added by prisma-defender (EmbeddedDefenderImage).
# The Defender starts first, then runs the original entrypoint with CMD as its arguments:
# ["/usr/local/bin/app", "serve"]
ADD --chown=app ["twistlock_defender_app_embedded.tar.gz", "/twistlock"]
ENV DEFENDER_TYPE="appEmbedded"
ENV DEFENDER_APP_ID="demo-app"
ENV FILESYSTEM_MONITORING="false"
ENV WS_ADDRESS="wss://console.example.com:8084"
ENV DATA_FOLDER="/twistlock"
ENV FIPS_ENABLED="false"
ENTRYPOINT ["/twistlock/defender", "app-embedded", "/usr/local/bin/app"]
CMD ["serve"]
