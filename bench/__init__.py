"""The benchmark harness (`make bench`): seeds a network with COPY, measures pages, sweeps and load.

Installed only by ``bench.settings``; the production image and settings know nothing of it.
"""
