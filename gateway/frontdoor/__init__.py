"""The front door: the one address of partners' scripts and the portal towards the parts.

The strict router (``routes``: one template per API.md path, the owning part), forwarding
(``proxy``), the service clients with their one transport (``clients``: pooled connections,
timeouts, circuit breakers, the gateway's proof), the security layer in front of Flask
(``security``: path and body limits, the admin port) and the merged OpenAPI document
(``openapi``).
"""
