"""The REST API renders errors with the one shared renderer (oms.http.errors)."""

from oms.http.errors import ERROR_RESPONSES as ERROR_RESPONSES
from oms.http.errors import ErrorOut as ErrorOut
from oms.http.errors import install_error_handlers as install_error_handlers
from oms.http.errors import json_error as json_error
