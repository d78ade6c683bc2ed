"""The Qt user interface (PySide6 + qasync): the only part of the desktop that imports Qt."""
