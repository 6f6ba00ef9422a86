def blur(a, b, n, m):
    # a comment above the loop
    for i in range(1, n - 1):   # trailing comment on the header
        # inside the body
        for j in range(1, m - 1):
            b[i, j] = (a[i - 1, j] +   # continued
                       a[i + 1, j]) * 0.5

    return b  # after a blank line
