"""The REST API renders errors with the one shared renderer (oms.http.errors)."""

from oms.http.errors import error_body as error_body
from oms.http.errors import install_error_handlers as install_error_handlers
