"""The professionals' web app (/pro/): server-rendered pages, htmx, live updates."""
