#include "core/style/reference_tape.h"

namespace sa {

int64_t ReferenceTape::bytes() const {
    auto size = [](const torch::Tensor& t) { return t.defined() ? t.numel() * t.element_size() : int64_t{0}; };
    int64_t total = size(zts) + size(finalLatent);
    for (const auto& step : steps) {
        total += size(step.latent) + size(step.x0Preview);
        for (const auto& [path, a] : step.attention)
            total += size(a.key) + size(a.value) + size(a.queryMean) * 6;
        for (const auto& [norm, n] : step.norms) total += size(n.sum) * 2;
    }
    return total;
}

}  // namespace sa
