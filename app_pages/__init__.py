"""The web app's pages (run through ``app.py``); ``_shared`` holds their caches."""
