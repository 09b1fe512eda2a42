# R's side of the Farrington benchmark: farringtonFlexible over the 400 series of
# gen_weekly_series.py, the last 52 weeks of each, b = 4, improved settings.
#   Rscript benches/farrington_r.R benches/data/weekly400/counts.csv
suppressMessages(library(surveillance))
d <- read.csv(commandArgs(trailingOnly = TRUE)[1])
series <- unique(d$series)
weeks <- sort(unique(as.Date(d$week_start)))
obs <- sapply(series, function(s) d$count[d$series == s][order(as.Date(d$week_start[d$series == s]))])
s <- sts(observed = obs, epoch = as.numeric(weeks), epochAsDate = TRUE, frequency = 52)
n <- length(weeks)
ctl <- list(range = (n - 51):n, b = 4, w = 3, noPeriods = 10, weightsThreshold = 2.58,
            pastWeeksNotIncluded = 26, reweight = TRUE, trend = TRUE, alpha = 0.05,
            thresholdMethod = "delta", glmWarnings = FALSE)
t <- system.time(res <- farringtonFlexible(s, control = ctl))
cat(sprintf("R surveillance farringtonFlexible: %d series x 52 weeks in %.1f s (elapsed)\n",
            ncol(obs), t[["elapsed"]]))
cat(sprintf("alarms: %d\n", sum(res@alarm, na.rm = TRUE)))
