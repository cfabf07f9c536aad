"""The synthetic park generator: seeded, valid, shaped like real parks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from symbiosis import load_park
from symbiosis.core.generate import generate_park


def test_same_seed_same_park_other_seed_other_park() -> None:
    a, b, c = generate_park(60, seed=3), generate_park(60, seed=3), generate_park(60, seed=4)
    assert a.equals(b)
    assert not a.equals(c)
    assert len(a.enterprises) == 60


def test_generated_park_round_trips_and_has_every_family(tmp_path: Path) -> None:
    park = generate_park(120, seed=1)
    assert not park.warnings
    assert {"solid", "heat", "water", "energy", "raw_material"} <= set(park.streams["category"])
    heat = park.streams[park.streams["category"] == "heat"]
    assert (heat["temperature_return_c"] <= heat["temperature_c"]).all()
    assert load_park(park.to_folder(tmp_path / "g")).equals(park)
    sectors = set(park.enterprises["sector"])
    assert {"chp", "wwtp", "district_heating"} <= sectors  # the utilities of a real park


def test_parks_are_clustered_and_far_apart() -> None:
    park = generate_park(300, seed=2, enterprises_per_park=100, park_spacing_km=60.0)
    e = park.enterprises
    parks = e["enterprise_id"].str[:3]
    assert parks.nunique() == 3
    centres = e.groupby(parks)[["x_km", "y_km"]].mean().to_numpy()
    gaps = [np.hypot(*(centres[i] - centres[j])) for i in range(3) for j in range(i + 1, 3)]
    assert min(gaps) > 40  # parks do not overlap ...
    spread = e.groupby(parks)[["x_km", "y_km"]].std().to_numpy().max()
    assert spread < 8  # ... and each park is a few km across


def test_generate_command(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "symbiosis", "generate", "--enterprises", "25", "--seed", "7",
                             "--out", str(tmp_path / "g")], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert load_park(tmp_path / "g").equals(generate_park(25, seed=7))
