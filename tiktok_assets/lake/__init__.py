"""The Parquet lake: explicit schemas, flattening, paths and atomic streaming writes over fsspec."""
