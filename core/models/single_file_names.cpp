#include "core/models/single_file_names.h"

#include <fmt/format.h>

namespace sa {
namespace {

// A diffusers ResnetBlock2D ← an LDM ResBlock (openaimodel.py): in_layers = [GroupNorm, SiLU,
// conv], emb_layers = [SiLU, linear], out_layers = [GroupNorm, SiLU, dropout, conv].
void unetResnet(NameTable& t, const std::string& module, const std::string& file) {
    t.prefix(module + "norm1.", file + "in_layers.0.");
    t.prefix(module + "conv1.", file + "in_layers.2.");
    t.prefix(module + "time_emb_proj.", file + "emb_layers.1.");
    t.prefix(module + "norm2.", file + "out_layers.0.");
    t.prefix(module + "conv2.", file + "out_layers.3.");
    t.prefix(module + "conv_shortcut.", file + "skip_connection.");
}

// A diffusers ResnetBlock2D ← an LDM VAE ResnetBlock (same names but the shortcut).
void vaeResnet(NameTable& t, const std::string& module, const std::string& file) {
    for (const char* same : {"norm1.", "conv1.", "norm2.", "conv2."}) t.prefix(module + same, file + same);
    t.prefix(module + "conv_shortcut.", file + "nin_shortcut.");
}

// diffusers' VAE mid-block Attention ← the LDM AttnBlock (1×1 convolutions q, k, v, proj_out).
void vaeAttention(NameTable& t, const std::string& module, const std::string& file) {
    t.prefix(module + "group_norm.", file + "norm.");
    for (auto [to, from] : {std::pair{"to_q", "q"}, {"to_k", "k"}, {"to_v", "v"}, {"to_out.0", "proj_out"}}) {
        t.exact(module + to + ".weight", file + from + ".weight", TensorTransform::Squeeze1x1);
        t.exact(module + to + ".bias", file + from + ".bias");
    }
}

}  // namespace

NameTable unetNameTable(const UNet2DConditionConfig& c, const std::string& filePrefix) {
    NameTable t(filePrefix);
    t.prefix("conv_in.", "input_blocks.0.0.");
    t.prefix("time_embedding.linear_1.", "time_embed.0.");
    t.prefix("time_embedding.linear_2.", "time_embed.2.");
    if (c.addition_embed_type) {
        t.prefix("add_embedding.linear_1.", "label_emb.0.0.");
        t.prefix("add_embedding.linear_2.", "label_emb.0.2.");
    }
    const int blocks = static_cast<int>(c.block_out_channels.size());
    const int layers = c.layers_per_block;
    // input_blocks: conv_in, then per level `layers` × [ResBlock, SpatialTransformer?] and a
    // Downsample (all levels but the last).
    for (int i = 0; i < blocks; ++i) {
        for (int j = 0; j < layers; ++j) {
            const int k = 1 + i * (layers + 1) + j;
            unetResnet(t, fmt::format("down_blocks.{}.resnets.{}.", i, j), fmt::format("input_blocks.{}.0.", k));
            if (c.down_block_types[i] == "CrossAttnDownBlock2D")
                t.prefix(fmt::format("down_blocks.{}.attentions.{}.", i, j), fmt::format("input_blocks.{}.1.", k));
        }
        if (i < blocks - 1)
            t.prefix(fmt::format("down_blocks.{}.downsamplers.0.conv.", i), fmt::format("input_blocks.{}.0.op.", (i + 1) * (layers + 1)));
    }
    unetResnet(t, "mid_block.resnets.0.", "middle_block.0.");
    t.prefix("mid_block.attentions.0.", "middle_block.1.");
    unetResnet(t, "mid_block.resnets.1.", "middle_block.2.");
    // output_blocks: per level `layers + 1` × [ResBlock, SpatialTransformer?, Upsample on the last].
    for (int i = 0; i < blocks; ++i) {
        const bool attention = c.up_block_types[i] == "CrossAttnUpBlock2D";
        for (int j = 0; j <= layers; ++j) {
            const int k = i * (layers + 1) + j;
            unetResnet(t, fmt::format("up_blocks.{}.resnets.{}.", i, j), fmt::format("output_blocks.{}.0.", k));
            if (attention) t.prefix(fmt::format("up_blocks.{}.attentions.{}.", i, j), fmt::format("output_blocks.{}.1.", k));
        }
        if (i < blocks - 1)
            t.prefix(fmt::format("up_blocks.{}.upsamplers.0.conv.", i),
                     fmt::format("output_blocks.{}.{}.conv.", i * (layers + 1) + layers, attention ? 2 : 1));
    }
    t.prefix("conv_norm_out.", "out.0.");
    t.prefix("conv_out.", "out.2.");
    return t;
}

NameTable vaeNameTable(const AutoencoderKLConfig& c, const std::string& filePrefix) {
    NameTable t(filePrefix);
    const int blocks = static_cast<int>(c.block_out_channels.size());
    for (const char* side : {"encoder", "decoder"}) {
        const std::string s = side;
        t.prefix(s + ".conv_in.", s + ".conv_in.");
        t.prefix(s + ".conv_out.", s + ".conv_out.");
        t.prefix(s + ".conv_norm_out.", s + ".norm_out.");
        vaeResnet(t, s + ".mid_block.resnets.0.", s + ".mid.block_1.");
        vaeResnet(t, s + ".mid_block.resnets.1.", s + ".mid.block_2.");
        vaeAttention(t, s + ".mid_block.attentions.0.", s + ".mid.attn_1.");
    }
    for (int i = 0; i < blocks; ++i) {
        for (int j = 0; j < c.layers_per_block; ++j)
            vaeResnet(t, fmt::format("encoder.down_blocks.{}.resnets.{}.", i, j), fmt::format("encoder.down.{}.block.{}.", i, j));
        if (i < blocks - 1)
            t.prefix(fmt::format("encoder.down_blocks.{}.downsamplers.0.conv.", i), fmt::format("encoder.down.{}.downsample.conv.", i));
        // The LDM decoder numbers its levels from the lowest resolution up: up.{n-1} runs first.
        const int level = blocks - 1 - i;
        for (int j = 0; j <= c.layers_per_block; ++j)
            vaeResnet(t, fmt::format("decoder.up_blocks.{}.resnets.{}.", i, j), fmt::format("decoder.up.{}.block.{}.", level, j));
        if (i < blocks - 1)
            t.prefix(fmt::format("decoder.up_blocks.{}.upsamplers.0.conv.", i), fmt::format("decoder.up.{}.upsample.conv.", level));
    }
    t.prefix("quant_conv.", "quant_conv.");
    t.prefix("post_quant_conv.", "post_quant_conv.");
    // Some files carry the autoencoder's training loss (LPIPS, discriminator).
    t.skip("loss.");
    return t;
}

NameTable clipTextNameTable(const std::string& filePrefix, bool withTextModelLevel) {
    NameTable t(filePrefix);
    t.prefix("text_model.", withTextModelLevel ? "text_model." : "");
    t.skip(withTextModelLevel ? "text_model.embeddings.position_ids" : "embeddings.position_ids");
    return t;
}

NameTable openClipTextNameTable(const std::string& filePrefix, int layers, bool useProjection) {
    NameTable t(filePrefix);
    t.prefix("text_model.embeddings.token_embedding.", "token_embedding.");
    t.exact("text_model.embeddings.position_embedding.weight", "positional_embedding");
    for (int i = 0; i < layers; ++i) {
        const auto module = fmt::format("text_model.encoder.layers.{}.", i);
        const auto file = fmt::format("transformer.resblocks.{}.", i);
        for (auto [proj, chunk] : {std::pair{"q_proj", TensorTransform::ChunkQ}, {"k_proj", TensorTransform::ChunkK},
                                   {"v_proj", TensorTransform::ChunkV}}) {
            t.exact(module + "self_attn." + proj + ".weight", file + "attn.in_proj_weight", chunk);
            t.exact(module + "self_attn." + proj + ".bias", file + "attn.in_proj_bias", chunk);
        }
        t.prefix(module + "self_attn.out_proj.", file + "attn.out_proj.");
        t.prefix(module + "layer_norm1.", file + "ln_1.");
        t.prefix(module + "layer_norm2.", file + "ln_2.");
        t.prefix(module + "mlp.fc1.", file + "mlp.c_fc.");
        t.prefix(module + "mlp.fc2.", file + "mlp.c_proj.");
    }
    t.prefix("text_model.final_layer_norm.", "ln_final.");
    if (useProjection)
        t.exact("text_projection.weight", "text_projection", TensorTransform::Transpose);
    else
        t.skip("text_projection");
    t.skip("logit_scale");
    t.skip("attn_mask");  // some OpenCLIP exports store the causal mask
    t.skip("visual.");    // or the whole CLIP model, image tower included
    return t;
}

}  // namespace sa
