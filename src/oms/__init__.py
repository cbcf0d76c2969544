"""OMS: Optical Management System for optical clinic chains, with real-time notification."""

__version__ = "0.1.0"
