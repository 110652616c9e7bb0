import pytest

from nmo_timeline.domain.registry import ACUTE, MAINTENANCE, lookup, name_key, role_of


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
        ("prednisolone", "oral-steroids", MAINTENANCE),
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
