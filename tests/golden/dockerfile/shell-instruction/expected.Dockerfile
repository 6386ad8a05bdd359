FROM ubuntu:24.04
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN echo "built" | tee /built
CMD exec /usr/local/bin/worker --queue "${QUEUE:-default}"

# Prisma Cloud Compute App-Embedded Defender, added by prisma-defender (EmbeddedDefenderImage).
# The stage has CMD but no ENTRYPOINT, so the entrypoint is the Defender alone and CMD its
# arguments: the container runs `defender app-embedded <CMD...>`, which starts the Defender and then:
# ["/bin/bash", "-o", "pipefail", "-c", "exec /usr/local/bin/worker --queue \"${QUEUE:-default}\""]
ADD ["twistlock_defender_app_embedded.tar.gz", "/twistlock"]
ENV DEFENDER_TYPE="appEmbedded"
ENV DEFENDER_APP_ID="demo-app"
ENV FILESYSTEM_MONITORING="false"
ENV WS_ADDRESS="wss://console.example.com:8084"
ENV DATA_FOLDER="/twistlock"
ENV FIPS_ENABLED="false"
ENTRYPOINT ["/twistlock/defender", "app-embedded"]
CMD ["/bin/bash", "-o", "pipefail", "-c", "exec /usr/local/bin/worker --queue \"${QUEUE:-default}\""]
