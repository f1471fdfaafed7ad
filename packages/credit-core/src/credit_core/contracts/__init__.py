"""Every shape that crosses a service boundary, declared once and parsed on both sides.

- :mod:`.applications`: the request bodies (an application and its history rows), generated from the schema;
- :mod:`.decisions`: the score answered, the decision record written to the prediction log, outcomes;
- :mod:`.applicants`: the applicant store's records;
- :mod:`.model_card`: what the trainer stores with a model version, and what the services say about it;
- :mod:`.model_artifacts`: the compiled model files a service loads from the registry (data, no code);
- :mod:`.explanations`: reasons, global importance, counter-offers, the reference population;
- :mod:`.drift`: drift runs and their summary.

Pydantic only: importable by any client without the data stack.
"""
