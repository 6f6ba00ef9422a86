import numpy as np

def neg_index(a, n):
    for i in range(1, n):  # sequential: a[-1] may be a[2*i]
        a[2 * i] = a[-1]

def view_alias(a, n):
    row = a[0]
    for i in range(1, n):  # sequential: row aliases a
        a[i, 0] = row[i]

def induction_continue(a, b, n):
    k = 0
    for i in range(n):  # sequential
        if a[i] < 0:
            continue
        b[k] = a[i]
        k += 1

def cond_last(a, b, n):
    t = 0.0
    for i in range(n):  # sequential (conditional last value)
        if a[i] > 0:
            t = a[i]
            b[i] = t
    return t

def last_ok(a, b, n):
    for i in range(n):  # parallel private(t) lastprivate(t)
        t = a[i]
        b[i] = t
    return t

def indirect_sub(a, b, idx, n):
    for i in range(n):  # sequential
        j = idx[i]
        b[j] = a[i]

def invariant_write(a, b, k, n):
    for i in range(n):  # sequential
        b[k] = a[i]

def tri_transpose(a, n):
    for i in range(n):  # parallel
        for j in range(i):  # parallel
            a[i, j] = a[j, i]

def odd_even_step(a, n):
    for i in range(0, n, 2):  # parallel
        a[i + 1] = a[i]

def down_anti(a, n):
    for i in range(n - 1, 0, -1):  # sequential
        a[i] = a[i - 1]

def delin_overlap(b, n, m):
    for i in range(n):  # sequential
        for j in range(m + 1):  # parallel
            b[i * m + j] = 1.0

def scalar_swap(a, b, n):
    x = 0.0
    y = 1.0
    for i in range(n):  # sequential
        x, y = y, x
        b[i] = x

def argmax(a, n):
    m = a[0]
    idx = 0
    for i in range(n):  # sequential
        if a[i] > m:
            m = a[i]
            idx = i
    return idx

def exposed_cell(a, b, out, n):
    for i in range(n):  # sequential
        out[0] += a[i]
        b[i] = out[0]

def global_arr(n):
    for i in range(n):  # sequential
        G[i] = G[i + 1]

def alias_param(a, n):
    c = a
    for i in range(n - 1):  # sequential
        c[i] = a[i + 1]

def self_update_invariant(x, m):
    for j in range(m):  # sequential
        x[0] += x[j]

def doubling(x, m):
    for j in range(m):  # parallel
        x[j] += x[j]

def mod_sub(a, n):
    for i in range(n):  # sequential
        a[i % 4] = i

def private_partial(a, b, n, m):
    tmp = np.zeros(m)
    for i in range(n):  # sequential: tmp[m-1] read but only tmp[0..m-2] written
        for j in range(m - 1):
            tmp[j] = a[i, j]
        b[i] = tmp[m - 1]

def private_cond(a, b, n, m):
    tmp = np.zeros(m)
    for i in range(n):  # sequential
        if a[i, 0] > 0:
            for j in range(m):
                tmp[j] = a[i, j]
        b[i] = tmp[0]

def private_live(a, b, n, m):
    tmp = np.zeros(m)
    for i in range(n):  # sequential: tmp used after
        for j in range(m):
            tmp[j] = a[i, j]
        b[i] = tmp[0]
    return tmp

def nonlinear_bound(a, n):
    for i in range(n):  # sequential
        for j in range(i * i):
            a[j] = i

def while_var(a, n):
    for i in range(n):  # sequential: k carried
        k = 0
        while k < i:
            k += 1
        a[k] = 1.0

def induction_param_start(a, b, n, k):
    for i in range(n):  # parallel induction
        b[k] = a[i]
        k += 1

def reversed_induction(a, b, n):
    k = n - 1
    for i in range(n):  # parallel induction
        b[k] = a[i]
        k -= 1

def enum_row(a, b):
    for i, row in enumerate(a):  # sequential: row is a view of a
        row[0] = b[i]
        a[i + 1, 0] = 1.0
