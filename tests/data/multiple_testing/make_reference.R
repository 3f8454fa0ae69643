# Benjamini-Hochberg adjusted p-values from base R's p.adjust, for
# tests/indicators/test_multiple_testing.py. Run from this folder:
#   Rscript make_reference.R > expected.json
# The last p-value is missing (NA): R leaves it out of the count, as Delaktig leaves out None.
p <- c(0.0001, 0.2, 0.013, 0.049, 0.7, 0.031, 0.002, 0.049, 0.9, 0.04, 0.5, 0.012, NA)
adjusted <- p.adjust(p, method = "BH")
number <- function(x) ifelse(is.na(x), "null", format(x, digits = 17))
cat("{\n")
cat(sprintf('  "r_version": "%s",\n', paste(R.version$major, R.version$minor, sep = ".")))
cat('  "r_call": "p.adjust(p, method = \\"BH\\")",\n')
cat(sprintf('  "p": [%s],\n', paste(number(p), collapse = ", ")))
cat(sprintf('  "adjusted": [%s]\n', paste(number(adjusted), collapse = ", ")))
cat("}\n")
