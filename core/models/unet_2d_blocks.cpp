#include "core/models/unet_2d_blocks.h"

namespace sa {
namespace {

ResnetBlock2D makeResnet(const BlockOptions& o, int in, int out) {
    return ResnetBlock2D(ResnetOptions{.inChannels = in,
                                       .outChannels = out,
                                       .tembChannels = o.tembChannels,
                                       .groups = o.groups,
                                       .eps = o.eps,
                                       .act = o.act,
                                       .outputScaleFactor = o.outputScaleFactor});
}

Transformer2DModel makeTransformer(const BlockOptions& o, int channels) {
    return Transformer2DModel(Transformer2DOptions{.heads = o.heads,
                                                   .dimHead = channels / o.heads,
                                                   .inChannels = channels,
                                                   .layers = o.transformerLayers,
                                                   .crossAttentionDim = o.crossAttentionDim,
                                                   .groups = o.groups,
                                                   .useLinearProjection = o.useLinearProjection});
}

}  // namespace

DownBlockImpl::DownBlockImpl(const BlockOptions& o) {
    for (int i = 0; i < o.layers; ++i) {
        resnets.push_back(makeResnet(o, i == 0 ? o.inChannels : o.outChannels, o.outChannels));
        if (o.heads > 0) attentions.push_back(makeTransformer(o, o.outChannels));
    }
    registerList(*this, "resnets", resnets);
    if (!attentions.empty()) registerList(*this, "attentions", attentions);
    if (o.addSample) {
        downsampler = Downsample2D(o.outChannels, o.downsamplePadding);
        registerList(*this, "downsamplers", std::vector<Downsample2D>{downsampler});
    }
}

torch::Tensor DownBlockImpl::forward(torch::Tensor x, const torch::Tensor& temb, const torch::Tensor& context,
                                     std::vector<torch::Tensor>* states) {
    for (size_t i = 0; i < resnets.size(); ++i) {
        x = resnets[i](x, temb);
        if (!attentions.empty()) x = attentions[i](x, context);
        if (states) states->push_back(x);
    }
    if (downsampler) {
        x = downsampler(x);
        if (states) states->push_back(x);
    }
    return x;
}

UpBlockImpl::UpBlockImpl(const BlockOptions& o, bool withSkips) {
    for (int i = 0; i < o.layers; ++i) {
        int in = i == 0 ? o.prevOutputChannels : o.outChannels;
        if (withSkips) in += (i == o.layers - 1) ? o.inChannels : o.outChannels;
        resnets.push_back(makeResnet(o, in, o.outChannels));
        if (o.heads > 0) attentions.push_back(makeTransformer(o, o.outChannels));
    }
    registerList(*this, "resnets", resnets);
    if (!attentions.empty()) registerList(*this, "attentions", attentions);
    if (o.addSample) {
        upsampler = Upsample2D(o.outChannels);
        registerList(*this, "upsamplers", std::vector<Upsample2D>{upsampler});
    }
}

torch::Tensor UpBlockImpl::forward(torch::Tensor x, std::vector<torch::Tensor>* skips, const torch::Tensor& temb,
                                   const torch::Tensor& context, std::optional<std::vector<int64_t>> upsampleSize) {
    for (size_t i = 0; i < resnets.size(); ++i) {
        if (skips) {
            x = torch::cat({x, skips->back()}, 1);
            skips->pop_back();
        }
        x = resnets[i](x, temb);
        if (!attentions.empty()) x = attentions[i](x, context);
    }
    if (upsampler) x = upsampler(x, upsampleSize);
    return x;
}

MidBlockCrossAttnImpl::MidBlockCrossAttnImpl(const BlockOptions& o) {
    resnets.push_back(makeResnet(o, o.inChannels, o.inChannels));
    for (int i = 0; i < o.layers; ++i) {
        attentions.push_back(makeTransformer(o, o.inChannels));
        resnets.push_back(makeResnet(o, o.inChannels, o.inChannels));
    }
    registerList(*this, "attentions", attentions);
    registerList(*this, "resnets", resnets);
}

torch::Tensor MidBlockCrossAttnImpl::forward(const torch::Tensor& x, const torch::Tensor& temb,
                                             const torch::Tensor& context) {
    auto h = resnets[0](x, temb);
    for (size_t i = 0; i < attentions.size(); ++i) h = resnets[i + 1](attentions[i](h, context), temb);
    return h;
}

MidBlockImpl::MidBlockImpl(const BlockOptions& o) {
    resnets.push_back(makeResnet(o, o.inChannels, o.inChannels));
    for (int i = 0; i < o.layers; ++i) {
        // diffusers: heads = in_channels / attention_head_dim with attention_head_dim = in_channels.
        attentions.push_back(Attention(AttentionOptions{.queryDim = o.inChannels,
                                                        .heads = 1,
                                                        .dimHead = o.inChannels,
                                                        .bias = true,
                                                        .normNumGroups = o.groups,
                                                        .eps = o.eps,
                                                        .residualConnection = true,
                                                        .rescaleOutputFactor = o.outputScaleFactor}));
        resnets.push_back(makeResnet(o, o.inChannels, o.inChannels));
    }
    registerList(*this, "attentions", attentions);
    registerList(*this, "resnets", resnets);
}

torch::Tensor MidBlockImpl::forward(const torch::Tensor& x) {
    auto h = resnets[0](x, torch::Tensor());
    for (size_t i = 0; i < attentions.size(); ++i) h = resnets[i + 1](attentions[i]->forward(h), torch::Tensor());
    return h;
}

}  // namespace sa
