"""Build benchmarks: this engine against stock Pelican, the preview's edit loop, and scaling."""
