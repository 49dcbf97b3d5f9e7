"""The bundled sample data set (see scripts/make_sample.py)."""
