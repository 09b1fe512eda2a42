# R side of make_reference.py: survfit tables (log and log-log bands) and quantiles for each set.
# Run by make_reference.py; writes <set>-r-log.csv, <set>-r-loglog.csv and quantiles-r.csv.
suppressMessages(library(survival))
dir <- commandArgs(trailingOnly = TRUE)[1]
sets <- c("aml", "g3", "gehan", "waltons", "lung", "rossi")
q <- data.frame()
fmt <- function(x) ifelse(is.na(x), "", format(x, digits = 17))
for (s in sets) {
  d <- read.csv(file.path(dir, paste0(s, ".csv")), stringsAsFactors = FALSE)
  for (ct in c("log", "log-log")) {
    fit <- survfit(Surv(time, event) ~ group, data = d, conf.type = ct)
    sm <- summary(fit, censored = TRUE)
    grp <- if (is.null(sm$strata)) rep(d$group[1], length(sm$time)) else sub("^group=", "", as.character(sm$strata))
    out <- data.frame(group = grp, time = fmt(sm$time), at_risk = sm$n.risk, events = sm$n.event,
                      censored = sm$n.censor, survival = fmt(sm$surv), lower = fmt(sm$lower),
                      upper = fmt(sm$upper))
    out <- out[order(out$group, as.numeric(out$time)), ]
    suffix <- if (ct == "log") "log" else "loglog"
    write.csv(out, file.path(dir, paste0(s, "-r-", suffix, ".csv")), row.names = FALSE, quote = FALSE)
    qs <- quantile(fit, probs = c(0.5, 0.75, 0.9))
    if (is.null(dim(qs$quantile))) {
      qs <- lapply(qs, function(v) matrix(v, nrow = 1, dimnames = list(d$group[1], NULL)))
    }
    for (i in seq_len(nrow(qs$quantile))) {
      g <- sub("^group=", "", rownames(qs$quantile)[i])
      for (j in 1:3) {
        q <- rbind(q, data.frame(set = s, group = g, source = "R", ci = ct, p = c(0.5, 0.75, 0.9)[j],
                                 value = fmt(qs$quantile[i, j]), lower = fmt(qs$lower[i, j]),
                                 upper = fmt(qs$upper[i, j])))
      }
    }
  }
}
write.csv(q, file.path(dir, "quantiles-r.csv"), row.names = FALSE, quote = FALSE)
