"""The benchmark behind ``manage.py bench``: seed a large provider network, measure pages and sweeps."""
