"""PowerPoint output (python-pptx round trip) and step-by-step build frames."""

from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from nmo_timeline import bundled_events_path, load_events
from nmo_timeline.cli import app
from nmo_timeline.plan.build import build_steps, reveal
from nmo_timeline.plan.timeline import plan_timeline

pptx = pytest.importorskip("pptx")


def test_pptx_is_created_then_appended(tmp_path):
    deck = tmp_path / "talk.pptx"
    args = ["plot", "-o", str(tmp_path / "f.png"), "--pptx", str(deck), "--dpi", "60"]
    first = CliRunner().invoke(app, [*args, "--title", "Case 1"])
    assert first.exit_code == 0, first.output
    assert first.stdout.endswith(f"added 1 slide to {deck}\n")
    prs = pptx.Presentation(str(deck))
    assert (prs.slide_width, prs.slide_height) == (pptx.util.Inches(13.333),
                                                   pptx.util.Inches(7.5))
    assert "type" not in prs.element.sldSz.attrib  # not the template's "screen4x3"
    (slide,) = prs.slides
    assert slide.shapes.title.text == "Case 1"
    pictures = [s for s in slide.shapes if s.shape_type == pptx.enum.shapes.MSO_SHAPE_TYPE.PICTURE]
    assert len(pictures) == 1
    pic = pictures[0]
    assert pic.left >= 0 and pic.top + pic.height <= prs.slide_height
    assert pic.left + pic.width <= prs.slide_width
    second = CliRunner().invoke(app, [*args, "--title", "Case 2"])
    assert second.exit_code == 0
    titles = [s.shapes.title.text for s in pptx.Presentation(str(deck)).slides]
    assert titles == ["Case 1", "Case 2"]


def test_a_broken_deck_is_not_replaced(tmp_path):
    deck = tmp_path / "talk.pptx"
    deck.write_bytes(b"not a deck")
    result = CliRunner().invoke(app, ["plot", "-o", str(tmp_path / "f.png"), "--pptx",
                                      str(deck), "--dpi", "50"])
    assert result.exit_code == 1
    assert "cannot be opened as a PowerPoint deck" in result.stderr
    assert deck.read_bytes() == b"not a deck"
    assert not (tmp_path / "f.png").exists()  # refused before any figure was written


def test_build_steps_are_the_ends_of_maintenance_periods():
    t = load_events(bundled_events_path())
    assert build_steps(t) == [date(2008, 6, 1), date(2010, 1, 17), date(2010, 10, 3),
                              date(2012, 6, 14)]


def test_reveal_keeps_the_axis_and_cuts_the_rest():
    t = load_events(bundled_events_path())
    full = plan_timeline(t, arr=True)
    part = reveal(full, date(2008, 6, 1))
    assert (part.x_min, part.x_max) == (full.x_min, full.x_max)
    # every lane keeps its place and label (its room), but one not started yet is not
    # shown, so its name is not drawn: no spoilers
    assert [lane.shown for lane in part.lanes] == [True, True, True, False, False, False]
    assert [lane.label for lane in part.lanes] == [lane.label for lane in full.lanes]
    assert [lane.key for lane in part.lanes] == [lane.key for lane in full.lanes]
    assert part.legend == full.legend  # the legend does not move between frames
    assert all(m.day <= date(2008, 6, 1) for m in part.relapses + part.mri + part.edss)
    assert len(part.relapses) == 4
    toci = next(lane for lane in part.lanes if lane.key == "tocilizumab")
    assert toci.bars == [] and toci.ticks == []
    assert all(p.start <= date(2008, 6, 1) for p in part.periods)



@pytest.mark.parametrize("size", [(13.333, 7.5), (3.5, 3.2)])
def test_every_frame_has_the_layout_of_the_last_and_names_only_started_lanes(size):
    from nmo_timeline.draw.timeline import render_plan

    long_names = ("kind,name,start,end,value\nrelapse,ON,2010-01-01,,\n"
                  "therapy,Azathioprine,2010-02-01,2011-12-31,\n"
                  "therapy,Rituximab biosimilar (Truxima) 375 mg/m2 weekly x4 then CD19-guided "
                  "re-dosing every six months,2012-01-01,2014-06-30,\n"
                  "relapse,TM,2013-01-01,,\nedss,,2014-06-30,,3.0\n")
    from pathlib import Path

    from nmo_timeline.load import read_events_text

    corpus = Path(__file__).parent / "corpus"
    for t in (load_events(bundled_events_path()), read_events_text(long_names, "l.csv"),
              load_events(corpus / "long_course_20y.csv"),  # close scans revealed late
              load_events(corpus / "labs_four_analytes.csv")):  # lab axes
        full = plan_timeline(t, arr=True)
        boxes = []
        for until in build_steps(t):
            fig = render_plan(reveal(full, until), size=size, dpi=40)
            boxes.append([(ax.get_gid(), tuple(round(v, 4) for v in ax.get_position().bounds),
                           tuple(round(v, 6) for v in ax.get_ylim())) for ax in fig.axes])
            (lanes,) = [ax for ax in fig.axes if ax.get_gid() == "panel:therapy"]
            named = [x.get_text() for x in lanes.get_yticklabels() if x.get_text()]
            started = [lane for lane in reveal(full, until).lanes if lane.shown]
            assert len(named) == len(started)  # no future therapy is named
            notes = [x.get_text() for x in fig.texts if x.get_gid() == "footnote"]
            hidden = [lane.label for lane in reveal(full, until).lanes if not lane.shown]
            assert not any(h in n.replace("\n", " ") for h in hidden for n in notes)
        # the panels do not move between frames, nor do the lab axes rescale
        assert all(b == boxes[-1] for b in boxes)

def test_build_writes_numbered_frames_and_slides(tmp_path):
    deck = tmp_path / "talk.pptx"
    result = CliRunner().invoke(app, ["plot", "--build", "-o", str(tmp_path / "case.png"),
                                      "--pptx", str(deck), "--dpi", "50"])
    assert result.exit_code == 0, result.output
    frames = sorted(p.name for p in tmp_path.glob("case-*.png"))
    assert frames == ["case-01.png", "case-02.png", "case-03.png", "case-04.png"]
    assert len(pptx.Presentation(str(deck)).slides) == 4


def test_missing_python_pptx_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pptx", None)  # as if not installed
    out = tmp_path / "f.png"
    result = CliRunner().invoke(app, ["plot", "-o", str(out), "--pptx",
                                      str(tmp_path / "d.pptx")])
    assert result.exit_code == 1
    assert result.stderr == "error: --pptx needs python-pptx: pip install 'nmo-timeline[pptx]'\n"
    assert not out.exists()


def slide_parts(deck):
    """(slide XML, SVG parts, PNG parts) of the deck's first slide."""
    import zipfile

    with zipfile.ZipFile(deck) as z:
        names = z.namelist()
        return (z.read("ppt/slides/slide1.xml").decode(),
                [z.read(n) for n in names if n.endswith(".svg")],
                [n for n in names if n.startswith("ppt/media/") and n.endswith(".png")])


def test_the_slide_holds_an_svg_with_a_png_fallback_filling_the_slide_under_the_title(
        tmp_path):
    deck = tmp_path / "talk.pptx"
    title = "Case 1: on tocilizumab"
    result = CliRunner().invoke(app, ["plot", "-o", str(tmp_path / "f.svg"), "--pptx", str(deck),
                                      "--title", title, "--dpi", "60"])
    assert result.exit_code == 0, result.output
    xml, svgs, pngs = slide_parts(deck)
    assert len(svgs) == 1 and len(pngs) == 1
    assert 'uri="{96DAC541-7B7A-43D3-8B79-37D633B846F1}"' in xml and "asvg:svgBlip" in xml
    svg = svgs[0].decode()
    assert "Tocilizumab" in svg  # the figure, editable ...
    assert title not in svg  # ... without the title: the slide's title says it once
    assert title in (tmp_path / "f.svg").read_text()  # the figure file keeps its title
    prs = pptx.Presentation(str(deck))
    (pic,) = [s for s in prs.slides[0].shapes
              if s.shape_type == pptx.enum.shapes.MSO_SHAPE_TYPE.PICTURE]
    title_box = prs.slides[0].shapes.title
    assert pic.top >= title_box.top + title_box.height  # under the title
    assert pic.width >= 0.95 * prs.slide_width  # fills the width, margins only
    assert pic.top + pic.height >= 0.95 * prs.slide_height


@pytest.mark.skipif(__import__("shutil").which("soffice") is None
                    or __import__("shutil").which("pdftoppm") is None,
                    reason="LibreOffice (soffice) and poppler (pdftoppm) are not installed")
def test_libreoffice_opens_the_deck_and_shows_the_figure_across_the_slide(tmp_path):
    import subprocess

    import numpy as np
    from PIL import Image

    deck = tmp_path / "talk.pptx"
    title = "Case 1 on tocilizumab"
    result = CliRunner().invoke(app, ["plot", "-o", str(tmp_path / "f.png"), "--pptx", str(deck),
                                      "--title", title, "--dpi", "80"])
    assert result.exit_code == 0, result.output
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(deck)],
                   check=True, capture_output=True, timeout=240)
    pdf = tmp_path / "talk.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          timeout=60).stdout
    assert text.count(title) == 1
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-singlefile", str(pdf),
                    str(tmp_path / "page")], check=True, timeout=60)
    page = np.asarray(Image.open(tmp_path / "page.png").convert("L"))
    height, width = page.shape
    ink = np.argwhere(page[int(height * 0.15):] < 200)  # under the title band
    rows, cols = ink[:, 0], ink[:, 1]
    assert cols.max() - cols.min() > 0.85 * width  # the figure spans the slide
    assert rows.max() - rows.min() > 0.65 * height


@pytest.mark.parametrize(("title", "size"), [
    ("Case 1", 28),
    ("Four analytes: CSF IL-6, GFAP, NfL and AQP4-IgG titres over four years of follow-up "
     "under tocilizumab", 24),
    ("A title of a great many words " * 8, 16)])
def test_a_long_slide_title_gets_smaller_to_fit_its_box(tmp_path, title, size):
    from nmo_timeline.output.slides import TITLE_IN

    deck = tmp_path / "talk.pptx"
    result = CliRunner().invoke(app, ["plot", "-o", str(tmp_path / "f.png"), "--pptx",
                                      str(deck), "--dpi", "50", "--title", title])
    assert result.exit_code == 0, result.output
    shape = pptx.Presentation(str(deck)).slides[0].shapes.title
    (run,) = shape.text_frame.paragraphs[0].runs
    assert run.font.size.pt == size and shape.text_frame.word_wrap
    lines = int(TITLE_IN * 72 // (size * 1.2))
    assert lines * size * 1.2 <= shape.height / 12700  # the lines it may take fit the box


def test_a_course_under_way_at_a_frame_keeps_its_dose():
    from nmo_timeline.load import read_events_text

    text = ("kind,name,start,end,value,unit\nrelapse,ON,2010-01-01,,,\n"
            "therapy,Azathioprine,2010-02-01,2012-12-31,150,mg/day\n"
            "therapy,Rituximab,2013-01-15,ongoing,1000,mg\nedss,,2014-01-01,,3.0,\n")
    full = plan_timeline(read_events_text(text, "c.csv"))
    part = reveal(full, date(2011, 6, 30))
    (aza,) = [lane for lane in part.lanes if lane.key == "azathioprine"]
    (bar,) = aza.bars
    assert bar.stop == date(2011, 7, 1) and bar.labels == full.lanes[0].bars[0].labels
    assert bar.labels  # "150 mg/day", as in the last frame


def test_a_period_too_short_to_count_adds_no_frame_and_the_last_frame_is_the_cutoff():
    from nmo_timeline.analysis.periods import patient_periods
    from nmo_timeline.load import read_events_text

    text = ("kind,name,start,end,value\nrelapse,ON,2010-01-01,,\n"
            "therapy,Azathioprine,2010-02-01,2011-01-31,\n"
            "therapy,Mycophenolate,2011-02-01,2011-02-15,\n"  # 15 days: too short
            "therapy,Rituximab,2011-02-16,2012-12-31,\n"
            "relapse,TM,2013-06-01,,\nedss,,2014-01-01,,3.0\n")  # untreated at the end
    t = read_events_text(text, "s.csv")
    periods = patient_periods(t, t.patients[0]).periods
    assert [p.regimen for p in periods if not p.counted] == ["Mycophenolate mofetil"]
    steps = build_steps(t)
    assert date(2011, 2, 15) not in steps
    assert steps[-1] == date(2014, 1, 1)  # the untreated end of the record is shown too
