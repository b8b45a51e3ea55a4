"""The operator's web console (``python -m libs.console``, port 8105): pages over the services' admin APIs."""
