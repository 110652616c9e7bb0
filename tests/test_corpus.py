"""The corpus of realistic records (tests/corpus): every file is read, and every therapy
name in it is understood, except the co-medication and the one typo the corpus plants."""

from __future__ import annotations

from pathlib import Path

import pytest

from nmo_timeline.analysis.summary import summarise
from nmo_timeline.load import load_events

CORPUS = Path(__file__).resolve().parent / "corpus"
FILES = sorted(CORPUS.glob("*.csv"))
# names that are not immunotherapy (symptomatic and supportive treatment, prophylaxis), and
# the misspelling the corpus plants on purpose
NOT_IN_THE_REGISTRY = {
    "Meningococcal vaccination (MenACWY + MenB)", "Phenoxymethylpenicillin", "Ondansetron",
    "Co-trimoxazole (trimethoprim-sulfamethoxazole) 960 mg three times weekly as Pneumocystis "
    "jirovecii prophylaxis", "Baclofen", "Tizanidine", "Intrathecal baclofen pump", "Gabapentin",
    "Pregabalin", "Carbamazepine", "Duloxetine", "Amitriptyline", "Lidocaine 5% plaster",
    "Oxybutynin", "Mirabegron", "OnabotulinumtoxinA (detrusor)", "Tamsulosin",
    "Intermittent self-catheterisation", "Pantoprazole", "Calcium + vitamin D3", "Alendronate",
    "Co-trimoxazole", "Aciclovir", "Enoxaparin", "Fampridine", "Modafinil", "Sertraline",
    "Metoclopramide", "Levetiracetam", "Rituxiamb"}


def test_the_corpus_is_all_there():
    assert len(FILES) >= 33


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_corpus_record_is_read_and_its_therapies_understood(path):
    table = load_events(path)
    names = set(table.events.loc[table.events["kind"] == "therapy", "name"])
    unknown = {n for n in names if table.registry.lookup(n) is None}
    assert unknown <= NOT_IN_THE_REGISTRY
    # the names the registry does not know are co-medication, marked role=other on every
    # row (drawn, never a period: nothing to warn), except the misspelling, which gets its
    # did-you-mean at each of its two rows
    events = table.events
    for name in unknown - {"Rituxiamb"}:
        assert set(events.loc[events["name"] == name, "role"]) == {"other"}, name
    meant = [w for w in table.warnings if "did you mean" in w.message]
    assert len(meant) == (2 if path.stem == "misspelled_rituxiamb" else 0)
    assert len(table.warnings) == len(meant)
    s = summarise(table)
    regimens = {p.regimen for pp in s.patients for p in pp.periods}
    assert not [r for r in regimens for n in unknown - {"Rituxiamb"} if n in r]
    for pp in s.patients:  # no ARR from a period of a few days, anywhere in the corpus
        assert all(p.arr is None or p.days >= 30 for p in pp.periods)
    assert all(c.arr_pooled is None or c.arr_pooled < 30 for c in s.cohort)
