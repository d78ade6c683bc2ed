"""French communes: the bundled dataset (INSEE code, postal codes, centroid) and its search."""

from server.geo.communes import Commune, CommuneIndex, commune_index

__all__ = ["Commune", "CommuneIndex", "commune_index"]
