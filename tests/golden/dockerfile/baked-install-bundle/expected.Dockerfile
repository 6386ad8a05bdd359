FROM nginx:1.27
COPY site/ /usr/share/nginx/html/
ENTRYPOINT ["/docker-entrypoint.sh"]
CMD ["nginx", "-g", "daemon off;"]

# Prisma Cloud Compute App-Embedded Defender, added by prisma-defender (EmbeddedDefenderImage).
# The Defender starts first, then runs the original entrypoint with CMD as its arguments:
# ["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"]
ADD ["twistlock_defender_app_embedded.tar.gz", "/twistlock"]
ENV DEFENDER_TYPE="appEmbedded"
ENV DEFENDER_APP_ID="demo-app"
ENV FILESYSTEM_MONITORING="false"
ENV WS_ADDRESS="wss://console.example.com:8084"
ENV DATA_FOLDER="/twistlock"
ARG PRISMA_DEFENDER_INSTALL_BUNDLE
ENV INSTALL_BUNDLE="${PRISMA_DEFENDER_INSTALL_BUNDLE}"
ENV FIPS_ENABLED="false"
ENTRYPOINT ["/twistlock/defender", "app-embedded", "/docker-entrypoint.sh"]
CMD ["nginx", "-g", "daemon off;"]
