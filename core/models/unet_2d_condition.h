#pragma once
// UNet2DConditionModel (diffusers models/unets/unet_2d_condition.py, v0.25) for SD 1.x, SD 2.x
// and SDXL (addition_embed_type "text_time").
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/io/json_config.h"
#include "core/models/embeddings.h"
#include "core/models/unet_2d_blocks.h"

namespace sa {

// Field names are the config.json keys, so the struct reads like the file.
struct UNet2DConditionConfig {
    int in_channels = 4;
    int out_channels = 4;
    std::vector<std::string> down_block_types;
    std::string mid_block_type = "UNetMidBlock2DCrossAttn";
    std::vector<std::string> up_block_types;
    std::vector<int> block_out_channels;
    int layers_per_block = 2;
    int downsample_padding = 1;
    double mid_block_scale_factor = 1.0;
    std::string act_fn = "silu";
    int norm_num_groups = 32;
    double norm_eps = 1e-5;
    std::vector<int> cross_attention_dim;         // per down block
    std::vector<int> transformer_layers_per_block;  // per down block
    std::vector<int> reverse_transformer_layers_per_block;  // per up block
    std::vector<int> num_attention_heads;         // per down block (diffusers reads attention_head_dim)
    bool use_linear_projection = false;
    bool flip_sin_to_cos = true;
    double freq_shift = 0;
    std::optional<std::string> addition_embed_type;  // "text_time" (SDXL)
    int addition_time_embed_dim = 0;
    int projection_class_embeddings_input_dim = 0;
    int conv_in_kernel = 3;
    int conv_out_kernel = 3;
    int sample_size = 64;

    static UNet2DConditionConfig fromJson(const JsonConfig& json);
    static UNet2DConditionConfig load(const std::filesystem::path& configFile);
    nlohmann::json toJson() const;  // a diffusers config.json
};

// Extra conditioning of SDXL (added_cond_kwargs).
struct AddedCond {
    torch::Tensor textEmbeds;  // [B, projection_dim]
    torch::Tensor timeIds;     // [B, 6]
};

class UNet2DConditionModelImpl : public torch::nn::Module {
public:
    explicit UNet2DConditionModelImpl(UNet2DConditionConfig config);

    // sample [B, C, h, w]; timestep 0-d or [B] (or [1]); context [B, 77, D].
    // `debug`, when given, receives every top-level block output by its diffusers name.
    torch::Tensor forward(const torch::Tensor& sample, const torch::Tensor& timestep, const torch::Tensor& context,
                          const AddedCond* added = nullptr, std::map<std::string, torch::Tensor>* debug = nullptr);

    // Every attention layer by diffusers path ("down_blocks.0.attentions.0.transformer_blocks.0.attn1"),
    // in diffusers' `attn_processors` order (down blocks, up blocks, mid block).
    const std::vector<std::pair<std::string, AttentionImpl*>>& attentionLayers() const { return attentionLayers_; }
    std::vector<std::string> selfAttentionPaths() const;
    AttentionImpl& attentionLayer(const std::string& path) const;
    // Sets processors by path; an unknown path is an error listing the valid ones.
    void setAttnProcessors(const std::map<std::string, std::shared_ptr<AttnProcessor>>& processors);
    void setAttnProcessor(const std::shared_ptr<AttnProcessor>& processor);  // every layer
    // Every GroupNorm of the UNet (where StyleAligned's shared-norm hook goes).
    std::vector<GroupNormImpl*> groupNorms();

    const UNet2DConditionConfig& config() const { return config_; }
    int numUpsamplers() const { return static_cast<int>(config_.block_out_channels.size()) - 1; }

    Conv2d convIn{nullptr}, convOut{nullptr};
    TimestepEmbedding timeEmbedding{nullptr}, addEmbedding{nullptr};
    std::vector<DownBlock> downBlocks;
    std::vector<UpBlock> upBlocks;
    MidBlockCrossAttn midBlock{nullptr};
    GroupNorm convNormOut{nullptr};

private:
    torch::Tensor timeEmbed(const torch::Tensor& timestep, int64_t batch, const AddedCond* added,
                            std::map<std::string, torch::Tensor>* debug);

    UNet2DConditionConfig config_;
    std::vector<std::pair<std::string, AttentionImpl*>> attentionLayers_;
};
TORCH_MODULE(UNet2DConditionModel);

}  // namespace sa
