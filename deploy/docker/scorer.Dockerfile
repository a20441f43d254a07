# The scorer's image (deploy/k8s/scorer.yaml). Build from the repository root after
# `mvn -B package -DskipTests`:
#   docker build -f deploy/docker/scorer.Dockerfile -t certmetric-scorer:0.1.0 .
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /var/lib/certmetric-scorer --create-home certmetric
COPY scorer/target/certmetric-scorer.jar /opt/certmetric/certmetric-scorer.jar
USER 10001
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/opt/certmetric/certmetric-scorer.jar"]
CMD ["--http-host", "0.0.0.0", "--http-port", "8080", "--state-dir", "/var/lib/certmetric-scorer"]
