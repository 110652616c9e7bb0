"""The therapy registry: the shipped file, how names are matched, and a clinic's own."""

import pickle
from pathlib import Path

import pytest

from nmo_timeline.domain.registry import (
    ACUTE,
    MAINTENANCE,
    Entry,
    Registry,
    default_registry,
    fold,
    known_therapies,
    lookup,
    name_key,
    role_of,
)
from nmo_timeline.domain.registry_file import (
    SHIPPED,
    RegistryFileError,
    locate,
    parse_registry_text,
    parse_therapies,
)
from nmo_timeline.errors import InputError


@pytest.mark.parametrize(
    ("name", "key", "role"),
    [
        ("IV methylprednisolone", "steroid-pulse", ACUTE),
        ("Methylprednisolone 1 g", "steroid-pulse", ACUTE),
        ("IVMP", "steroid-pulse", ACUTE),
        ("High-dose corticosteroids", "steroid-pulse", ACUTE),
        ("Plasma exchange", "plasma-exchange", ACUTE),
        ("PLEX", "plasma-exchange", ACUTE),
        ("IA", "immunoadsorption", ACUTE),
        ("IVIg", "ivig", ACUTE),
        # oral steroids are acute agents: a long course makes a row maintenance (schedule)
        ("prednisolone", "oral-steroids", ACUTE),
        ("MTX", "methotrexate", MAINTENANCE),
        ("Mitoxantrone", "mitoxantrone", MAINTENANCE),
        ("RTX", "rituximab", MAINTENANCE),
        ("Rituximab (biosimilar)", "rituximab", MAINTENANCE),
        ("Lemtrada", "alemtuzumab", MAINTENANCE),
        ("Tocilizumab", "tocilizumab", MAINTENANCE),
        ("Enspryng", "satralizumab", MAINTENANCE),
    ],
)
def test_known_names(name, key, role):
    info = lookup(name)
    assert info is not None and info.key == key
    assert role_of(name) == role


def test_methylprednisolone_is_not_oral_prednisolone():
    # whole-word matching: the substring 'prednisolone' must not win
    assert lookup("methylprednisolone").key == "steroid-pulse"


def test_unknown_names_are_maintenance():
    assert lookup("Study drug XY-123") is None
    assert role_of("Study drug XY-123") == MAINTENANCE


def test_name_key_folds_case_and_spacing():
    assert name_key("  Plasma   Exchange ") == name_key("plasma exchange")


def test_every_registered_therapy_has_a_colour_and_a_role():
    from nmo_timeline.domain.colours import KNOWN
    from nmo_timeline.domain.registry import known_therapies

    therapies = known_therapies()
    assert len(therapies) >= 20
    for info in therapies:
        assert info.key in KNOWN, info.key
        assert info.role in (ACUTE, MAINTENANCE)
        assert lookup(info.label) == info  # the display name finds its own entry


# ---------------------------------------------------------------- the vocabulary of issue 12


@pytest.mark.parametrize(("name", "key"), [
    ("Methylprednisolon i.v.", "steroid-pulse"),
    ("Methylprednisolone IV 1 g/day x5 days followed by oral prednisolone taper",
     "steroid-pulse"),
    ("mPSL", "steroid-pulse"), ("IVMP", "steroid-pulse"),
    ("ステロイドパルス (mPSL)", "steroid-pulse"), ("méthylprednisolone", "steroid-pulse"),
    ("Méthylprednisolone (Solumédrol®)", "steroid-pulse"),
    ("metilprednisolona", "steroid-pulse"), ("metilprednisolone e.v.", "steroid-pulse"),
    ("Urbason", "steroid-pulse"), ("Solu-Medrol", "steroid-pulse"),
    ("Azathioprin", "azathioprine"), ("Azathioprin (Imurek)", "azathioprine"),
    ("Imurek", "azathioprine"), ("azatioprina", "azathioprine"),
    ("azathioprine (Imurel)", "azathioprine"),
    ("Mycophenolat", "mycophenolate"), ("CellCept", "mycophenolate"),
    ("micofenolato", "mycophenolate"), ("micofenolato mofetile", "mycophenolate"),
    ("mycophénolate mofétil (CellCept)", "mycophenolate"),
    ("Prednisolon", "oral-steroids"), ("PSL", "oral-steroids"), ("Cortison", "oral-steroids"),
    ("prednisone (Cortancyl)", "oral-steroids"), ("prednisona", "oral-steroids"),
    ("Oral methylprednisolone (Medrol)", "oral-methylprednisolone"),
    ("Methylprednisolon oral", "oral-methylprednisolone"),
    ("Plasmapherese", "plasma-exchange"), ("échanges plasmatiques", "plasma-exchange"),
    ("recambio plasmático", "plasma-exchange"), ("plasmaferesi", "plasma-exchange"),
    ("血漿交換 (PE)", "plasma-exchange"),
    ("Immunadsorption", "immunoadsorption"), ("IVIg", "ivig"),
    ("Truxima", "rituximab"), ("Rixathon", "rituximab"), ("Ruxience", "rituximab"),
    ("MabThera", "rituximab"), ("リツキシマブ (rituximab)", "rituximab"),
    ("Rituximab biosimilar (Truxima) 375 mg/m2 weekly x4 then CD19-guided re-dosing",
     "rituximab"),
    ("Enspryng", "satralizumab"), ("Uplizna", "inebilizumab"), ("Soliris", "eculizumab"),
    ("Ultomiris", "ravulizumab"), ("Actemra", "tocilizumab"), ("RoActemra", "tocilizumab"),
    ("Τοσιλιζουμάμπη (tocilizumab)", "tocilizumab"),
    ("Kesimpta", "ofatumumab"), ("Ofatumumab (Kesimpta)", "ofatumumab"),
    ("ublituximab", "ublituximab"), ("Tacrolimus (Prograf)", "tacrolimus"), ("TAC", "tacrolimus"),
    ("Ciclosporin (Sandimmun)", "ciclosporin"), ("bortezomib", "bortezomib"),
    ("Autologous HSCT", "ahsct"), ("ACTH", "acth"), ("Interferon β-1a", "interferon-beta"),
])
def test_clinical_vocabulary_resolves(name, key):
    info = lookup(name)
    assert info is not None and info.key == key, name


@pytest.mark.parametrize(("name", "role", "colour"), [
    ("Methylprednisolon i.v.", ACUTE, "#6E6E6E"),  # once a purple maintenance bar
    ("Azathioprin", MAINTENANCE, "#E69F00"),  # once complement green
    ("PSL", ACUTE, "#CC9E4E"),  # oral steroids: acute agents, maintenance as a long course
    ("Oral methylprednisolone", ACUTE, "#EEDD88"),
    ("ACTH", ACUTE, "#8C8C8C"),
])
def test_role_and_colour_of_the_names_that_were_misread(name, role, colour):
    info = lookup(name)
    assert (info.role, default_registry().colour_of(info)) == (role, colour)


def test_the_therapy_named_first_wins_longest_alias_at_that_word():
    # a steroid pulse followed by an oral taper is a pulse; the oral course itself is not
    assert lookup("Methylprednisolone IV 1 g/day x5 days followed by oral prednisolone "
                  "taper over 6 weeks").key == "steroid-pulse"
    assert lookup("oral prednisolone taper after IVMP").key == "oral-steroids"
    assert lookup("oral methylprednisolone").key == "oral-methylprednisolone"
    assert lookup("methylprednisolone").key == "steroid-pulse"
    assert lookup("AZA + prednisolone").key == "azathioprine"


def test_names_fold_case_accents_width_and_punctuation():
    assert fold("ＲＴＸ") == "rtx" and fold("Stoßtherapie") == "stosstherapie"
    assert lookup("KORTISONSTOSSTHERAPIE").key == lookup("Kortisonstoßtherapie").key
    assert lookup("Study_drug") is None  # underscores split no words into aliases


def test_every_alias_and_label_of_the_shipped_file_finds_its_own_entry():
    import tomllib

    doc = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    for key, spec in doc["therapies"].items():
        aliases = spec["aliases"]
        names = [spec["label"], *[a for group in aliases.values() for a in group]]
        for name in names:
            assert lookup(name).key == key, (key, name)


def test_the_shipped_file_is_valid_and_names_each_alias_once():
    import tomllib

    text = SHIPPED.read_text(encoding="utf-8")
    entries, problems = parse_therapies(tomllib.loads(text)["therapies"], locate(text))
    assert problems == []
    assert len(entries) == len(known_therapies()) >= 30


EXISTING_COLOURS = {  # before the registry became a file: figures must not change colour
    # (but interferon beta: its wine #882255 could not be told from satralizumab's plum)
    "rituximab": "#0072B2", "ocrelizumab": "#5FA2D6", "inebilizumab": "#1F3F8F",
    "tocilizumab": "#CC79A7", "satralizumab": "#8E3B6E", "eculizumab": "#009E73",
    "ravulizumab": "#00634A", "azathioprine": "#E69F00", "mycophenolate": "#A86E00",
    "methotrexate": "#F2C46B", "oral-steroids": "#CC9E4E", "mitoxantrone": "#56B4E9",
    "cyclophosphamide": "#9ED3F2", "alemtuzumab": "#999933", "interferon-beta": "#CCBB44",
    "natalizumab": "#AA4499", "fingolimod": "#661100", "glatiramer": "#DDCC77",
    "steroid-pulse": "#6E6E6E", "plasma-exchange": "#A0A0A0", "immunoadsorption": "#4A4A4A",
    "ivig": "#C4C4C4"}
# colour-blind-safe palettes: Okabe-Ito; Paul Tol's bright, vibrant, high-contrast, light
PALETTES = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#CC79A7",
            "#4477AA", "#66CCEE", "#228833", "#CCBB44", "#AA3377", "#0077BB", "#33BBEE",
            "#009988", "#EE7733", "#004488", "#DDAA33", "#BB5566", "#77AADD", "#99DDFF",
            "#44BB99", "#BBCC33", "#AAAA00", "#EEDD88", "#EE8866", "#FFAABB"}


def test_every_therapy_keeps_its_colour_from_a_colour_blind_safe_family():
    from nmo_timeline.domain.colours import KNOWN

    assert {k: KNOWN[k] for k in EXISTING_COLOURS} == EXISTING_COLOURS
    for info in known_therapies():
        colour = KNOWN[info.key]
        if info.role == ACUTE and info.therapy_class != "oral corticosteroid":
            r, g, b = (colour[i:i + 2] for i in (1, 3, 5))
            assert r == g == b, info.key  # acute treatments are greys
        else:
            assert colour in PALETTES | set(EXISTING_COLOURS.values()), info.key
    new = [KNOWN[i.key] for i in known_therapies() if i.key not in EXISTING_COLOURS]
    assert len(set(new)) == len(new)


def test_the_registry_survives_pickling_for_batch_workers():
    r = default_registry()
    again = pickle.loads(pickle.dumps(r))
    assert again == r and again.lookup("Rixathon").key == "rituximab"


# ---------------------------------------------------------------- extending it


def test_an_entry_changes_a_known_therapy_and_an_alias_moves_to_its_new_owner():
    base = default_registry()
    r = base.extended([Entry("rituximab", colour="#123456", aliases=("Rituxi-bio",)),
                       Entry("study-drug", label="Study drug", role="acute", aliases=("PE",))])
    assert r.lookup("Rituxi-bio").key == "rituximab"
    assert r.colour_of(r.lookup("RTX")) == "#123456"
    assert r.lookup("RTX").label == "Rituximab"  # fields not given are kept
    assert r.lookup("PE").key == "study-drug" and r.lookup("PE").role == ACUTE
    assert r.lookup("PLEX").key == "plasma-exchange"  # its other names stay
    assert r.lookup("Study drug").therapy_class == "other"
    assert base.lookup("PE").key == "plasma-exchange"  # the shipped one is unchanged


def test_an_acute_agent_given_as_maintenance_takes_its_maintenance_colour(tmp_path):
    from nmo_timeline.domain.colours import Palette
    from nmo_timeline.load import read_registry

    r = default_registry()
    ivig = r.lookup("Privigen")
    # not the greys of attack treatments (nor the untreated grey) when it is maintenance
    assert (r.colour_of(ivig), r.colour_of(ivig, "maintenance")) == ("#C4C4C4", "#F0E442")
    assert Palette(r).colour("IVIG", "maintenance") == "#F0E442"
    assert r.colour_of(r.lookup("Rituximab"), "maintenance") == r.colour_of(r.lookup("RTX"))
    path = tmp_path / "clinic.toml"
    path.write_text('[therapies.ivig]\nmaintenance_colour = "#123"\n')
    clinic = read_registry(path)
    assert clinic.colour_of(clinic.lookup("IVIG"), "maintenance") == "#112233"
    path.write_text('[therapies.ivig]\nmaintenance_colour = "yellow"\n')
    with pytest.raises(InputError) as info:
        read_registry(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:2: therapies.ivig.maintenance_colour: 'yellow' is not a colour; use #RRGGBB"]


def test_a_registry_file_is_checked_with_its_lines(tmp_path):
    text = ('[therapies.rituximab]\n'          # 1
            'role = "sometimes"\n'              # 2
            '\n'                                # 3
            '[therapies.study-drug]\n'          # 4
            'label = "Study drug"\n'            # 5
            'colour = "blue"\n'                 # 6
            'aliases.en = ["RTX"]\n'            # 7
            'dose = 3\n'                        # 8
            '\n'                                # 9
            '[therapies.Bad_Key]\n'             # 10
            'label = "x"\n'                     # 11
            '\n'                                # 12
            '[therapies.other]\n'               # 13
            'label = "Other drug"\n')           # 14
    path = tmp_path / "clinic.toml"
    path.write_text(text)
    from nmo_timeline.load import read_registry

    with pytest.raises(InputError) as info:
        read_registry(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:2: therapies.rituximab.role: 'sometimes' is not a role; use acute, "
        "maintenance or other",
        f"{path}:4: therapies.study-drug: a new therapy needs role (a therapy of the registry "
        "is changed by its key)",
        f"{path}:6: therapies.study-drug.colour: 'blue' is not a colour; use #RRGGBB",
        f"{path}:8: therapies.study-drug.dose: unknown key; use label, class, role, "
        "long_acting, colour, maintenance_colour, aliases",
        f"{path}:10: therapies.Bad_Key: a therapy key is lower-case letters, digits and "
        "hyphens, e.g. 'rituximab' or 'oral-steroids'",
        f"{path}:13: therapies.other: a new therapy needs role (a therapy of the registry is "
        "changed by its key)"]


def test_one_alias_for_two_therapies_of_one_file_is_refused():
    text = ('[therapies.a-drug]\nlabel = "A"\nrole = "acute"\naliases = ["XY"]\n'
            '[therapies.b-drug]\nlabel = "B"\nrole = "acute"\naliases = ["xy"]\n')
    with pytest.raises(RegistryFileError) as info:
        parse_registry_text(text, default_registry())
    assert [(p.line, str(p)) for p in info.value.problems] == [
        (8, "therapies.b-drug.aliases: 'xy' already names therapies.a-drug (line 1); an "
            "alias names one therapy")]


def test_broken_toml_names_its_line():
    with pytest.raises(RegistryFileError) as info:
        parse_registry_text('[therapies.x]\nlabel = "A\n', default_registry())
    (p,) = info.value.problems
    assert p.line == 2 and str(p).startswith("not valid TOML (")


def test_a_missing_registry_file_is_one_line(tmp_path):
    from nmo_timeline.load import read_registry

    with pytest.raises(InputError) as info:
        read_registry(tmp_path / "nope.toml")
    assert str(info.value) == f"{tmp_path / 'nope.toml'}: no such registry file"


def test_registry_repr_is_short():
    assert repr(Registry({}, {})) == "Registry(0 therapies, 0 aliases)"


# ---------------------------------------------------------------- did you mean


def test_a_name_close_to_a_known_one_is_a_warning_not_a_guess():
    from nmo_timeline.load import load_events

    path = Path(__file__).resolve().parent / "corpus" / "misspelled_rituxiamb.csv"
    t = load_events(path, display_name="m.csv")
    assert [str(w) for w in t.warnings] == [
        f"m.csv:{line}:name: 'Rituxiamb' is not a therapy name the registry knows; did you "
        "mean 'Rituximab'? It is counted as a therapy of its own, not as Rituximab: correct "
        "the spelling, or name it in a --registry file" for line in (7, 9)]
    ev = t.events[t.events["kind"] == "therapy"]
    keys = {n: t.registry.therapy_key(n)[0] for n in ev["name"]}
    assert keys["Rituxiamb"] == "rituxiamb" != keys["RTX"] == keys["Rituximab (MabThera)"]
    from nmo_timeline.analysis.summary import summarise

    regimens = {p.regimen for p in summarise(t).patients[0].periods}
    assert "Rituxiamb" in regimens and "Rituximab" in regimens


@pytest.mark.parametrize("name", ["Baclofen", "Ondansetron", "Modafinil", "Aciclovir",
                                  "Vedolizumab", "Belimumab", "Fampridine", "Metoclopramide",
                                  "Rituximab", "Study drug 7"])
def test_no_did_you_mean_for_other_drugs_or_known_ones(name):
    assert default_registry().suggest(name) is None


# ---------------------------------------------------------------- a clinic's registry file

def test_a_registry_file_extends_the_shipped_one_and_says_so(tmp_path):
    from nmo_timeline.load import read_registry

    path = tmp_path / "clinic.toml"
    path.write_text('[therapies.rituximab]\naliases.de = ["Rituxan-Klinik"]\n'
                    '[therapies.study-drug]\nlabel = "Study drug"\nrole = "maintenance"\n'
                    'colour = "#123456"\n')
    registry = read_registry(path)
    assert registry.sources == (str(path),)
    assert registry.therapy_key("Rituxan-Klinik") == registry.therapy_key("Rituximab")
    assert registry.therapy_key("RTX") == registry.therapy_key("Rituximab")  # shipped aliases
    study = registry.lookup("study drug")
    assert study is not None and registry.colour_of(study) == "#123456"
    assert registry.colour_of(registry.lookup("Azathioprine")) == \
        default_registry().colour_of(default_registry().lookup("Azathioprine"))
    twice = read_registry(path, base=registry)
    assert twice.sources == (str(path), str(path))


def test_registry_file_problems_are_one_line_each(tmp_path):
    from nmo_timeline.load import read_registry

    (tmp_path / "latin.toml").write_bytes('[therapies.x]\nlabel = "Müller"\n'.encode("latin-1"))
    found = []
    for target in (tmp_path / "none.toml", tmp_path, tmp_path / "latin.toml"):
        with pytest.raises(InputError) as info:
            read_registry(target)
        found += [str(p) for p in info.value.problems]
    assert found == [f"{tmp_path / 'none.toml'}: no such registry file",
                     f"{tmp_path}: is not a registry file (a folder?)",
                     f"{tmp_path / 'latin.toml'}: is not UTF-8 text; save the registry file "
                     "as UTF-8"]
