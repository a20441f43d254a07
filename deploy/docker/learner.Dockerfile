# The learner's image for the Flink Kubernetes Operator (deploy/k8s/learner-flinkdeployment.yaml).
# Build from the repository root after `mvn -B package -DskipTests`:
#   docker build -f deploy/docker/learner.Dockerfile -t certmetric-learner:0.1.0 .
# The official image ships Flink itself (the job jar has it as provided) and the plugins the
# deployment enables (S3 filesystem; the Prometheus reporter is in plugins/metrics-prometheus/).
FROM flink:2.2.1-java17
COPY --chown=flink:flink learner/target/certmetric-learner.jar /opt/flink/usrlib/certmetric-learner.jar
