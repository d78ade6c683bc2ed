"""The national directory: RPPS import, professional search and caller lookup."""
