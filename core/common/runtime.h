#pragma once
// Process-wide runtime settings: compute device and CPU threads.
#include <string>

#include <torch/torch.h>

namespace sa {

// LibTorch as packaged by Debian starts with a single intra-op thread. This sets the intra-op
// thread count to `threads`, or when 0 to $STYLEALIGNED_THREADS, or else to every core the
// process may use, and keeps freed memory blocks of up to 32 MiB in the heap (glibc returns
// them to the kernel by default, and the next step pays the page faults again). Returns the
// thread count in effect. Call once at start-up (CLI, GUI, tests).
int configureRuntime(int threads = 0);

// "auto" (CUDA when available, else CPU), "cpu", "cuda", "cuda:N". $STYLEALIGNED_DEVICE
// overrides "auto". Throws sa::Error for an unknown or unavailable device.
torch::Device selectDevice(const std::string& name = "auto");

}  // namespace sa
