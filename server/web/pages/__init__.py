"""The web app's routes, one module per screen (or group of screens)."""
