"""The recommendation engine's pure algorithms: taste vectors (algorithm.py), group balance (blend.py).

Nothing here imports the rest of Cadenza; the heavy libraries (numpy, scipy, implicit) are
imported by the modules below, so import them only where they are needed, never at server start.
"""
