FROM python:3.12-slim
COPY webapp.py /webapp.py
RUN chmod +x /webapp.py
ENTRYPOINT /webapp.py

# Prisma Cloud Compute App-Embedded Defender, added by prisma-defender (EmbeddedDefenderImage).
# The Defender starts first, then runs the original entrypoint:
# ["/bin/sh", "-c", "/webapp.py"]
ADD ["twistlock_defender_app_embedded.tar.gz", "/tmp/defender"]
ENV DEFENDER_TYPE="appEmbedded"
ENV DEFENDER_APP_ID="demo-app"
ENV FILESYSTEM_MONITORING="false"
ENV WS_ADDRESS="wss://console.example.com:8084"
ENV DATA_FOLDER="/tmp/defender"
ENV FIPS_ENABLED="false"
ENTRYPOINT ["/tmp/defender/defender", "app-embedded", "/bin/sh", "-c", "/webapp.py"]
