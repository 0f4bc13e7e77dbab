"""Software-defined assets: ingestion of the landing area, then the dbt project."""
