"""One module per `oms` process (`oms gateway`, `oms api`, `oms worker`), plus what they share:
each process imports what it runs and no more, so a gateway node never loads the REST routers,
and a worker never loads FastAPI, socket.io or uvicorn (every `oms` start costs CPU for each
library it imports). `oms serve` composes all of them (`oms.server`)."""
