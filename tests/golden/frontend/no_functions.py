"""A module with no functions: nothing to lower."""
X = 1
for i in range(3):
    X += i
