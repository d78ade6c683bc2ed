"""The operator desktop. Qt lives only in ``desktop.ui``; the rest is Qt-free and tested without it."""
