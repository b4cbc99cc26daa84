"""The plugins that ship with Rathaus. Each registers through the ``rathaus.plugins``
entry point exactly as a third-party plugin would; none imports another."""
