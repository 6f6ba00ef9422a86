"""The IR both frontends lower to: frozen nodes with spans, subscript polynomials, walks."""
