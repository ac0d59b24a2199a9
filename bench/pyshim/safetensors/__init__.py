# Minimal pure-Python stand-in for the safetensors package (the real one needs its Rust
# extension, which Debian bookworm does not package). Only what diffusers 0.25 loading uses.
__version__ = "0.4.0"
from . import torch  # noqa: E402  (diffusers calls safetensors.torch.load_file after 'import safetensors')
