"""River centre-lines are read strictly; a depth layer is written as a tagged GeoTIFF, byte for byte the same."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio  # type: ignore[import-untyped]

from kalkan.catalog.files import RIVERS_FILE, shipped_path
from kalkan.errors import InputError
from kalkan.io.illustrative_flood_maps import NODATA, read_river_features, write_depth_geotiff
from tests.errors import expect_error


def test_shipped_rivers_read() -> None:
    features = read_river_features(shipped_path(RIVERS_FILE))
    assert features and all(f["geometry"]["type"] in ("LineString", "MultiLineString") for f in features)


@pytest.mark.parametrize(
    ("text", "code"), [(None, "input.not_found"), ('{"type": ', "input.syntax"), ("[1, 2]", "input.syntax")]
)
def test_bad_river_files(tmp_path: Path, text: str | None, code: str) -> None:
    path = tmp_path / "rivers.geojson"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_river_features(path)
    expect_error(info, code)
    assert str(path) in str(info.value)


def test_layer_is_written_with_its_tags(tmp_path: Path) -> None:
    depth = np.array([[0.0, 1.5], [0.25, 0.0]], dtype=np.float32)
    args = {"west": 69.0, "north": 55.0, "cell_deg": 0.01, "tags": {"ILLUSTRATIVE": "yes", "units": "m"},
            "description": "d"}  # fmt: skip
    a = write_depth_geotiff(tmp_path / "a.tif", depth, **args)  # type: ignore[arg-type]
    b = write_depth_geotiff(tmp_path / "b.tif", depth, **args)  # type: ignore[arg-type]
    assert a.read_bytes() == b.read_bytes()
    with rasterio.open(a) as ds:
        assert ds.read(1).tolist() == depth.tolist() and ds.nodata == NODATA
        assert ds.tags()["ILLUSTRATIVE"] == "yes" and ds.tags(1)["units"] == "m"
        assert ds.transform.c == 69.0 and ds.transform.f == 55.0 and ds.transform.a == 0.01
