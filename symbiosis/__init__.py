"""Domain core of the industrial-symbiosis flow analyzer: the Park, units, taxonomy, factors, errors."""

from symbiosis.errors import ParkError, Problem, SymbiosisError
from symbiosis.loader import load_files, load_park
from symbiosis.park import Park, ParkConfig

__all__ = ["Park", "ParkConfig", "ParkError", "Problem", "SymbiosisError", "load_files", "load_park"]
