#include "core/common/runtime.h"

#include <malloc.h>
#include <sched.h>

#include <cstdlib>
#include <thread>

#include "core/common/error.h"

namespace sa {

int configureRuntime(int threads) {
    if (threads <= 0) {
        if (const char* env = std::getenv("STYLEALIGNED_THREADS"); env && *env) threads = std::atoi(env);
    }
    if (threads <= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        threads = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set)
                                                                 : static_cast<int>(std::thread::hardware_concurrency());
    }
    threads = std::max(threads, 1);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    torch::set_num_threads(threads);
    return torch::get_num_threads();
}

torch::Device selectDevice(const std::string& requested) {
    std::string name = requested;
    if (name == "auto") {
        if (const char* env = std::getenv("STYLEALIGNED_DEVICE"); env && *env) name = env;
    }
    if (name == "auto") return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    try {
        torch::Device device(name);
        if (device.is_cuda() && !torch::cuda::is_available())
            fail("device '{}' was requested but this LibTorch build has no usable CUDA device", name);
        return device;
    } catch (const c10::Error&) {
        fail("unknown device '{}' (use auto, cpu, cuda or cuda:N)", name);
    }
}

}  // namespace sa
