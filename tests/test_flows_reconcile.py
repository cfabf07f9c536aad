"""Data reconciliation by weighted least squares on a textbook case with a known answer.

One process, two flows in and one out, measured x = (100, 50, 160) with standard deviations s = (5, 2.5, 8)
(5 % each). The balance is A x = 0 with A = (1, 1, -1), so the residual is r = A x = 150 - 160 = -10 and
A V A^T = 25 + 6.25 + 64 = 95.25. The closed form x_hat = x - V A^T (A V A^T)^-1 A x gives
    x_hat = (100 + 25*10/95.25, 50 + 6.25*10/95.25, 160 - 64*10/95.25)
          = (102.62467, 50.65617, 153.28084),
which balances (102.62467 + 50.65617 = 153.28084). The test statistic r^2 / (A V A^T) = 100/95.25 = 1.04987
with one degree of freedom (p = erfc(sqrt(chi2 / 2)) = 0.30554). Adjusted variances: V - V A^T (A V A^T)^-1 A V, e.g. for x1
25 - 25^2/95.25 = 18.43832.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from test_flows_park import write_package

import flows
from symbiosis import load_park

X = np.array([100.0, 50.0, 160.0])
SD = np.array([5.0, 2.5, 8.0])
A = np.array([[1.0, 1.0, -1.0]])
EXPECTED = np.array([100 + 250 / 95.25, 50 + 62.5 / 95.25, 160 - 640 / 95.25])


def test_wls_closed_form_textbook() -> None:
    result = flows.wls_adjust(X, SD, A)
    assert result.adjusted == pytest.approx([102.62467, 50.65617, 153.28084], abs=1e-5)
    assert result.adjusted == pytest.approx(EXPECTED, rel=1e-12)
    assert (A @ result.adjusted) == pytest.approx([0.0], abs=1e-9)
    assert result.chi2 == pytest.approx(100 / 95.25)
    assert result.dof == 1
    assert result.p_value == pytest.approx(math.erfc(math.sqrt(100 / 95.25 / 2)))  # chi-square, 1 dof
    assert result.adjusted_sd[0] == pytest.approx(np.sqrt(25 - 25**2 / 95.25))
    # a fixed row (sd 0) is not moved; the others take the whole correction
    fixed = flows.wls_adjust(X, np.array([0.0, 2.5, 8.0]), A)
    assert fixed.adjusted[0] == 100.0
    assert fixed.adjusted == pytest.approx([100, 50 + 6.25 * 10 / 70.25, 160 - 64 * 10 / 70.25])


def test_reconcile_park_ledger(tmp_path: Path) -> None:
    """The same case as a ledger: uncertainty is the relative standard uncertainty of each row."""
    streams = ("stream_id,enterprise_id,direction,material,quantity,unit,baseline,uncertainty\n"
               "K1,K,input,limestone,100,t/a,virgin,0.05\n"
               "K2,K,input,clay,50,t/a,virgin,0.05\n"
               "K3,K,output,cement,160,t/a,sold,0.05\n"
               "K4,K,input,electricity,360,GJ/a,grid_electricity,\n"  # energy: not in the mass balance
               "M1,M,output,fly_ash,10,t/a,landfill,\n")  # only outputs: not balanced unless asked
    park = load_park(write_package(tmp_path / "k", "enterprise_id,name,x_km,y_km\nK,水泥粉磨站,0,0\nM,另一家,1,1\n",
                                   streams))
    rec = flows.reconcile(park)
    assert rec.enterprises == ("K",)
    table = rec.flows.set_index("stream_id")
    assert list(table.index) == ["K1", "K2", "K3"]
    assert table["adjusted"].to_numpy() == pytest.approx(EXPECTED)
    assert table["quantity"].to_numpy() == pytest.approx(X)  # originals kept beside the adjusted values
    assert park.streams.set_index("stream_id").loc["K1", "quantity"] == 100  # and never overwritten
    assert table.loc["K1", "source_row"] == 2
    assert rec.chi2 == pytest.approx(100 / 95.25) and rec.dof == 1
    assert "p = 0.306" in rec.summary("en") and "协调" in rec.summary("zh")
    # rows without an uncertainty take the default
    default = flows.reconcile(park, enterprises=["M"], default_uncertainty=0.2)
    assert default.flows["uncertainty"].tolist() == [0.2]
    assert default.flows["adjusted"].tolist() == pytest.approx([0.0])  # a lone output forced to balance
    with pytest.raises(ValueError, match="unknown enterprise"):
        flows.reconcile(park, enterprises=["nobody"])
