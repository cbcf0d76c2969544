"""HTTP plumbing shared by the REST API (`oms.api`) and the gateway's own HTTP side
(`oms.gateway.ops`): request-scoped dependencies and the one error renderer. Neither of them
imports the other; both import this."""
