"""The recommendation engine: the pure algorithms (taste vectors in algorithm.py, group balance
in blend.py), training (build, in a process of its own), the model's files (store) and the model
as the server reads it (served). Only `store` and `blend` are free of numpy: the HTTP process
imports the rest when a recommendation is first asked, never at start."""
