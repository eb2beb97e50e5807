"""Workbook I/O: reading, patching, sealing and safely writing the month's .xlsx file."""
