#include "core/style/style_aligned_handler.h"

namespace sa {

void StyleAlignedHandler::attach(UNet2DConditionModel unet, const LayerPlan& plan) {
    detach();
    const auto paths = unet->selfAttentionPaths();
    for (const auto& [path, settings] : plan.layers)
        if (std::find(paths.begin(), paths.end(), path) == paths.end())
            fail("layer plan names '{}', which is not a self-attention layer of this UNet; valid: {}", path,
                 fmt::join(paths, ", "));
    plan_ = plan;
    state_->fullAttentionShare = plan.fullAttentionShare;
    std::map<std::string, std::shared_ptr<AttnProcessor>> processors;
    sharedLayers_.clear();
    for (const auto& path : paths) {
        auto it = plan.layers.find(path);
        if (it == plan.layers.end() || !(it->second.changesAttention() || plan.fullAttentionShare)) continue;
        processors[path] = std::make_shared<SharedAttentionProcessor>(path, it->second, state_);
        sharedLayers_.push_back(path);
    }
    unet->setAttnProcessors(processors);
    if (plan.shareGroupNorm) {
        auto hook = std::make_shared<SharedGroupNormHook>(state_);
        for (auto* norm : unet->groupNorms()) norm->hook = hook;
    }
    // LayerNorm sharing of the reference normalizes each token on its own: nothing to install.
    unet_ = unet;
}

void StyleAlignedHandler::detach() {
    if (!unet_) return;
    unet_->setAttnProcessor(nullptr);
    for (auto* norm : unet_->groupNorms()) norm->hook.reset();
    unet_ = UNet2DConditionModel(nullptr);
    sharedLayers_.clear();
    state_->step = -1;
}

}  // namespace sa
