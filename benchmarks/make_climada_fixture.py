"""Write a small CLIMADA hazard HDF5 fixture (and its expected values) with CLIMADA itself.

Run with CLIMADA's virtualenv (see setup_climada.sh), never with Kalkan's:

    /work/venvs/climada/bin/python benchmarks/make_climada_fixture.py

Source: the shared golden case's hazard.npz restricted to its first 50 events. Output (tests/io/data/):
``climada_hazard_eq_small.hdf5`` written by ``climada.hazard.Hazard.write_hdf5`` and
``climada_hazard_eq_small.json`` with the values a reader must find.

CLIMADA stores the centroids with pandas' HDFStore; their all-None ``region_id``/``on_land`` columns
become a pickled PyTables VLArray whose single 65,536-element chunk takes 1 MiB of zeros. The file is
therefore rewritten once with h5py (every object copied as is, at the HDF5 level, except that chunk
shapes larger than the data are cut to the data's shape); CLIMADA and pandas read the result unchanged.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

GOLDEN = Path("/work/shared/bench/climada_golden_5k_1k/hazard.npz")
OUT_DIR = Path(__file__).resolve().parents[1] / "tests" / "io" / "data"
STEM = "climada_hazard_eq_small"
N_EVENTS = 50
START = dt.date(2000, 1, 1)


def build_hazard(npz: Path, n_events: int):  # -> climada.hazard.Hazard
    """A CLIMADA Hazard from the first ``n_events`` rows of a CSR hazard NPZ."""
    from climada.hazard import Centroids, Hazard

    with np.load(npz) as f:
        hz = {key: f[key] for key in f.files}
    shape = tuple(int(v) for v in hz["shape"])
    full = sparse.csr_matrix((hz["data"], hz["indices"], hz["indptr"]), shape=shape)
    intensity = full[:n_events].tocsr()
    event_id = hz["event_id"][:n_events].astype(np.int64)
    date = START.toordinal() + np.arange(n_events, dtype=np.int64)
    return Hazard(
        haz_type="EQ",
        units="g",
        centroids=Centroids(lat=hz["centroid_lat"], lon=hz["centroid_lon"]),
        event_id=event_id,
        event_name=[str(i) for i in event_id],
        date=date,
        orig=np.ones(n_events, dtype=bool),
        frequency=hz["frequency"][:n_events].astype(np.float64),
        intensity=intensity,
    )


def _copy_attrs(src: Any, dst: Any) -> None:
    """Copy every attribute of one HDF5 object to another with its exact type and dataspace."""
    import h5py

    for i in range(h5py.h5a.get_num_attrs(src.id)):
        a = h5py.h5a.open(src.id, index=i)
        tid, space = a.get_type(), a.get_space()
        b = h5py.h5a.create(dst.id, a.get_name(), tid, space)
        if space.get_simple_extent_type() != h5py.h5s.NULL:
            buf = np.empty(a.shape, dtype=a.dtype)
            a.read(buf, mtype=tid)
            b.write(buf, mtype=tid)


def compact_chunks(path: Path) -> None:
    """Rewrite ``path`` so that no chunked dataset's chunk is larger than its data (same content)."""
    import h5py

    tmp = path.with_suffix(".tmp.hdf5")

    def copy_group(src: h5py.Group, dst: h5py.Group) -> None:
        _copy_attrs(src, dst)
        for name, obj in src.items():
            if isinstance(obj, h5py.Group):
                copy_group(obj, dst.create_group(name))
            elif obj.chunks is not None and obj.shape and obj.chunks[0] > obj.shape[0]:
                new = dst.create_dataset(
                    name,
                    data=obj[...],
                    dtype=obj.dtype,
                    chunks=tuple(max(1, n) for n in obj.shape),
                    maxshape=obj.maxshape,
                    compression=obj.compression,
                    compression_opts=obj.compression_opts,
                )
                _copy_attrs(obj, new)
            else:
                src.copy(obj, dst, name=name)  # H5Ocopy: data, layout and attributes as they are

    with h5py.File(path, "r") as src, h5py.File(tmp, "w") as dst:
        copy_group(src, dst)
    tmp.replace(path)


def expected_values(haz) -> dict[str, object]:  # haz: climada.hazard.Hazard
    """What another reader must find in the file."""
    dates = [dt.date.fromordinal(int(d)) for d in haz.date[:3]]
    return {
        "file": f"{STEM}.hdf5",
        "source": f"{GOLDEN} (first {haz.size} events)",
        "climada_version": importlib.metadata.version("climada"),
        "haz_type": haz.haz_type,
        "units": haz.units,
        "n_events": int(haz.size),
        "n_centroids": int(haz.centroids.size),
        "nnz": int(haz.intensity.nnz),
        "intensity_sum": float(haz.intensity.data.sum()),
        "intensity_max": float(haz.intensity.data.max()),
        "first_event_id": int(haz.event_id[0]),
        "last_event_id": int(haz.event_id[-1]),
        "event_names_first3": [str(n) for n in haz.event_name[:3]],
        "frequency_sum": float(haz.frequency.sum()),
        "frequency_unit": haz.frequency_unit,
        "centroid_lat_first3": [float(v) for v in haz.centroids.lat[:3]],
        "centroid_lon_first3": [float(v) for v in haz.centroids.lon[:3]],
        "date_ordinal_first3": [int(d) for d in haz.date[:3]],
        "dates_first3": [d.isoformat() for d in dates],
        "years_first3": [d.year for d in dates],
        "orig_all_true": bool(np.all(haz.orig)),
        "fraction_stored": haz.fraction.nnz > 0,
        "note": "date is a proleptic Gregorian ordinal (datetime.date.toordinal); "
        "date = ordinal(2000-01-01) + event index; compare float sums with rtol 1e-12",
        "layout": {
            "intensity": "group: data (float64), indices (int32), indptr (int32); attribute shape "
            "= [n_events, n_centroids] (CSR)",
            "fraction": "same CSR layout, empty here (nnz 0)",
            "event_id, date, frequency, orig": "1-D datasets, length n_events (int64, int64, float64, bool)",
            "event_name": "1-D variable-length strings",
            "haz_type, units, frequency_unit": "1-element variable-length string datasets",
            "centroids": "pandas HDFStore (PyTables 'frame'): block0_items = [geometry.x, geometry.y] "
            "(lon, lat), block0_values float64 (n_centroids, 2); block1 = pickled all-None "
            "region_id/on_land (object VLArray; a reader should not unpickle it); group attribute "
            "'metadata' is a pickled dict with the CRS WKT",
        },
        "rewritten": "chunk shapes cut to the data's shape with h5py after write_hdf5 (see the script)",
    }


def main() -> None:
    """Build the hazard, write the HDF5 with CLIMADA, read it back and write the JSON."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--npz", type=Path, default=GOLDEN)
    ap.add_argument("--out-dir", type=Path, default=OUT_DIR)
    ap.add_argument("--events", type=int, default=N_EVENTS)
    args = ap.parse_args()
    from climada.hazard import Hazard

    args.out_dir.mkdir(parents=True, exist_ok=True)
    h5 = args.out_dir / f"{STEM}.hdf5"
    haz = build_hazard(args.npz, args.events)
    haz.check()
    h5.unlink(missing_ok=True)
    haz.write_hdf5(str(h5))
    compact_chunks(h5)
    back = Hazard.from_hdf5(str(h5))  # round trip through CLIMADA's own reader
    assert back.size == haz.size and back.intensity.nnz == haz.intensity.nnz
    assert np.array_equal(back.intensity.data, haz.intensity.data)
    assert np.array_equal(back.centroids.lat, haz.centroids.lat)
    assert np.array_equal(back.centroids.lon, haz.centroids.lon)
    assert np.array_equal(back.date, haz.date) and np.array_equal(back.frequency, haz.frequency)
    expected = expected_values(back)
    expected["file_bytes"] = h5.stat().st_size
    (args.out_dir / f"{STEM}.json").write_text(json.dumps(expected, indent=2) + "\n")
    print(json.dumps(expected, indent=2))


if __name__ == "__main__":
    main()
