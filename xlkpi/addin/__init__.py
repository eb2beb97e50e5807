"""The Excel add-in: the .xlam build (VBA project, ribbon) and the Python behind its buttons."""
