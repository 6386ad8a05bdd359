FROM postgres:16
COPY initdb/ /docker-entrypoint-initdb.d/
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres", "-c", "shared_buffers=256MB"]

# Prisma Cloud Compute App-Embedded Defender, added by prisma-defender (EmbeddedDefenderImage).
# The Defender starts first, then runs the original entrypoint with CMD as its arguments:
# ["docker-entrypoint.sh", "postgres", "-c", "shared_buffers=256MB"]
ADD ["twistlock_defender_app_embedded.tar.gz", "/twistlock"]
ENV DEFENDER_TYPE="appEmbedded"
ENV DEFENDER_APP_ID="demo-app"
ENV FILESYSTEM_MONITORING="false"
ENV WS_ADDRESS="wss://console.example.com:8084"
ENV DATA_FOLDER="/twistlock"
ENV FIPS_ENABLED="false"
ENTRYPOINT ["/twistlock/defender", "app-embedded", "docker-entrypoint.sh"]
CMD ["postgres", "-c", "shared_buffers=256MB"]
