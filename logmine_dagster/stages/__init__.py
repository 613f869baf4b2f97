"""The pipeline's stages as plain functions over the database: assets, the CLI and tests call them."""
