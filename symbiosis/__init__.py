"""Domain core of the industrial-symbiosis flow analyzer: the Park, units, taxonomy, factors, errors."""

from symbiosis.core.errors import ParkError, Problem, SymbiosisError
from symbiosis.core.loader import load_files, load_park
from symbiosis.core.park import Park, ParkConfig

__all__ = ["Park", "ParkConfig", "ParkError", "Problem", "SymbiosisError", "load_files", "load_park"]
