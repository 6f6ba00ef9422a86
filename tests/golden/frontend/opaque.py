"""Constructs the IR does not model: each becomes Opaque with its reason, never a crash."""


def unmodelled(a, items, n):
    with open("log") as f:
        f.write("x")
    for x in items:
        a[0] += x
    for key, value in table.items():
        a[0] += value
    for i in range(n):
        a[i] = [v for v in items][0]
    for i in range(n):
        pass
    else:
        a[0] = 1
    try:
        a[1] = 2
    except IndexError:
        pass
    global counter
    del a
    f = lambda q: q + 1
    return f(a)
