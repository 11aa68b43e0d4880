"""Constants shared by the report tests and their fixtures."""

REPLICATIONS = 3
#: A one-year run keeps the fixtures fast (a few seconds for all four folders).
SHORT = {"site.horizon_days": 364, "run.replications": REPLICATIONS}
HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_DESCRIPTION = 'Two Drive IDVAs <img src=x onerror="alert(2)"> & "quotes"'
