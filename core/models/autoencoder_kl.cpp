#include "core/models/autoencoder_kl.h"

namespace sa {

AutoencoderKLConfig AutoencoderKLConfig::fromJson(const JsonConfig& j) {
    AutoencoderKLConfig c;
    j.expectOneOf("_class_name", {"AutoencoderKL"});
    c.in_channels = j.get<int>("in_channels", 3);
    c.out_channels = j.get<int>("out_channels", 3);
    c.latent_channels = j.get<int>("latent_channels", 4);
    c.block_out_channels = j.get<std::vector<int>>("block_out_channels");
    c.layers_per_block = j.get<int>("layers_per_block", 1);
    c.norm_num_groups = j.get<int>("norm_num_groups", 32);
    c.act_fn = j.get<std::string>("act_fn", "silu");
    activationByName(c.act_fn, j.where() + " act_fn");  // fail here, naming the file
    c.scaling_factor = j.get<double>("scaling_factor", 0.18215);
    c.sample_size = j.get<int>("sample_size", 32);
    const size_t blocks = c.block_out_channels.size();
    auto down = j.get<std::vector<std::string>>("down_block_types");
    auto up = j.get<std::vector<std::string>>("up_block_types");
    if (blocks == 0 || down.size() != blocks || up.size() != blocks)
        fail("{}: block_out_channels, down_block_types and up_block_types must have the same non-zero length",
             j.where());
    for (const auto& t : down)
        if (t != "DownEncoderBlock2D") fail("{}: down_block_types: '{}' is not supported (DownEncoderBlock2D)", j.where(), t);
    for (const auto& t : up)
        if (t != "UpDecoderBlock2D") fail("{}: up_block_types: '{}' is not supported (UpDecoderBlock2D)", j.where(), t);
    j.expectOneOf("shift_factor", {0.0, 0});
    j.expectOneOf("use_quant_conv", {true});
    j.expectOneOf("use_post_quant_conv", {true});
    j.expectOneOf("mid_block_add_attention", {true});
    // force_upcast only matters for fp16 weights (we decode in the weights' dtype on CPU).
    j.ignore({"force_upcast", "latents_mean", "latents_std"});
    j.finish();
    return c;
}

nlohmann::json AutoencoderKLConfig::toJson() const {
    const std::vector<std::string> down(block_out_channels.size(), "DownEncoderBlock2D");
    const std::vector<std::string> up(block_out_channels.size(), "UpDecoderBlock2D");
    return {{"_class_name", "AutoencoderKL"},  {"_diffusers_version", "0.25.0"},
            {"act_fn", act_fn},                {"block_out_channels", block_out_channels},
            {"down_block_types", down},        {"up_block_types", up},
            {"in_channels", in_channels},      {"out_channels", out_channels},
            {"latent_channels", latent_channels}, {"layers_per_block", layers_per_block},
            {"norm_num_groups", norm_num_groups}, {"sample_size", sample_size},
            {"scaling_factor", scaling_factor}, {"force_upcast", true}};
}

AutoencoderKLConfig AutoencoderKLConfig::load(const std::filesystem::path& configFile) {
    return fromJson(JsonConfig::load(configFile));
}

namespace {

BlockOptions vaeBlock(const AutoencoderKLConfig& c) {
    return BlockOptions{.groups = c.norm_num_groups, .eps = 1e-6, .act = c.act_fn, .downsamplePadding = 0};
}

}  // namespace

VaeEncoderImpl::VaeEncoderImpl(const AutoencoderKLConfig& c) : act(activationByName(c.act_fn, "vae/config.json act_fn")) {
    const auto& ch = c.block_out_channels;
    convIn = register_module("conv_in", conv2d(c.in_channels, ch[0], 3, 1, 1));
    for (size_t i = 0; i < ch.size(); ++i) {
        auto o = vaeBlock(c);
        o.inChannels = ch[i == 0 ? 0 : i - 1];
        o.outChannels = ch[i];
        o.layers = c.layers_per_block;
        o.addSample = i + 1 < ch.size();
        downBlocks.push_back(DownBlock(o));
    }
    registerList(*this, "down_blocks", downBlocks);
    auto mid = vaeBlock(c);
    mid.inChannels = ch.back();
    mid.layers = 1;
    midBlock = register_module("mid_block", MidBlock(mid));
    convNormOut = register_module("conv_norm_out", GroupNorm(c.norm_num_groups, ch.back(), 1e-6));
    convOut = register_module("conv_out", conv2d(ch.back(), 2 * c.latent_channels, 3, 1, 1));
}

torch::Tensor VaeEncoderImpl::forward(const torch::Tensor& x) {
    auto h = convIn(x);
    for (auto& block : downBlocks) h = block(h, torch::Tensor(), torch::Tensor(), nullptr);
    h = midBlock(h);
    return convOut(act(convNormOut(h)));
}

VaeDecoderImpl::VaeDecoderImpl(const AutoencoderKLConfig& c) : act(activationByName(c.act_fn, "vae/config.json act_fn")) {
    const auto& ch = c.block_out_channels;
    const int n = static_cast<int>(ch.size());
    convIn = register_module("conv_in", conv2d(c.latent_channels, ch.back(), 3, 1, 1));
    auto mid = vaeBlock(c);
    mid.inChannels = ch.back();
    mid.layers = 1;
    midBlock = register_module("mid_block", MidBlock(mid));
    for (int i = 0; i < n; ++i) {
        auto o = vaeBlock(c);
        o.prevOutputChannels = ch[std::min(n - i, n - 1)];  // the previous block's output
        o.outChannels = ch[n - 1 - i];
        o.layers = c.layers_per_block + 1;
        o.addSample = i + 1 < n;
        upBlocks.push_back(UpBlock(o, false));
    }
    registerList(*this, "up_blocks", upBlocks);
    convNormOut = register_module("conv_norm_out", GroupNorm(c.norm_num_groups, ch[0], 1e-6));
    convOut = register_module("conv_out", conv2d(ch[0], c.out_channels, 3, 1, 1));
}

torch::Tensor VaeDecoderImpl::forward(const torch::Tensor& z) {
    auto h = midBlock(convIn(z));
    for (auto& block : upBlocks) h = block(h, nullptr, torch::Tensor(), torch::Tensor(), std::nullopt);
    return convOut(act(convNormOut(h)));
}

AutoencoderKLImpl::AutoencoderKLImpl(AutoencoderKLConfig config) : config_(std::move(config)) {
    encoder = register_module("encoder", VaeEncoder(config_));
    decoder = register_module("decoder", VaeDecoder(config_));
    const int latent = config_.latent_channels;
    quantConv = register_module("quant_conv", conv2d(2 * latent, 2 * latent, 1));
    postQuantConv = register_module("post_quant_conv", conv2d(latent, latent, 1));
}

LatentDistribution LatentDistribution::fromMoments(const torch::Tensor& moments) {
    auto parts = moments.chunk(2, 1);
    LatentDistribution dist;
    dist.mean = parts[0];
    dist.logvar = parts[1].clamp(-30.0, 20.0);
    dist.std = torch::exp(0.5 * dist.logvar);
    return dist;
}

// Channels-last activations: oneDNN's convolutions skip a reorder per layer (decode 1.09× faster at SD size
// on CPU, the same values bit for bit); the permutes of the mid-block attention then cost nothing either.
torch::Tensor AutoencoderKLImpl::encodeMoments(const torch::Tensor& image) {
    return quantConv(encoder(image.contiguous(torch::MemoryFormat::ChannelsLast))).contiguous();
}

LatentDistribution AutoencoderKLImpl::encode(const torch::Tensor& image) {
    return LatentDistribution::fromMoments(encodeMoments(image));
}

torch::Tensor AutoencoderKLImpl::decode(const torch::Tensor& latents) {
    return decoder(postQuantConv(latents.contiguous(torch::MemoryFormat::ChannelsLast))).contiguous();
}

}  // namespace sa
