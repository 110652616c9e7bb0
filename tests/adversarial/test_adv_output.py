"""Nothing partial, ever (issue 13): the input is never an output, every file of a run
is written or none is, and the atomic writer keeps what it replaces as it was."""

from __future__ import annotations

import os
import stat
import xml.dom.minidom
import zipfile
from pathlib import Path

import pytest
from swimmer_series import SERIES
from typer.testing import CliRunner

from nmo_timeline import bundled_events_path
from nmo_timeline.cli import app
from nmo_timeline.output import atomic
from nmo_timeline.output.atomic import Transaction, atomic_output

pptx = pytest.importorskip("pptx")
BUNDLED = bundled_events_path().read_text()


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture(autouse=True)
def _forget_inputs():
    atomic._INPUTS.clear()
    yield
    atomic._INPUTS.clear()


# ---- the input is never overwritten


def test_plot_refuses_to_write_over_its_input(tmp_path):
    """`plot x.png -o x.png` replaced the input with its figure."""
    data = tmp_path / "x.png"
    data.write_text(BUNDLED)
    result = run("plot", str(data), "-o", str(data))
    assert result.exit_code == 1
    assert result.stderr == (f"error: {data}: this is the input file {data}; writing there "
                             "would replace your data with the output; choose another name\n")
    assert data.read_text() == BUNDLED and listing(tmp_path) == ["x.png"]


@pytest.mark.parametrize("how", ["symlink", "hardlink", "relative"])
def test_output_resolving_to_the_input_is_refused(tmp_path, monkeypatch, how):
    data = tmp_path / "case.svg"
    data.write_text(BUNDLED)
    out = tmp_path / "out.svg"
    if how == "symlink":
        out.symlink_to(data)
    elif how == "hardlink":
        os.link(data, out)
    else:
        monkeypatch.chdir(tmp_path)
        out = Path("sub/../case.svg")
        (tmp_path / "sub").mkdir()
    result = run("plot", str(data), "-o", str(out))
    assert result.exit_code == 1 and "this is the input file" in result.stderr
    assert data.read_text() == BUNDLED


def test_deck_frames_and_swimmer_never_replace_the_input(tmp_path):
    data = tmp_path / "case-02.png"
    data.write_text(BUNDLED)
    for args in (["plot", str(data), "-o", str(tmp_path / "f.png"), "--pptx", str(data)],
                 ["plot", str(data), "--build", "-o", str(tmp_path / "case.png")],
                 ["swimmer", str(data), "-o", str(data)]):
        result = run(*args)
        assert result.exit_code == 1, args
        assert "this is the input file" in result.stderr, args
        assert listing(tmp_path) == ["case-02.png"], args
    assert data.read_text() == BUNDLED


def test_batch_never_replaces_the_input(tmp_path):
    series = tmp_path / "P2.png"
    series.write_text(SERIES)
    result = run("plot", str(series), "--all-patients", "--outdir", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == (f"error: {series}: this is the input file {series}; writing "
                             "there would replace your data with the output; choose another "
                             "name\n")
    assert listing(tmp_path) == ["P2.png"] and series.read_text() == SERIES


# ---- a failed run writes nothing


def test_pptx_into_a_missing_folder_fails_before_the_png(tmp_path):
    out = tmp_path / "f.png"
    result = run("plot", "-o", str(out), "--pptx", str(tmp_path / "nodir" / "d.pptx"))
    assert result.exit_code == 1
    assert result.stderr == f"error: {tmp_path / 'nodir' / 'd.pptx'}: the folder " \
                            f"{tmp_path / 'nodir'} does not exist\n"
    assert listing(tmp_path) == []


def test_a_title_the_deck_cannot_take_fails_before_anything(tmp_path, monkeypatch):
    import nmo_timeline.output.slides as slides

    monkeypatch.setattr(slides, "xml_safe", lambda text: text)  # as before the fix
    result = run("plot", "-o", str(tmp_path / "f.png"), "--pptx", str(tmp_path / "d.pptx"),
                 "--title", "Case \ufffe")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --title: a slide title cannot hold this text "
                                    "(ValueError: All strings must be XML compatible")
    assert listing(tmp_path) == []


def _parts_parse(deck: Path) -> None:
    with zipfile.ZipFile(deck) as z:
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                xml.dom.minidom.parseString(z.read(name))  # raises if not well-formed


@pytest.mark.parametrize("title", ["Case \x01 \x1b[31m red", "U+FFFE \ufffe, U+FFFF \uffff",
                                   "NUL \x00 and VT \x0b"])
def test_slide_titles_never_carry_characters_xml_forbids(tmp_path, title):
    deck = tmp_path / "d.pptx"
    result = run("plot", "-o", str(tmp_path / "f.svg"), "--pptx", str(deck), "--dpi", "50",
                 "--title", title)
    assert result.exit_code == 0, result.output
    _parts_parse(deck)
    (slide,) = pptx.Presentation(str(deck)).slides
    shown = slide.shapes.title.text
    assert "\ufffd" in shown and "_x00" not in shown
    assert all(ch in "\t\n" or ch >= " " for ch in shown)


def test_svg_and_pdf_metadata_hold_no_user_text_date_or_software(tmp_path):
    for ext in ("svg", "pdf"):
        assert run("plot", "-o", str(tmp_path / f"f.{ext}"), "--title", "Case 1").exit_code == 0
    svg = (tmp_path / "f.svg").read_text()
    metadata = svg[svg.index("<metadata>"):svg.index("</metadata>")]
    assert "<dc:date>" not in metadata and "Matplotlib" not in metadata
    assert "Case 1" not in metadata
    xml.dom.minidom.parseString(metadata + "</metadata>")
    pdf = (tmp_path / "f.pdf").read_bytes()
    for key in (b"/CreationDate", b"/ModDate", b"/Producer", b"/Creator", b"/Title"):
        assert key not in pdf


def test_new_decks_carry_no_generator_metadata(tmp_path):
    deck = tmp_path / "d.pptx"
    assert run("plot", "-o", str(tmp_path / "f.png"), "--pptx", str(deck), "--dpi",
               "50").exit_code == 0
    props = pptx.Presentation(str(deck)).core_properties
    assert (props.author, props.last_modified_by, props.revision) == ("", "", 1)
    assert props.created.year == props.modified.year == 2000


def test_anonymize_makes_an_existing_decks_metadata_neutral(tmp_path):
    deck = tmp_path / "d.pptx"
    prs = pptx.Presentation()
    prs.core_properties.author = "Dr. Example, Clinic X"
    prs.core_properties.title = "Patient 4711"
    prs.save(str(deck))
    result = run("plot", "-o", str(tmp_path / "f.png"), "--pptx", str(deck), "--dpi", "50",
                 "--anonymize")
    assert result.exit_code == 0, result.output
    props = pptx.Presentation(str(deck)).core_properties
    assert (props.author, props.title, props.last_modified_by) == ("", "", "")
    assert b"Clinic X" not in zipfile.ZipFile(deck).read("docProps/core.xml")


def test_build_writes_every_frame_or_none(tmp_path, monkeypatch):
    """`--build` either writes every frame or none."""
    import nmo_timeline.draw.plot as plotting

    real, calls = plotting.plot_timeline, []

    def third_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise MemoryError("no memory for frame 3")
        return real(*args, **kwargs)

    monkeypatch.setattr(plotting, "plot_timeline", third_fails)
    deck = tmp_path / "d.pptx"
    result = run("plot", "--build", "-o", str(tmp_path / "case.png"), "--dpi", "50",
                 "--pptx", str(deck))
    assert result.exit_code == 2 and len(calls) == 3
    assert listing(tmp_path) == []


def test_build_over_older_frames_keeps_them_until_all_are_new(tmp_path, monkeypatch):
    import nmo_timeline.output.save as save

    for k in (1, 2, 3, 4):
        (tmp_path / f"case-0{k}.png").write_bytes(b"old")
    real = save.write_figure
    count = []

    def fail_last(*args, **kwargs):
        count.append(1)
        if len(count) == 4:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr("nmo_timeline.output.figures.write_figure", fail_last)
    result = run("plot", "--build", "-o", str(tmp_path / "case.png"), "--dpi", "50")
    assert result.exit_code == 1
    assert result.stderr == (f"error: {tmp_path / 'case-04.png'}: cannot write (No space left "
                             "on device); nothing was written\n")
    assert [(tmp_path / f"case-0{k}.png").read_bytes() for k in (1, 2, 3, 4)] == [b"old"] * 4
    assert listing(tmp_path) == [f"case-0{k}.png" for k in (1, 2, 3, 4)]


def test_a_frame_name_that_is_a_folder_is_refused_before_drawing(tmp_path):
    (tmp_path / "case-03.png").mkdir()
    result = run("plot", "--build", "-o", str(tmp_path / "case.png"), "--dpi", "50")
    assert result.exit_code == 1
    assert result.stderr == f"error: {tmp_path / 'case-03.png'}: is a folder; give a file name\n"
    assert listing(tmp_path) == ["case-03.png"]


def test_all_patients_strict_with_a_file_warning_draws_nothing(tmp_path):
    """`--all-patients --strict` with a file-level warning wrote figures, then exit 1."""
    series = tmp_path / "s.csv"
    series.write_text(SERIES.replace("patient,kind,name,start,end,value",
                                     "patient,kind,name,start,end,value,dose"))
    outdir = tmp_path / "figs"
    result = run("plot", str(series), "--all-patients", "--outdir", str(outdir), "--strict")
    assert result.exit_code == 1
    assert result.stderr == (f"{series}:1:dose: unknown column 'dose' ignored (did you mean "
                             "'value'?) [--strict]\n1 error found; nothing was written.\n")
    assert not outdir.exists()


def test_all_patients_strict_with_a_row_warning_fails_that_patient(tmp_path):
    series = tmp_path / "s.csv"
    series.write_text(SERIES + "P3,edss,,2011-06-30,,2.0\n")
    outdir = tmp_path / "figs"
    result = run("plot", str(series), "--all-patients", "--outdir", str(outdir), "--strict")
    assert result.exit_code == 1
    assert listing(outdir) == ["P10.png", "P2.png"]
    assert "P3:" in result.stderr and "[--strict]" in result.stderr


def test_canvas_over_the_pixel_limit_is_refused_before_drawing(tmp_path):
    out = tmp_path / "big.png"
    result = run("plot", "-o", str(out), "--size", "50x50", "--dpi", "1200")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: a 50 x 50 in canvas at 1200 dpi is 60000 x 60000 pixels (3,600 million); PNG "
        "output is limited to 200 million pixels: lower --dpi or --size, or write .svg or "
        ".pdf\n")
    assert listing(tmp_path) == []


def test_every_preset_fits_the_pixel_limit_at_the_highest_dpi():
    from nmo_timeline.output.save import check_canvas
    from nmo_timeline.plan.options import SIZES

    for size in SIZES.values():
        check_canvas(size, 1200)


def test_dpi_below_the_range_is_one_line():
    result = run("plot", "--dpi", "10")
    assert result.exit_code == 1
    assert result.stderr == ("error: Invalid value for '--dpi': 10 is not in the range "
                             "50<=x<=1200. (see 'nmo-timeline plot --help')\n")


# ---- the atomic writer


def test_atomic_writer_keeps_permission_bits(tmp_path):
    out = tmp_path / "f.png"
    out.write_bytes(b"old")
    out.chmod(0o640)
    with atomic_output(out) as fh:
        fh.write(b"new")
    assert out.read_bytes() == b"new"
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_atomic_writer_writes_through_a_symlink(tmp_path):
    real = tmp_path / "store" / "real.png"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "link.png"
    link.symlink_to(real)
    with atomic_output(link) as fh:
        fh.write(b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"
    assert listing(tmp_path) == ["link.png", "store"] and listing(real.parent) == ["real.png"]


def test_atomic_writer_fsyncs_before_the_rename(tmp_path, monkeypatch):
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace",
                        lambda a, b: (events.append("replace"), real_replace(a, b))[1])
    with atomic_output(tmp_path / "f.bin") as fh:
        fh.write(b"x")
    assert events[:2] == ["fsync", "replace"]


def test_transaction_removes_every_staged_file_on_failure(tmp_path):
    with pytest.raises(RuntimeError), Transaction() as tx:
        with tx.file(tmp_path / "a") as fh:
            fh.write(b"a")
        with tx.file(tmp_path / "b") as fh:
            raise RuntimeError("stop")
    assert listing(tmp_path) == []
    assert not atomic._LIVE


def test_a_deleted_inputs_inode_given_to_a_new_file_does_not_block_it(tmp_path, monkeypatch):
    import os

    from nmo_timeline.errors import OptionError
    from nmo_timeline.output import atomic

    data = tmp_path / "events.csv"
    data.write_text("kind,start\nrelapse,2011-01-01\n")
    atomic.protect(data)
    st = os.stat(data)
    data.unlink()
    new = tmp_path / "figure.png"
    new.write_bytes(b"x")
    # as if the filesystem gave the deleted input's inode to the new file
    real_stat = os.stat
    monkeypatch.setattr(atomic.os, "stat", lambda p, *a, **k: st if str(p) == str(new)
                        else real_stat(p, *a, **k))
    atomic.check_not_input(new)  # not refused: the input no longer has that inode
    data.write_text("kind,start\n")
    monkeypatch.setattr(atomic.os, "stat", lambda p, *a, **k: real_stat(data) if str(p) in (
        str(new), str(data)) else real_stat(p, *a, **k))
    atomic.protect(data)
    with pytest.raises(OptionError, match="this is the input file"):
        atomic.check_not_input(new)  # still refused while the input has it
