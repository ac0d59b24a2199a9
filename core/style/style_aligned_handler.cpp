#include "core/style/style_aligned_handler.h"

namespace sa {

void StyleAlignedHandler::attachRecorder(UNet2DConditionModel unet, ReferenceTape* tape) {
    detach();
    state_->mode = ReferenceMode::Record;
    state_->tape = tape;
    state_->fullAttentionShare = false;
    std::map<std::string, std::shared_ptr<AttnProcessor>> processors;
    for (const auto& path : unet->selfAttentionPaths()) processors[path] = std::make_shared<ReferenceRecorder>(path, state_);
    unet->setAttnProcessors(processors);
    auto hook = std::make_shared<SharedGroupNormHook>(state_);
    for (auto* norm : unet->groupNorms()) norm->hook = hook;
    unet_ = unet;
}

void StyleAlignedHandler::attach(UNet2DConditionModel unet, const LayerPlan& plan, ReferenceTape* replay) {
    detach();
    if (replay && plan.fullAttentionShare)
        fail("full_attention_share makes the reference depend on the targets: it cannot be replayed from a cache");
    state_->mode = replay ? ReferenceMode::Replay : ReferenceMode::Inline;
    state_->tape = replay;
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
    state_->mode = ReferenceMode::Inline;
    state_->tape = nullptr;
}

}  // namespace sa
