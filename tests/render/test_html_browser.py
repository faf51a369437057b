"""The HTML report in a real browser (headless Chromium): math laid out, no overflow at 1024 px, not blank.

The page has no scripts; the test loads a copy with one measuring script added
that opens every ``<details>``, measures, and writes the results into the DOM,
which ``--dump-dom`` prints.  CI installs the browser (``.ci/run``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from symcnn import zoo

INSTALL = "apt-get install -y chromium-headless-shell"
BROWSER = next((path for name in ("chromium-headless-shell", "chromium") if (path := shutil.which(name))), None)
pytestmark = pytest.mark.skipif(BROWSER is None, reason=f"needs headless Chromium: {INSTALL}")

MEASURE = """<script>
for (const d of document.querySelectorAll('details')) d.open = true;
const maths = [...document.querySelectorAll('math')];
const flat = maths.filter(m => { const r = m.getBoundingClientRect(); return !(r.width > 0 && r.height > 0); });
const root = document.documentElement;
const out = document.createElement('pre');
out.id = 'measured';
out.textContent = JSON.stringify({maths: maths.length, flat: flat.length, viewport: window.innerWidth,
  scroll: root.scrollWidth, client: root.clientWidth,
  first_flat: flat.length ? flat[0].outerHTML.slice(0, 200) : null});
document.body.appendChild(out);
</script>"""


def _chromium(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    assert BROWSER is not None
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
        "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
    ]  # fmt: skip
    return subprocess.run([BROWSER, *flags, *arguments], capture_output=True, text=True, timeout=180, check=True)


def _page(tmp_path: Path) -> Path:
    """A real report: ResNet-18 with symbolic input sizes and a symbolic block count in one stage."""
    net = zoo.resnet18(layers=(2, 2, "N", 2))
    page = net.derive().to_html(title="ResNet-18, N blocks in layer3", receptive_field=True)
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def test_report_lays_out_in_chromium(tmp_path):
    import json

    page = _page(tmp_path)
    measured = tmp_path / "measured.html"
    measured.write_text(page.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    dom = _chromium(tmp_path, "--window-size=1024,768", "--dump-dom", measured.as_uri()).stdout
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.DOTALL)
    assert found, dom[-2000:]
    result = json.loads(found.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">"))
    assert result["viewport"] == 1024
    assert result["maths"] > 100
    assert result["flat"] == 0, result["first_flat"]  # every formula has a laid-out size
    assert result["scroll"] <= result["client"], result  # no horizontal overflow at 1024 px


def test_report_screenshot_is_not_blank(tmp_path):
    image = pytest.importorskip("PIL.Image", reason="needs Pillow (comes with matplotlib): pip install '.[plot]'")
    from PIL import ImageStat

    page = _page(tmp_path)
    shot = tmp_path / "report.png"
    _chromium(tmp_path, "--window-size=1024,1200", f"--screenshot={shot}", page.as_uri())
    with image.open(shot) as picture:
        assert picture.size == (1024, 1200)
        spread = ImageStat.Stat(picture.convert("L")).stddev[0]
    assert spread > 10  # text and rules on white, not a blank page
