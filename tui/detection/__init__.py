"""The detection pipeline, free of Textual: one cluster snapshot from a fixed set of requests
(``snapshot_builder``), the shared detection helpers plugins use (``detect``), the board's
evaluation of every plugin over it (``evaluate``), and the model that owns the rebuilds and
publishes the detections (``model``). The app and ``report`` use it; widgets only render
what the model publishes."""
