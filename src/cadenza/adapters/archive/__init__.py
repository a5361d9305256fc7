"""Files of the listening archive (Parquet through pyarrow): imported only by the archiver."""
