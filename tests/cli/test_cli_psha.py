"""``eq_curves`` through a tiny typer app (kalkan.cli registers it as ``kalkan eq curves``)."""

from __future__ import annotations

import csv
import json
import typing
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from kalkan.cli.psha import eq_curves

PEER = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "peer_psha_verification" / "nshmp-haz"

app = typer.Typer()
app.command("curves")(eq_curves)
app.command("noop")(lambda: None)  # two commands, so "curves" is addressed by name as in kalkan eq curves
runner = CliRunner()


@pytest.mark.skipif(not PEER.exists(), reason="PEER data not available")
def test_peer_case_csv_has_the_expected_columns(tmp_path: Path) -> None:
    out = tmp_path / "curves.csv"
    result = runner.invoke(app, ["curves", "--peer-case", str(PEER / "models" / "Set1-Case2-fast"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Set1-Case2-fast" in result.output
    with out.open() as fh, (PEER / "results" / "Set1-Case2-fast.csv").open() as ref:
        mine, theirs = list(csv.reader(fh)), list(csv.reader(ref))
    assert mine[0] == theirs[0]
    assert [r[:3] for r in mine] == [r[:3] for r in theirs]
    for a, b in zip(mine[1:], theirs[1:], strict=True):
        assert [float(x) for x in a[3:]] == pytest.approx([float(x) for x in b[3:]], rel=1e-6, abs=1e-12)


def test_sources_sites_return_period_and_disaggregation(tmp_path: Path) -> None:
    src = tmp_path / "sources.csv"
    src.write_text(
        "id,name,kind,lon,lat,polygon,a_value,b_value,min_mag,max_mag,bin_width,upper_depth_km,lower_depth_km,"
        "hypo_depth_km,strike,dip,rake\n"
        "a,Area,area,,,74 42.5;75 42.5;75 43.2;74 43.2,3.5,1.0,5.0,7.0,0.1,0,20,10,90,90,0\n",
        encoding="utf-8",
    )
    sites = tmp_path / "sites.csv"
    sites.write_text("name,lon,lat,vs30\nbishkek,74.6,42.87,400\nfar,80.0,30.0,760\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["curves", "--sources", str(src), "--gmpe", "BooreEtAl2014", "--gmpe", "AkkarEtAlRjb2014",
            "--sites", str(sites), "--imt", "PGA", "--imt", "SA(0.2)", "--out", str(out), "--return-period", "475",
            "--quantile", "0.5", "--disagg-site", "bishkek", "--area-spacing", "10", "--json"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert set(summary["files"]) == {"curves", "hazard_map", "uhs", "disaggregation"}
    assert summary["notes"] == ["the sites are not a regular lon/lat grid: no GeoTIFF map (the GeoJSON has every site)"]
    assert any("'far' has no rupture within 300 km" in w for w in summary["warnings"])
    geo = json.loads((out / "hazard_map.geojson").read_text())
    bishkek = geo["features"][0]["properties"]
    assert 0.05 < bishkek["PGA"] < 2.0 and bishkek["SA(0.2)"] > bishkek["PGA"]
    disagg = json.loads((out / "disaggregation.json").read_text())
    assert sum(map(sum, disagg["fractions"])) == pytest.approx(1.0)
    rows = list(csv.DictReader((out / "hazard_curves.csv").open()))
    assert {r["statistic"] for r in rows} == {"mean", "quantile-0.5"}
    # every site gave its own Vs30: stated, and each site's value is in the map
    assert summary["site_condition"]["sites_range_m_s"] == [400.0, 760.0]
    assert geo["features"][1]["properties"]["vs30_m_s"] == 760.0 and geo["site_condition"]["default_m_s"] == 400.0


AREA = (
    "id,name,kind,lon,lat,polygon,a_value,b_value,min_mag,max_mag,bin_width,upper_depth_km,lower_depth_km,"
    "hypo_depth_km,strike,dip,rake\n"
    "a,Area,area,,,74 42.5;75 42.5;75 43.2;74 43.2,3.5,1.0,5.0,6.5,0.1,0,20,10,90,90,0\n"
)


def test_one_vs30_default_and_an_explicit_rock_reference(tmp_path: Path) -> None:
    """Sites without a Vs30 get Kalkan's one default (400 m/s, city soil; it was 760 here), stated in the JSON,
    the map and the printed text; reference rock is a named choice (--rock) and moves the hazard."""
    from kalkan.core.hazard.earthquake.site import DEFAULT_VS30_M_S, ROCK_REFERENCE_VS30_M_S

    src = tmp_path / "sources.csv"
    src.write_text(AREA, encoding="utf-8")
    sites = tmp_path / "sites.csv"
    sites.write_text("name,lon,lat\nbishkek,74.6,42.87\n", encoding="utf-8")
    base = ["curves", "--sources", str(src), "--gmpe", "BooreEtAl2014", "--sites", str(sites), "--imt", "PGA",
            "--return-period", "475", "--area-spacing", "10"]  # fmt: skip
    soil = runner.invoke(app, [*base, "--out", str(tmp_path / "soil"), "--json"])
    assert soil.exit_code == 0, soil.output
    cond = json.loads(soil.stdout)["site_condition"]
    assert cond["vs30_m_s"] == DEFAULT_VS30_M_S == 400.0 and "stiff soil" in cond["basis"]
    rock = runner.invoke(app, [*base, "--out", str(tmp_path / "rock"), "--rock", "--json"])
    assert rock.exit_code == 0, rock.output
    rcond = json.loads(rock.stdout)["site_condition"]
    assert rcond["vs30_m_s"] == ROCK_REFERENCE_VS30_M_S == 760.0 and "published seismic hazard maps" in rcond["basis"]

    def pga(folder: str) -> float:
        geo = json.loads((tmp_path / folder / "hazard_map.geojson").read_text())
        return float(geo["features"][0]["properties"]["PGA"])

    assert pga("soil") > pga("rock")  # BSSA14's linear site term amplifies PGA on the softer site
    text = " ".join(runner.invoke(app, [*base, "--out", str(tmp_path / "t")]).stdout.split())
    assert "Site condition: Vs30 400 m/s (Kalkan's default" in text
    both = runner.invoke(app, [*base, "--out", str(tmp_path / "x"), "--rock", "--vs30", "300"])
    assert both.exit_code != 0 and "--vs30 or --rock" in str(both.exception)
    # the help text names the default it resolves to (a literal there, so checked here)
    option = typing.get_type_hints(eq_curves, include_extras=True)["vs30"].__metadata__[0]
    assert f"[default: {DEFAULT_VS30_M_S:g}," in option.help


def test_errors_are_messages(tmp_path: Path) -> None:
    result = runner.invoke(app, ["curves", "--out", str(tmp_path / "x")])
    assert result.exit_code != 0
    assert "Give --peer-case DIR or --sources FILE" in str(result.exception)


def test_grid_sites_give_a_geotiff_map(tmp_path: Path) -> None:
    """Sites on a regular grid: hazard_map.tif holds each site's 475-year level in its cell, NaN elsewhere."""
    import numpy as np
    import rasterio  # type: ignore[import-untyped]

    src = tmp_path / "sources.csv"
    src.write_text(
        "id,name,kind,lon,lat,polygon,a_value,b_value,min_mag,max_mag,bin_width,upper_depth_km,lower_depth_km,"
        "hypo_depth_km,strike,dip,rake\n"
        "a,Area,area,,,74 42.5;75 42.5;75 43.2;74 43.2,3.5,1.0,5.0,6.5,0.1,0,20,10,90,90,0\n",
        encoding="utf-8",
    )
    lines = ["name,lon,lat,vs30"]
    for i, lon in enumerate((74.5, 74.6, 74.7)):
        for j, lat in enumerate((42.8, 42.9)):
            if (i, j) != (2, 1):  # one cell left empty
                lines.append(f"s{i}{j},{lon},{lat},400")
    sites = tmp_path / "grid.csv"
    sites.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["curves", "--sources", str(src), "--gmpe", "BooreEtAl2014", "--sites", str(sites),
                                 "--imt", "PGA", "--return-period", "475", "--area-spacing", "10", "--out", str(out),
                                 "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "hazard_map_geotiff" in json.loads(result.stdout)["files"]
    geo = {f["properties"]["site"]: f for f in json.loads((out / "hazard_map.geojson").read_text())["features"]}
    with rasterio.open(out / "hazard_map.tif") as ds:
        assert (ds.width, ds.height, ds.count, ds.crs.to_epsg()) == (3, 2, 1, 4326)
        assert ds.descriptions == ("PGA",) and ds.tags()["return_period_years"] == "475" and ds.tags()["units"] == "g"
        band = ds.read(1)
        for name, feature in geo.items():
            lon, lat = feature["geometry"]["coordinates"]
            row, col = ds.index(lon, lat)
            assert band[row, col] == pytest.approx(feature["properties"]["PGA"], rel=1e-6), name
        assert np.isnan(band[ds.index(74.7, 42.9)])
