FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /usr/src/app
COPY pom.xml .
COPY src ./src
RUN mvn -q package -DskipTests

FROM tomcat:10.1-jdk17
COPY --from=build /usr/src/app/target/app.war /usr/local/tomcat/webapps/ROOT.war
EXPOSE 8080
CMD ["catalina.sh", "jpda", "run"]

# Prisma Cloud Compute App-Embedded Defender, added by prisma-defender (EmbeddedDefenderImage).
# The stage has CMD but no ENTRYPOINT, so the entrypoint is the Defender alone and CMD its
# arguments: the container runs `defender app-embedded <CMD...>`, which starts the Defender and then:
# ["catalina.sh", "jpda", "run"]
ADD ["twistlock_defender_app_embedded.tar.gz", "/twistlock"]
ENV DEFENDER_TYPE="appEmbedded"
ENV DEFENDER_APP_ID="tomcat-app"
ENV FILESYSTEM_MONITORING="false"
ENV WS_ADDRESS="wss://console.example.com:8084"
ENV DATA_FOLDER="/twistlock"
ENV FIPS_ENABLED="false"
ENTRYPOINT ["/twistlock/defender", "app-embedded"]
CMD ["catalina.sh", "jpda", "run"]
