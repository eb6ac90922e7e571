"""The public error-report platform (我为政府网站找错)."""
