"""thidua-etl: Vietnamese local-government news into validated Parquet facts."""

__version__ = "0.1.0"
