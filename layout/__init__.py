"""Table grid reconstruction: spans from markup, geometry or flattened text."""
