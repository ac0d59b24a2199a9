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

// The fields UNet2DConditionModel shares with ControlNetModel: its encoder half (conv_in, the time
// and SDXL added embeddings, the down blocks, the mid block). One parser reads them for both
// networks, so a ControlNet config and a UNet config mean the same by the same key.
// Field names are the config.json keys, so the struct reads like the file.
struct UNetEncoderConfig {
    int in_channels = 4;
    std::vector<std::string> down_block_types;
    std::string mid_block_type = "UNetMidBlock2DCrossAttn";
    std::vector<int> block_out_channels;
    int layers_per_block = 2;
    int downsample_padding = 1;
    double mid_block_scale_factor = 1.0;
    std::string act_fn = "silu";
    int norm_num_groups = 32;
    double norm_eps = 1e-5;
    std::vector<int> cross_attention_dim;         // per down block
    std::vector<int> transformer_layers_per_block;  // per down block
    std::vector<int> num_attention_heads;         // per down block (diffusers reads attention_head_dim)
    bool use_linear_projection = false;
    bool flip_sin_to_cos = true;
    double freq_shift = 0;
    std::optional<std::string> addition_embed_type;  // "text_time" (SDXL)
    int addition_time_embed_dim = 0;
    int projection_class_embeddings_input_dim = 0;

    // Reads these fields (and refuses the values of shared keys this port does not reproduce).
    void readEncoderFields(const JsonConfig& json);
    // These fields as config.json keys (without _class_name).
    nlohmann::json encoderJson() const;
    int timeEmbedDim() const { return block_out_channels[0] * 4; }
    // What diffusers' get_down_block / UNetMidBlock2DCrossAttn receive for down block `index`.
    BlockOptions downBlockOptions(int index) const;
    BlockOptions midBlockOptions() const;
};

struct UNet2DConditionConfig : UNetEncoderConfig {
    int out_channels = 4;
    std::vector<std::string> up_block_types;
    std::vector<int> reverse_transformer_layers_per_block;  // per up block
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

// The `emb` both networks feed their resnets: time_embedding(sinusoid(timestep)), plus, with
// addition_embed_type "text_time", add_embedding([text_embeds, sinusoid(time_ids)]) (diffusers
// UNet2DConditionModel.forward / ControlNetModel.forward, steps 1 and 1.5). `network` names the
// caller in errors; `debug` receives "time_embedding" and "add_embedding".
torch::Tensor embedTimestep(const UNetEncoderConfig& config, TimestepEmbeddingImpl& timeEmbedding,
                            TimestepEmbeddingImpl* addEmbedding, const torch::Tensor& timestep, int64_t batch,
                            const AddedCond* added, const torch::Tensor& like, const std::string& network,
                            std::map<std::string, torch::Tensor>* debug = nullptr);

// ControlNet residuals (diffusers down_block_additional_residuals / mid_block_additional_residual):
// one per skip connection, in the order the down blocks produce them (conv_in's output first),
// added to the skips before the up blocks take them, and one added to the mid block's output.
// A residual may be [B, C, 1, 1] (global_pool_conditions): it is broadcast over the map.
struct UNetResiduals {
    std::vector<torch::Tensor> down;
    torch::Tensor mid;
};

class UNet2DConditionModelImpl : public torch::nn::Module {
public:
    explicit UNet2DConditionModelImpl(UNet2DConditionConfig config);

    // sample [B, C, h, w]; timestep 0-d or [B] (or [1]); context [B, 77, D].
    // `debug`, when given, receives every top-level block output by its diffusers name.
    // `residuals` (a ControlNet's): their count and shapes must match the skips, else an error.
    torch::Tensor forward(const torch::Tensor& sample, const torch::Tensor& timestep, const torch::Tensor& context,
                          const AddedCond* added = nullptr, std::map<std::string, torch::Tensor>* debug = nullptr,
                          const UNetResiduals* residuals = nullptr);

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
    UNet2DConditionConfig config_;
    std::vector<std::pair<std::string, AttentionImpl*>> attentionLayers_;
};
TORCH_MODULE(UNet2DConditionModel);

}  // namespace sa
