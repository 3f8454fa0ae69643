"""Write the synthetic SCB-like files in this folder from the demo's simulated population.

    .venv/bin/python -m tests.data.scb.generate

The numbers are not SCB's: they are Exempelby's 25,000 simulated residents aged 16-84
(`surveys.demo.simulate_population` with the demo's seed), laid out the way SCB's
PxWebApi serves "Folkmängd efter region, ålder, kön och födelseregion" as JSON-stat 2.0:
dimensions Region, Alder, Kon, Fodelseregion, ContentsCode and Tid, values in row-major
order. Ages 0-15 and 85-100+ get made-up counts (the demo simulates only 16-84), so
an import with age groups 16-29 ... 65-84 has ages to leave out. The residents of gender "other" are counted under Kon 1 and 2 alternately, as the
register has two sexes. The same population as a long CSV is written to
../margins/exempelby.csv (age groups, gender, born in Sweden or abroad, district).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from surveys.demo import DISTRICTS, SEED, simulate_population

HERE = Path(__file__).resolve().parent
REGIONS = {"9999R001": "centrum", "9999R002": "norr", "9999R003": "soder",
           "9999R004": "oster", "9999R005": "vaster"}
REGION_LABELS = {"9999R001": "Exempelby Centrum", "9999R002": "Exempelby Norr",
                 "9999R003": "Exempelby Söder", "9999R004": "Exempelby Öster",
                 "9999R005": "Exempelby Väster"}
BORN = {"010": "Sverige", "020": "Norden utom Sverige", "030": "EU utom Norden",
        "060": "Asien"}
#: SCB serves every single-year age; the survey population is 16-84.
AGES = [str(a) for a in range(100)] + ["100+"]


def population():
    people = simulate_population(np.random.default_rng(SEED))
    other = np.flatnonzero(people["gender"].to_numpy() == "other")
    sex = np.where(people["gender"].to_numpy() == "man", "1", "2").astype(object)
    sex[other[::2]] = "1"
    born = people["born"].map({"sweden": "010", "nordic": "020", "europe": "030",
                               "outside_europe": "060"}).to_numpy()
    region = people["district"].map({d: c for c, d in REGIONS.items()}).to_numpy()
    return people["age"].to_numpy().astype(str), sex, born, region


def main() -> None:
    age, sex, born, region = population()
    shape = (len(REGIONS), len(AGES), 2, len(BORN), 1, 1)
    cube = np.zeros(shape, dtype=int)
    r_ix = {c: i for i, c in enumerate(REGIONS)}
    a_ix = {a: i for i, a in enumerate(AGES)}
    b_ix = {b: i for i, b in enumerate(BORN)}
    for a, s, b, r in zip(age, sex, born, region, strict=True):
        cube[r_ix[r], a_ix[a], int(s) - 1, b_ix[b], 0, 0] += 1
    rng = np.random.default_rng(1480)
    outside = [a_ix[a] for a in AGES if a.endswith("+") or not 16 <= int(a) <= 84]
    expected = np.array([0.62, 0.06, 0.04, 0.12])  # per födelseregion, per region and sex
    for k in outside:
        fade = 1.0 if k < 16 else max(0.02, 1 - (k - 84) / 16)
        cube[:, k, :, :, 0, 0] = rng.poisson(60 * fade * expected, size=(len(REGIONS), 2, len(BORN)))
    dataset = {
        "version": "2.0",
        "class": "dataset",
        "label": "Folkmängden efter region, ålder, kön, födelseregion och år (syntetiska data)",
        "source": "Syntetiskt exempel i SCB:s format (inte SCB:s siffror)",
        "updated": "2026-02-20T07:00:00Z",
        "id": ["Region", "Alder", "Kon", "Fodelseregion", "ContentsCode", "Tid"],
        "size": list(shape),
        "dimension": {
            "Region": {"label": "region", "category": {
                "index": {c: i for i, c in enumerate(REGIONS)}, "label": REGION_LABELS}},
            "Alder": {"label": "ålder", "category": {
                "index": {a: i for i, a in enumerate(AGES)},
                "label": {a: f"{a} år" for a in AGES}}},
            "Kon": {"label": "kön", "category": {
                "index": {"1": 0, "2": 1}, "label": {"1": "män", "2": "kvinnor"}}},
            "Fodelseregion": {"label": "födelseregion", "category": {
                "index": {c: i for i, c in enumerate(BORN)}, "label": BORN}},
            "ContentsCode": {"label": "tabellinnehåll", "category": {
                "index": {"000005FF": 0}, "label": {"000005FF": "Folkmängd"},
                "unit": {"000005FF": {"base": "antal", "decimals": 0}}}},
            "Tid": {"label": "år", "category": {"index": {"2025": 0},
                                                "label": {"2025": "2025"}}},
        },
        "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
        "value": cube.reshape(-1).tolist(),
    }
    (HERE / "folkmangd_exempelby_2025.json").write_text(
        json.dumps(dataset, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")

    groups = [(16, 29), (30, 44), (45, 64), (65, 84)]
    ages = age.astype(int)
    lines = ["variable,category,population_count"]
    for first, last in groups:
        lines.append(f"age,{first}-{last},{int(((ages >= first) & (ages <= last)).sum())}")
    lines += [f"gender,kvinna,{int((sex == '2').sum())}", f"gender,man,{int((sex == '1').sum())}"]
    lines += [f"born,inrikes,{int((born == '010').sum())}",
              f"born,utrikes,{int((born != '010').sum())}"]
    lines += [f"district,{d},{int((region == c).sum())}" for c, d in REGIONS.items()]
    assert [d for d in REGIONS.values()] == DISTRICTS
    (HERE.parent / "margins" / "exempelby.csv").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
