"""The workshop app: `streamlit run app_streamlit.py --server.headless true`.

Opens the bundled demo park on a first visit ($SYMBIOSIS_APP_PARK=path, or ?park=NAME of a park folder in datasets/,
chooses another; ?lang=zh starts in Chinese). Pages live in app/pages/, the functions they call in app/.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parent)
if _ROOT not in sys.path:  # `streamlit run` from another folder still finds the app package
    sys.path.insert(0, _ROOT)

from app.shell import main  # noqa: E402

main()
