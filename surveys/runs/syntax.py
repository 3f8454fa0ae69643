"""The files that go with weighted microdata: SPSS syntax and an R script. Flask-free.

**SPSS** (`spss_syntax`): opens the ``.sav``, declares "don't know" missing again, writes
a complex-samples plan (``CSPLAN ANALYSIS``) with the expansion weight ``weight_exp``, runs
``CSDESCRIPTIVES`` on the items the run estimated, and leaves the file weighted by the
normalised weight (``WEIGHT BY weight_norm``), so ordinary procedures count respondents,
not the population. An open survey's respondents count as a simple random sample, so its
plan names no strata; a drawn sample's plan names its strata (``stratum``), estimated
with replacement (no finite population correction). SPSS Complex Samples cannot take the
calibration to the margins into account, so its standard errors differ from the app's
(usually a little larger); the R script reproduces them.

**R** (`r_script`): reads the CSV with base R, builds R ``survey``'s design exactly as the
engine does (``svydesign(ids = ~1)`` with equal weights N/n, see `surveys.weighting`; for
a drawn sample with its strata, their population sizes N_h as the finite population
correction and the non-response-adjusted weights, see `surveys.weighting.sampled`),
weights it again as the run did from the weighting variables as used (``wvar_*``) and the
margins written into the script (``rake``, ``postStratify`` or ``calibrate``, then
``trimWeights``), stops unless its weights equal ``weight_exp``, and writes the weighted
mean and standard error of every item the run estimated to ``<data>-estimates-R.csv``.
The script is a pure function of its inputs, so the same run gives the same script.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from surveys.core.data import safe_cell
from surveys.runs.microdata import SPSS_NOTES, Codebook, weighting_column

#: R's ``calibrate`` distance for the engine's calibration methods.
CALFUNS = {"linear": "linear", "raking": "raking", "logit": "logit"}


@dataclass
class WeightingPlan:
    """How a run weighted: what R needs to weight the exported data again."""

    #: "rake", "poststratify" or one of `CALFUNS`.
    method: str
    #: The margins the run met (variable, category, population_count), mapped names.
    margins: pd.DataFrame
    epsilon: float = 1e-10
    max_iter: int = 100
    bounds: tuple[float, float] | None = None
    trim_lower: float | None = None
    trim_upper: float | None = None
    trim_strict: bool = False
    #: Export columns of the items whose weighted means the run estimated.
    items: list[str] = field(default_factory=list)
    #: The run's number, named in the files' headers.
    run: int | None = None
    #: For a drawn sample: stratum -> its population N_h (the export's ``stratum`` column).
    strata: dict[str, float] | None = None

    @property
    def variables(self) -> list[str]:
        """The weighting variables in margin order."""
        return list(dict.fromkeys(self.margins["variable"]))

    @property
    def population(self) -> float:
        """N: the total of the first variable's margin (the engine checked they agree)."""
        first = self.margins["variable"] == self.variables[0]
        return float(self.margins.loc[first, "population_count"].sum())


def _comment(text: str, mark: str) -> str:
    return f"{mark} {' '.join(text.split())}"


def _header(codebook: Codebook, plan: WeightingPlan) -> str:
    run = f" #{plan.run}" if plan.run is not None else ""
    return f"{codebook.title} ({plan.method}{run})"


# -- SPSS -------------------------------------------------------------------------------------
def _spss_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _spss_number(value) -> str:
    return repr(float(value)).removesuffix(".0")


def spss_syntax(codebook: Codebook, plan: WeightingPlan, data_file: str) -> str:
    """SPSS syntax for the ``.sav`` named `data_file` (written with `codebook`)."""
    names = codebook.spss_names()
    plan_file = data_file.rsplit(".", 1)[0] + ".csaplan"
    lines = ["* Encoding: UTF-8."]
    notes = [_header(codebook, plan)] + [codebook.notes[k] for k in SPSS_NOTES
                                         if k in codebook.notes]
    lines += [_comment(note, "*").rstrip(".") + "." for note in notes]
    lines += ["", f"GET FILE={_spss_text(data_file)}."]
    declared = [f"{names[v.name]} ({' '.join(_spss_number(v.spss_value(m)) for m in v.missing)})"
                for v in codebook.variables if v.missing and v.kind != "text"]
    if declared:
        lines.append("MISSING VALUES " + "\n  /".join(declared) + ".")
    lines += [
        "",
        "CSPLAN ANALYSIS",
        f"  /PLAN FILE={_spss_text(plan_file)}",
        f"  /PLANVARS ANALYSISWEIGHT={names['weight_exp']}",
        "  /PRINT PLAN",
        "  /DESIGN" + (f" STRATA={names['stratum']}" if plan.strata else ""),
        "  /ESTIMATOR TYPE=WR.",
    ]
    items = [names[item] for item in plan.items if item in names]
    if items:
        lines += [
            "WEIGHT OFF.",
            "CSDESCRIPTIVES",
            f"  /PLAN FILE={_spss_text(plan_file)}",
            f"  /SUMMARY VARIABLES={' '.join(items)}",
            "  /MEAN",
            "  /STATISTICS SE CIN(95)",
            "  /MISSING SCOPE=ANALYSIS CLASSMISSING=EXCLUDE.",
        ]
    lines += ["", f"WEIGHT BY {names['weight_norm']}.", ""]
    return "\n".join(lines)


# -- R ----------------------------------------------------------------------------------------
def _r_text(text: str) -> str:
    """An R string literal; other than ASCII as \\u escapes, so any locale reads it."""
    out = []
    for char in text:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif 32 <= ord(char) < 127:
            out.append(char)
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def _r_number(value) -> str:
    value = float(value)
    if value == float("inf"):
        return "Inf"
    if value == float("-inf"):
        return "-Inf"
    return repr(value).removesuffix(".0")


def _r_vector(values, render) -> str:
    return "c(" + ", ".join(render(v) for v in values) + ")"


def _weighting(plan: WeightingPlan) -> list[str]:
    """R lines that weight `design` as the run did, into `weighted`."""
    control = f"maxit = {plan.max_iter}, epsilon = {_r_number(plan.epsilon)}"
    if plan.method == "rake":
        return [("weighted <- rake(design, lapply(names(population), function(v) "
                "reformulate(v)),"),
                "                 margins, control = list(" + control + ", verbose = FALSE))"]
    if plan.method == "poststratify":
        return ["weighted <- postStratify(design, reformulate(names(population)), margins[[1]])"]
    bounds = ""
    if plan.bounds is not None:
        bounds = f", bounds = c({_r_number(plan.bounds[0])}, {_r_number(plan.bounds[1])})"
    return [
        "formula <- reformulate(names(population))",
        "totals <- c(N, unlist(lapply(population, function(counts) counts[-1])))",
        "names(totals) <- colnames(model.matrix(formula, data))",
        (f"weighted <- calibrate(design, formula, totals, calfun = {_r_text(CALFUNS[plan.method])}"
        f"{bounds},"),
        f"                      {control})",
    ]


def _design(plan: WeightingPlan) -> list[str]:
    """R lines that make `design` as the engine's run starts from."""
    if not plan.strata:
        return [f"N <- {_r_number(plan.population)}",
                "data$equal_weight <- N / nrow(data)",
                "design <- svydesign(ids = ~1, weights = ~equal_weight, data = data)"]
    sizes = ", ".join(f"{_r_text(str(safe_cell(h)))} = {_r_number(n)}"
                      for h, n in plan.strata.items())
    return [f"stratum_population <- c({sizes})",
            "data$stratum_population <- unname(stratum_population[data$stratum])",
            "design <- svydesign(ids = ~1, strata = ~stratum, fpc = ~stratum_population,",
            "                    weights = ~nonresponse_weight, data = data)"]


def r_script(codebook: Codebook, plan: WeightingPlan, data_file: str, dialect: str) -> str:
    """An R script that reads the CSV `data_file` (written with `codebook` in `dialect`),
    weights it again and writes the run's estimates with their standard errors."""
    reader = "read.csv2" if dialect == "semicolon" else "read.csv"
    results = data_file.rsplit(".", 1)[0] + "-estimates-R.csv"
    lines = [_comment(_header(codebook, plan), "#")]
    lines += [_comment(codebook.notes[key], "#") for key in ("note_r", "note_exp", "note_missing")
              if key in codebook.notes]
    strata = "colClasses = c(stratum = \"character\"), " if plan.strata else ""
    lines += [
        "library(survey)",
        "",
        (f"data <- {reader}({_r_text(data_file)}, fileEncoding = \"UTF-8-BOM\", "
        "na.strings = \"\","),
        f"                 {strata}stringsAsFactors = FALSE, check.names = FALSE)",
        "population <- list(",
    ]
    margins = plan.margins
    entries = []
    for variable in plan.variables:
        rows = margins[margins["variable"] == variable]
        counts = ", ".join(f"{_r_text(str(c))} = {_r_number(n)}"
                           for c, n in zip(rows["category"], rows["population_count"],
                                           strict=True))
        entries.append(f"  {weighting_column(variable)} = c({counts})")
    lines += [",\n".join(entries), ")"]
    for variable in plan.variables:
        column = weighting_column(variable)
        categories = [str(c) for c in margins.loc[margins["variable"] == variable, "category"]]
        # the CSV defuses text a spreadsheet would run; the levels are read as written
        lines.append(f"data${column} <- factor(data${column}, "
                     f"levels = {_r_vector(categories, lambda c: _r_text(str(safe_cell(c))))},")
        lines.append(f"  labels = {_r_vector(categories, _r_text)})")
    lines += [
        "margins <- lapply(names(population), function(v) {",
        "  counts <- population[[v]]",
        "  table <- data.frame(factor(names(counts), levels = names(counts)), Freq = unname(counts))",
        "  names(table)[1] <- v",
        "  table",
        "})",
        *_design(plan),
        *_weighting(plan),
    ]
    if plan.trim_lower is not None or plan.trim_upper is not None:
        bounds = [f"lower = {_r_number(plan.trim_lower)}" if plan.trim_lower is not None else "",
                  f"upper = {_r_number(plan.trim_upper)}" if plan.trim_upper is not None else ""]
        lines.append(f"weighted <- trimWeights(weighted, {', '.join(b for b in bounds if b)}, "
                     f"strict = {'TRUE' if plan.trim_strict else 'FALSE'})")
    lines += [
        ("stopifnot(isTRUE(all.equal(as.vector(weights(weighted)), data$weight_exp, "
        "tolerance = 1e-8)))"),
        "",
    ]
    if plan.items:  # a survey without scale questions has no estimates to reproduce
        lines += [
            f"items <- {_r_vector(plan.items, _r_text)}",
            "estimates <- do.call(rbind, lapply(items, function(item) {",
            "  mean <- svymean(reformulate(sprintf(\"`%s`\", item)), weighted, na.rm = TRUE)",
            "  data.frame(item = item, estimate = unname(coef(mean)), se = unname(SE(mean)))",
            "}))",
            "print(estimates, digits = 6)",
            f"write.csv(estimates, {_r_text(results)}, row.names = FALSE)",
            "",
        ]
    return "\n".join(lines)
