"""A script: its top-level loops are analyzed as a `<module>` kernel."""
X = 1
for i in range(3):
    X += i
