"""The translator loop: a model proposes parallel code, the legality gate and the tester decide."""
