"""The gateway's outside world: mail delivery, the payment processor, PDF rendering."""
