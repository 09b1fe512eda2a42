# Reference values for the peak-detection parity tests: R surveillance (Debian r-cran-surveillance
# 1.20) farringtonFlexible (original and improved settings) and earsC (C1, C2, C3).
#
#   Rscript testdata/surveillance/make_reference.R [path/to/shared/data/surveillance]
#
# Writes, next to this script:
#   synthetic.csv          6 made-up weekly series (date, series, observed), fixed seed, so that
#                          `cargo test` has data of its own
#   reference_synthetic.csv and, when the shared data is there, reference_shared.csv:
#     series, settings, date, observed, expected, upper, alarm
# All series are weekly with Monday dates (epochAsDate = TRUE), as datastroom builds them.
suppressMessages(library(surveillance))
args <- commandArgs(trailingOnly = TRUE)
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
shared <- if (length(args) > 0) args[1] else file.path(here, "..", "..", "..", "shared", "data", "surveillance")

settings <- list(
  original = list(b = 3, w = 3, noPeriods = 1, weightsThreshold = 1, pastWeeksNotIncluded = 3,
                  reweight = TRUE, trend = TRUE, alpha = 0.05, limit54 = c(5, 4), thresholdMethod = "delta"),
  improved = list(b = 3, w = 3, noPeriods = 10, weightsThreshold = 2.58, pastWeeksNotIncluded = 26,
                  reweight = TRUE, trend = TRUE, alpha = 0.05, limit54 = c(5, 4), thresholdMethod = "delta")
)

run_one <- function(name, dates, y) {
  out <- data.frame()
  s <- sts(observed = matrix(y, ncol = 1), epoch = as.numeric(dates), epochAsDate = TRUE, frequency = 52)
  for (set in names(settings)) {
    ctl <- settings[[set]]
    ctl$glmWarnings <- FALSE
    res <- farringtonFlexible(s, control = ctl)
    idx <- (length(y) - nrow(res@observed) + 1):length(y)
    out <- rbind(out, data.frame(series = name, settings = set, date = format(dates[idx]),
      observed = y[idx], expected = format(res@control$expected[, 1], digits = 12),
      upper = format(res@upperbound[, 1], digits = 12), alarm = as.integer(res@alarm[, 1])))
  }
  for (m in c("C1", "C2", "C3")) {
    # The last two years: enough to check every lag, small enough to commit.
    res <- earsC(s, control = list(method = m, range = (length(y) - 103):length(y)))
    idx <- (length(y) - 103):length(y)
    out <- rbind(out, data.frame(series = name, settings = paste0("ears-", tolower(m)), date = format(dates[idx]),
      observed = y[idx], expected = NA, upper = format(res@upperbound[, 1], digits = 12),
      alarm = as.integer(res@alarm[, 1])))
  }
  out
}

# Synthetic: seasonal Poisson counts, one with a trend, outbreaks, a sparse one.
set.seed(20261129)
n <- 313
dates <- seq(as.Date("2018-01-01"), by = "week", length.out = n)
t <- seq_len(n)
season <- 1 + 0.5 * sin(2 * pi * t / 52)
syn <- list(
  stable = rpois(n, 20 * season),
  trend = rpois(n, (10 + t / 15) * season),
  outbreaks = { y <- rpois(n, 8 * season); y[c(280, 281, 300)] <- y[c(280, 281, 300)] + c(25, 30, 18); y },
  sparse = rpois(n, 0.6 * season),
  overdispersed = rnbinom(n, mu = 15 * season, size = 3),
  winter = rpois(n, 5 * exp(1.2 * cos(2 * pi * t / 52)))
)
syn_long <- do.call(rbind, lapply(names(syn), function(s) data.frame(date = format(dates), series = s, observed = syn[[s]])))
write.csv(syn_long, file.path(here, "synthetic.csv"), row.names = FALSE, quote = FALSE)
ref <- do.call(rbind, lapply(names(syn), function(s) run_one(s, dates, syn[[s]])))
write.csv(ref, file.path(here, "reference_synthetic.csv"), row.names = FALSE, quote = FALSE)

# The shared RKI series (212 weeks) and salmonella agona, Monday dates from 2001-01-01 / 1990-01-01.
if (dir.exists(shared)) {
  out <- data.frame()
  for (f in list.files(shared, pattern = "\\.txt$")) {
    if (f == "salmonella.agona.txt") next
    d <- read.table(file.path(shared, f), header = TRUE)
    dates <- seq(as.Date("2001-01-01"), by = "week", length.out = nrow(d))
    out <- rbind(out, run_one(sub("\\.txt$", "", f), dates, d$observed))
  }
  d <- read.csv(file.path(shared, "salmonella.agona.csv"))
  dates <- seq(as.Date("1990-01-01"), by = "week", length.out = nrow(d))
  out <- rbind(out, run_one("salmonella.agona", dates, d$observed))
  write.csv(out, file.path(here, "reference_shared.csv"), row.names = FALSE, quote = FALSE)
}
