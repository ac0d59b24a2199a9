#include "core/models/resnet.h"

namespace sa {
namespace F = torch::nn::functional;

ResnetBlock2DImpl::ResnetBlock2DImpl(const ResnetOptions& o)
    : act(activationByName(o.act, "resnet")), outputScaleFactor(o.outputScaleFactor) {
    norm1 = register_module("norm1", GroupNorm(o.groups, o.inChannels, o.eps));
    conv1 = register_module("conv1", conv2d(o.inChannels, o.outChannels, 3, 1, 1));
    if (o.tembChannels) timeEmbProj = register_module("time_emb_proj", linear(*o.tembChannels, o.outChannels));
    norm2 = register_module("norm2", GroupNorm(o.groups, o.outChannels, o.eps));
    conv2 = register_module("conv2", conv2d(o.outChannels, o.outChannels, 3, 1, 1));
    if (o.inChannels != o.outChannels)
        convShortcut = register_module("conv_shortcut", conv2d(o.inChannels, o.outChannels, 1));
}

torch::Tensor ResnetBlock2DImpl::forward(const torch::Tensor& x, const torch::Tensor& temb) {
    auto h = conv1(act(norm1(x)));
    if (timeEmbProj && temb.defined()) h = h + timeEmbProj(act(temb)).unsqueeze(-1).unsqueeze(-1);
    h = conv2(act(norm2(h)));
    auto shortcut = convShortcut ? convShortcut(x) : x;
    auto out = shortcut + h;
    return outputScaleFactor == 1.0 ? out : out / outputScaleFactor;
}

Downsample2DImpl::Downsample2DImpl(int channels, int padding_) : padding(padding_) {
    conv = register_module("conv", conv2d(channels, channels, 3, 2, padding));
}

torch::Tensor Downsample2DImpl::forward(const torch::Tensor& x) {
    if (padding == 0) return conv(F::pad(x, F::PadFuncOptions({0, 1, 0, 1})));
    return conv(x);
}

Upsample2DImpl::Upsample2DImpl(int channels) {
    conv = register_module("conv", conv2d(channels, channels, 3, 1, 1));
}

torch::Tensor Upsample2DImpl::forward(const torch::Tensor& x, std::optional<std::vector<int64_t>> size) {
    auto options = F::InterpolateFuncOptions().mode(torch::kNearest);
    if (size)
        options.size(*size);
    else
        options.scale_factor(std::vector<double>{2.0, 2.0});
    return conv(F::interpolate(x, options));
}

}  // namespace sa
