#pragma once
// Cache of recorded reference branches (ReferenceTape), keyed by everything that determines
// them, so that changing target prompts, seeds or the layer plan re-runs only the targets.
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include "core/style/reference_tape.h"

namespace sa {

struct StableDiffusionModel;
struct StyleAlignedRequest;

class ReferenceCache {
public:
    explicit ReferenceCache(int64_t maxBytes = int64_t{2} << 30) : maxBytes_(maxBytes) {}

    std::shared_ptr<ReferenceTape> find(const std::string& key);
    bool contains(const std::string& key) const;  // no effect on order or counters
    // Keeps the most recently used tapes within the byte budget; a tape larger than the whole
    // budget is not kept.
    void store(const std::string& key, std::shared_ptr<ReferenceTape> tape);
    void clear();
    int64_t bytes() const;
    int hits() const { return hits_; }
    int misses() const { return misses_; }

private:
    mutable std::mutex mutex_;
    int64_t maxBytes_;
    std::list<std::pair<std::string, std::shared_ptr<ReferenceTape>>> entries_;  // most recent first
    int hits_ = 0, misses_ = 0;
};

// What the reference branch depends on: the model instance, size, steps, the reference's
// prompt, negative prompt and seed (text mode; the guidance too, it moves the reference's own
// trajectory) or its image, caption, offset and inversion guidance (image mode). `request` must
// be resolved (resolveRequest). A control that steers the reference (ControlMode::EveryImage)
// is part of the key.
// The key includes the active LoRAs and their weights (StableDiffusionModel::loraSignature).
std::string referenceKey(const StableDiffusionModel& model, const StyleAlignedRequest& request);

}  // namespace sa
