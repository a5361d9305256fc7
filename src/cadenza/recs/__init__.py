"""The recommendation engine: training (algorithm, build, in a process of its own), the model's
files (store) and the model as the server reads it (served). Only `store` is free of numpy: the
HTTP process imports the rest when a recommendation is first asked."""
