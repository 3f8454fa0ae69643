# Reference case for weighting a drawn sample in three steps (surveys/weighting/sampled.py).
# Run from this directory:  Rscript make_reference.R
# Writes sample.csv (every sampled person, respondents with their answers), margins.csv
# and expected.json. Needs R with the packages survey and jsonlite (Debian: r-cran-survey).
suppressPackageStartupMessages({library(survey); library(jsonlite)})
options(survey.lonely.psu = "fail")
set.seed(20261207)

# -- a synthetic population register: 8 strata = district x born abroad --------------------
N <- 30000
districts <- c("Centrum", "Norr", "Söder", "Väster")
pop <- data.frame(
  district = sample(districts, N, replace = TRUE, prob = c(0.35, 0.25, 0.25, 0.15)),
  gender = sample(c("kvinna", "man"), N, replace = TRUE),
  stringsAsFactors = FALSE)
p_abroad <- c(Centrum = 0.18, Norr = 0.12, Söder = 0.35, Väster = 0.22)[pop$district]
pop$born <- ifelse(runif(N) < p_abroad, "utrikes", "sverige")
pop$age <- sample(c("16-29", "30-44", "45-64", "65+"), N, replace = TRUE,
                  prob = c(0.22, 0.25, 0.31, 0.22))
young_abroad <- pop$born == "utrikes" & pop$age %in% c("16-29", "30-44")
pop$age[young_abroad & runif(N) < 0.25] <- "16-29"
pop$stratum <- paste(pop$district, pop$born, sep = "/")
N_h <- table(pop$stratum)

# -- a stratified simple random sample, foreign-born strata oversampled -------------------
n_h <- c("Centrum/sverige" = 260, "Centrum/utrikes" = 170, "Norr/sverige" = 200,
         "Norr/utrikes" = 120, "Söder/sverige" = 180, "Söder/utrikes" = 230,
         "Väster/sverige" = 150, "Väster/utrikes" = 110)
rows <- unlist(lapply(names(n_h), function(h) sample(which(pop$stratum == h), n_h[[h]])))
s <- pop[sort(rows), ]
s$id <- seq_len(nrow(s))
s$N_h <- as.numeric(N_h[s$stratum])

# -- response: lower among the young, men and the foreign-born ----------------------------
eta <- 0.45 + c("16-29" = -1.0, "30-44" = -0.5, "45-64" = 0, "65+" = 0.4)[s$age] +
  ifelse(s$gender == "man", -0.35, 0) + ifelse(s$born == "utrikes", -0.7, 0) +
  c(Centrum = 0.1, Norr = 0.2, Söder = -0.2, Väster = 0)[s$district]
s$responded <- as.integer(runif(nrow(s)) < plogis(eta))

# -- answers of the respondents (a 0-10 trust item with some missing, a 0/1 item) ----------
r_idx <- s$responded == 1
lin <- 5.5 + ifelse(s$born == "utrikes", 0.6, 0) + c("16-29" = -0.8, "30-44" = -0.3,
  "45-64" = 0, "65+" = 0.5)[s$age] + ifelse(s$gender == "man", -0.2, 0)
trust <- pmin(10, pmax(0, round(lin + rnorm(nrow(s), 0, 2.2))))
trust[runif(nrow(s)) < 0.04] <- NA
s$trust <- ifelse(r_idx, trust, NA)
safe <- as.integer(runif(nrow(s)) < plogis(0.6 + ifelse(s$gender == "man", 0.5, 0) +
  ifelse(s$age == "65+", -0.6, 0)))
s$safe <- ifelse(r_idx, safe, NA)
write.csv(s[, c("id", "stratum", "district", "born", "age", "gender", "N_h", "responded",
                "trust", "safe")], "sample.csv", row.names = FALSE, na = "", fileEncoding = "UTF-8")

# population margins (age, gender, born) from the register
margins <- do.call(rbind, lapply(c("age", "gender", "born"), function(v) {
  t <- table(pop[[v]]); data.frame(variable = v, category = names(t), population_count = as.numeric(t))
}))
write.csv(margins, "margins.csv", row.names = FALSE, fileEncoding = "UTF-8")
pop_total <- function(v) { t <- table(pop[[v]]); data.frame(x = names(t), Freq = as.numeric(t)) }
pm <- lapply(c("age", "gender", "born"), function(v) setNames(pop_total(v), c(v, "Freq")))

# -- steps 1 and 2 by hand: design weight N_h/n_h; within each response-homogeneity group
#    multiply by (sum of design weights of the sampled) / (sum over the respondents) -----
s$d <- s$N_h / as.numeric(table(s$stratum)[s$stratum])
nr_weights <- function(group) {
  sampled <- tapply(s$d, group, sum)
  resp <- tapply(s$d[r_idx], group[r_idx], sum)
  s$d * as.numeric(sampled[group] / resp[group])
}

estimates <- function(des) {
  out <- list()
  add <- function(est, outcome, statistic, group_by = NULL, group = NULL, r_call) {
    out[[length(out) + 1]] <<- list(outcome = outcome, statistic = statistic,
      group_by = group_by, group = group, estimate = unname(coef(est))[1],
      se = unname(SE(est))[1], r_call = r_call)
  }
  add(svymean(~trust, des, na.rm = TRUE), "trust", "mean", r_call = "svymean(~trust, design, na.rm=TRUE)")
  add(svymean(~safe, des), "safe", "proportion", r_call = "svymean(~safe, design)")
  for (g in c("born", "age")) {
    for (y in c("trust", "safe")) {
      by <- svyby(as.formula(paste0("~", y)), as.formula(paste0("~", g)), des, svymean, na.rm = TRUE)
      for (k in seq_len(nrow(by))) {
        out[[length(out) + 1]] <- list(outcome = y,
          statistic = if (y == "safe") "proportion" else "mean", group_by = g,
          group = as.character(by[[g]][k]), estimate = unname(coef(by))[k],
          se = unname(SE(by))[k],
          r_call = sprintf("svyby(~%s, ~%s, design, svymean, na.rm=TRUE)", y, g))
      }
    }
  }
  out
}

step_weights <- function(x, ids) setNames(as.list(x), as.character(ids))

make_case <- function(name, rhg_label, group, weighting, r_call) {
  s$w_nr <<- nr_weights(group)
  resp <- s[r_idx, ]
  des <- svydesign(ids = ~1, strata = ~stratum, fpc = ~N_h, weights = ~w_nr, data = resp)
  cal <- weighting(des)
  list(name = name, rhg = rhg_label,
       design_call = "svydesign(ids=~1, strata=~stratum, fpc=~N_h, weights=~w_nr, data=respondents)",
       weighting_call = r_call,
       design_weights = step_weights(resp$d, resp$id),
       nonresponse_weights = step_weights(resp$w_nr, resp$id),
       final_weights = step_weights(weights(cal), resp$id),
       estimates_after_nonresponse = estimates(des),
       estimates = estimates(cal))
}

cases <- list(
  make_case("strata_rake", "stratum", s$stratum,
    function(d) rake(d, list(~age, ~gender, ~born), pm, control = list(maxit = 100, epsilon = 1e-10)),
    "rake(design, list(~age, ~gender, ~born), pop_margins, control=list(maxit=100, epsilon=1e-10))"),
  make_case("age_born_calibrate", "age x born (crosses the strata)", paste(s$age, s$born, sep = "/"),
    function(d) calibrate(d, ~age + gender + born,
      c(`(Intercept)` = N, `age30-44` = sum(pop$age == "30-44"),
        `age45-64` = sum(pop$age == "45-64"), `age65+` = sum(pop$age == "65+"),
        genderman = sum(pop$gender == "man"), bornutrikes = sum(pop$born == "utrikes")),
      calfun = "linear"),
    "calibrate(design, ~age+gender+born, population_totals, calfun='linear')")
)

expected <- list(
  meta = list(generator = "make_reference.R", r_version = R.version.string,
              survey_version = as.character(packageVersion("survey")),
              jsonlite_version = as.character(packageVersion("jsonlite")),
              seed = 20261207, population = N,
              sampled = as.list(n_h), respondents = sum(r_idx)),
  cases = cases)
writeLines(toJSON(expected, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"),
           "expected.json", useBytes = TRUE)
