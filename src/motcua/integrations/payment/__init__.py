"""Online payment: the gateway protocol, its HTTP client and a local sandbox (issue 16)."""
