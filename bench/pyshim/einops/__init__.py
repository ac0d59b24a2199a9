# The two einops.rearrange patterns google/style-aligned sa_handler.py uses (python3-einops is
# not packaged in Debian bookworm).
def rearrange(x, pattern, **sizes):
    if pattern == '(k b) n d -> k (b n) d':
        k = sizes['k']
        return x.reshape(k, x.shape[0] // k, x.shape[1], x.shape[2]).reshape(k, -1, x.shape[2])
    if pattern == 'k (b n) d -> (k b) n d':
        n = sizes['n']
        return x.reshape(x.shape[0], x.shape[1] // n, n, x.shape[2]).reshape(-1, n, x.shape[2])
    raise NotImplementedError(pattern)
