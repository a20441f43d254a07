#!/usr/bin/env bash
# Writes the sets the reference implementation was timed on, from Debian's R packages, as CSV into
# target/debian-sets/ (class label in the last column): sonar (208 x 60) and house-votes (435 x 16;
# y = 1, n = -1, missing = 0) from r-cran-mlbench, penguins (342 x 4 numeric, rows with missing
# measurements dropped) from r-cran-palmerpenguins, new-thyroid (215 x 5) from r-cran-mclust.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v Rscript >/dev/null && Rscript -e 'library(mlbench); library(palmerpenguins); library(mclust)' >/dev/null 2>&1 \
  || apt-get install -y -qq --no-install-recommends r-cran-mlbench r-cran-palmerpenguins r-cran-mclust
mkdir -p target/debian-sets
cd target/debian-sets
Rscript - <<'R'
suppressMessages({library(mlbench); library(palmerpenguins); library(mclust)})
out <- function(features, label, name) write.csv(data.frame(features, class = label), paste0(name, ".csv"), row.names = FALSE, quote = FALSE)
data(Sonar); out(Sonar[, 1:60], Sonar$Class, "sonar")
data(HouseVotes84); v <- HouseVotes84[, -1]
out(sapply(v, function(c) ifelse(is.na(c), 0, ifelse(c == "y", 1, -1))), HouseVotes84$Class, "house-votes")
m <- c("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"); p <- as.data.frame(penguins)
p <- p[complete.cases(p[, m]), ]; out(p[, m], p$species, "penguins")
data(thyroid); out(thyroid[, -1], thyroid$Diagnosis, "new-thyroid")
R
ls -1 "$PWD"/*.csv
