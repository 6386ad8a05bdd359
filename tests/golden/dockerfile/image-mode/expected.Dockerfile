FROM registry.example.com/team/api@sha256:4f5e8bb9c3b1e2a0d7c6f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0

# Prisma Cloud Compute App-Embedded Defender, added by prisma-defender (EmbeddedDefenderImage).
# Protects the image above: the Defender starts first, then runs its original program:
# ["/usr/local/bin/api", "--port", "8080"]
ADD ["twistlock_defender_app_embedded.tar.gz", "/twistlock"]
ENV DEFENDER_TYPE="appEmbedded"
ENV DEFENDER_APP_ID="demo-app"
ENV FILESYSTEM_MONITORING="false"
ENV WS_ADDRESS="wss://console.example.com:8084"
ENV DATA_FOLDER="/twistlock"
ENV FIPS_ENABLED="false"
ENTRYPOINT ["/twistlock/defender", "app-embedded", "/usr/local/bin/api"]
CMD ["--port", "8080"]
