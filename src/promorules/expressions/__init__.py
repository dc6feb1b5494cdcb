"""The condition language: parsed into an AST (never ``eval``-ed), then type-checked and
compiled by :mod:`promorules.compiler`."""

from .ast import Node, unparse
from .parser import ExpressionSyntaxError, parse

__all__ = ["ExpressionSyntaxError", "Node", "parse", "unparse"]
