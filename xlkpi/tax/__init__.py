"""Net pay: individual income tax withholding, social insurance, housing fund and the 个税 sheet."""
