"""The review app's routes, one module per page (or group of admin pages); each exposes ROUTES."""
