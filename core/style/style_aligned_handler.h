#pragma once
// Switches StyleAligned on and off on a UNet (reference sa_handler.Handler): one shared-attention
// processor per planned self-attention layer plus the shared-GroupNorm hook, installed from
// outside; detach() restores the stock processors and norms, after which the UNet output is
// the plain one bit for bit.
#include <memory>
#include <string>
#include <vector>

#include "core/models/unet_2d_condition.h"
#include "core/style/layer_plan.h"
#include "core/style/shared_attention.h"

namespace sa {

class StyleAlignedHandler {
public:
    StyleAlignedHandler() : state_(std::make_shared<StyleAlignedState>()) {}
    ~StyleAlignedHandler() { detach(); }
    StyleAlignedHandler(const StyleAlignedHandler&) = delete;
    StyleAlignedHandler& operator=(const StyleAlignedHandler&) = delete;

    // Validates the plan against the UNet's self-attention layers (unknown path → error).
    // With a tape the batch holds only targets and the reference is replayed from it.
    void attach(UNet2DConditionModel unet, const LayerPlan& plan, ReferenceTape* replay = nullptr);
    // The batch holds only the references (one per group); every self-attention layer and
    // GroupNorm records into `tape`, whose steps must already be sized.
    void attachRecorder(UNet2DConditionModel unet, ReferenceTape* tape);
    void detach();
    bool attached() const { return static_cast<bool>(unet_); }

    // The denoising loop reports the step so per-layer step ranges apply.
    void setStep(int step) { state_->step = step; }
    // Parts of the batch, each with its reference first (2 with CFG, 1 without).
    void setGroups(int64_t groups) { state_->groups = groups; }
    void setObserver(SharedAttentionObserver observer) { state_->observer = std::move(observer); }
    const std::shared_ptr<StyleAlignedState>& state() const { return state_; }

    // Layers that received the shared processor, in UNet order.
    const std::vector<std::string>& sharedLayers() const { return sharedLayers_; }
    const LayerPlan& plan() const { return plan_; }

private:
    UNet2DConditionModel unet_{nullptr};
    LayerPlan plan_;
    std::shared_ptr<StyleAlignedState> state_;
    std::vector<std::string> sharedLayers_;
};

}  // namespace sa
