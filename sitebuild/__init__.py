"""Build, preview and serve the Pelican site."""
