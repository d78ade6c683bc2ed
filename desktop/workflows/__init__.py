"""Qt-free state machines of the desktop: the five-step wizard and the call flow."""
