#pragma once
// The reference's StyleAlignedArgs (google/style-aligned sa_handler.py), field for field.
#include <vector>

namespace sa {

struct StyleAlignedArgs {
    bool share_group_norm = true;
    bool share_layer_norm = true;  // per-token no-op in the reference; kept for parity
    bool share_attention = true;
    bool adain_queries = true;
    bool adain_keys = true;
    bool adain_values = false;
    bool full_attention_share = false;
    double shared_score_scale = 1.0;
    double shared_score_shift = 0.0;
    double only_self_level = 0.0;
};

// sa_handler._get_switch_vec: which of `count` self-attention layers stay unshared for an
// `only_self_level` in [0, 1], spread evenly. (The reference divides by zero when
// level·count < 1; here that leaves every layer shared.)
std::vector<bool> onlySelfSwitch(int count, double level);

}  // namespace sa
