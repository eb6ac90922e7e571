"""The Django project: settings, URLs and the one place that boots Django for the CLI."""
