#!/usr/bin/env bash
# Writes the sets the reference implementation was timed on, from Debian's R packages, as CSV into
# target/debian-sets/ (class label in the last column): sonar (208 x 60) and house-votes (435 x 16;
# y = 1, n = -1, missing = 0) from r-cran-mlbench, penguins (342 x 4 numeric, rows with missing
# measurements dropped) from r-cran-palmerpenguins, new-thyroid (215 x 5) from r-cran-mclust; and, for
# `bench/moa.sh`, larger sets from r-cran-mlbench that the project does not ship: satellite (6,435 x 36, 6
# classes; Statlog Landsat Satellite, Srinivasan, UCI), shuttle (58,000 x 9, 7 classes, 78% one class; Statlog
# Shuttle, Catlett, UCI), dna (3,186 x 180 binary, 3 classes; Statlog DNA splice junctions, Noordewier, Towell
# and Shavlik, UCI) and soybean (the 562 complete rows of 683, 35 ordinal attributes as their level numbers,
# 15 classes; Michalski and Chilausky, UCI). Class names have their spaces replaced by underscores.
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
label <- function(f) gsub(" ", "_", as.character(f))
num <- function(d) sapply(d, function(c) as.numeric(if (is.factor(c)) as.character(c) else c))
codes <- function(d) sapply(d, function(c) as.integer(c))
data(Satellite); out(Satellite[, 1:36], label(Satellite$classes), "satellite")
data(Shuttle); out(Shuttle[, 1:9], label(Shuttle$Class), "shuttle")
data(DNA); out(num(DNA[, 1:180]), label(DNA$Class), "dna")
data(Soybean); s <- Soybean[complete.cases(Soybean), ]; out(codes(s[, -1]), label(s$Class), "soybean")
R
ls -1 "$PWD"/*.csv
