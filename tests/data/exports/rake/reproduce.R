# Exempelby (rake)
# Reproduces the weights, estimates and standard errors of the weighting run with the R package survey.
# Use weight_exp for population totals, and with the complex-samples plan for standard errors.
# Don't know and prefer not to say are missing values: 99 (999, 9999 where 99 is a real answer) in SPSS, .a in Stata, NA in R, empty in CSV.
library(survey)

data <- read.csv("weighted.csv", fileEncoding = "UTF-8-BOM", na.strings = "",
                 stringsAsFactors = FALSE, check.names = FALSE)
population <- list(
  wvar_age = c("16-29" = 1100, "30-44" = 1300, "45-64" = 1500, "65-84" = 1100),
  wvar_gender = c("kvinna" = 2550, "man" = 2450),
  wvar_born = c("inrikes" = 3900, "utrikes" = 1100)
)
data$wvar_age <- factor(data$wvar_age, levels = c("16-29", "30-44", "45-64", "65-84"),
  labels = c("16-29", "30-44", "45-64", "65-84"))
data$wvar_gender <- factor(data$wvar_gender, levels = c("kvinna", "man"),
  labels = c("kvinna", "man"))
data$wvar_born <- factor(data$wvar_born, levels = c("inrikes", "utrikes"),
  labels = c("inrikes", "utrikes"))
margins <- lapply(names(population), function(v) {
  counts <- population[[v]]
  table <- data.frame(factor(names(counts), levels = names(counts)), Freq = unname(counts))
  names(table)[1] <- v
  table
})
N <- 5000
data$equal_weight <- N / nrow(data)
design <- svydesign(ids = ~1, weights = ~equal_weight, data = data)
weighted <- rake(design, lapply(names(population), function(v) reformulate(v)),
                 margins, control = list(maxit = 100, epsilon = 1e-10, verbose = FALSE))
stopifnot(isTRUE(all.equal(as.vector(weights(weighted)), data$weight_exp, tolerance = 1e-8)))

items <- c("trust_kommun", "trust_people")
estimates <- do.call(rbind, lapply(items, function(item) {
  mean <- svymean(reformulate(sprintf("`%s`", item)), weighted, na.rm = TRUE)
  data.frame(item = item, estimate = unname(coef(mean)), se = unname(SE(mean)))
}))
print(estimates, digits = 6)
write.csv(estimates, "weighted-estimates-R.csv", row.names = FALSE)
