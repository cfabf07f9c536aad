"""The Streamlit workshop app: thin pages (app/pages/*.py) over plain functions (the other modules here).

Every function a page calls is reachable from a test without a browser; streamlit is imported only by the
pages, by `app.shell` (navigation, language switch) and by `app.compute` (content-keyed caches).
"""
