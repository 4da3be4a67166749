"""Text cleaning: normalisation (`normalise`), the line-level boilerplate filter with one
named rule per kind of page furniture (`linefilter`), and the cleaner that runs both and
reads the header metadata (`cleaner`; the readers live in `etl.extract.header`).

The package imports none of its modules here, so `etl.extract.header` can use the
normaliser and the line filter while the cleaner uses the header readers.
"""
