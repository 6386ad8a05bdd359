FROM node:20-alpine
WORKDIR /app
COPY package*.json ./
RUN npm ci --omit=dev
COPY . .
EXPOSE 8080
ENTRYPOINT ["node", "server.js"]

# Prisma Cloud Compute App-Embedded Defender, added by prisma-defender (EmbeddedDefenderImage).
# The Defender starts first, then runs the original entrypoint:
# ["node", "server.js"]
ADD ["twistlock_defender_app_embedded.tar.gz", "/srv"]
ENV DEFENDER_TYPE="appEmbedded"
ENV DEFENDER_APP_ID="demo-app"
ENV FILESYSTEM_MONITORING="false"
ENV WS_ADDRESS="wss://console.example.com:8084"
ENV DATA_FOLDER="/srv"
ENV FIPS_ENABLED="false"
ENTRYPOINT ["/srv/defender", "app-embedded", "node", "server.js"]
