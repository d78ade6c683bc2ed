"""A virtual smart card behind a real pcscd: vpcd socket protocol, ISO 7816-4 file system, profiles."""
