# The scorer's image (deploy/k8s/scorer.yaml). Build from the repository root after
# `mvn -B package -DskipTests`:
#   docker build -f deploy/docker/scorer.Dockerfile -t certmetric-scorer:0.1.0 .
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /var/lib/certmetric-scorer --create-home certmetric
COPY scorer/target/certmetric-scorer.jar /opt/certmetric/certmetric-scorer.jar
USER 10001
# A fixed, pre-touched heap (half the container's memory): a heap that grows under load takes a page fault
# for every new page on the answer path, which cost up to two thirds of an answer at p = 784.
ENV JAVA_TOOL_OPTIONS="-XX:InitialRAMPercentage=50 -XX:MaxRAMPercentage=50 -XX:+AlwaysPreTouch"
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/opt/certmetric/certmetric-scorer.jar"]
CMD ["--http-host", "0.0.0.0", "--http-port", "8080", "--state-dir", "/var/lib/certmetric-scorer"]
