"""What every stage shares: settings, errors and review weeks. No stage logic, no Dagster."""
