#include "app/train/train_diffusion.h"

#include "core/io/control_image.h"
#include "core/schedulers/ddim_scheduler.h"
#include "core/io/state_dict.h"

namespace sa::train {

LatentPool latentPool(const data::ProceduralDataset& dataset, int64_t count, AutoencoderKL& vae, const fs::path& file,
                      bool withEdges) {
    LatentPool pool;
    for (int64_t i = 0; i < count; ++i) pool.captions.push_back(dataset.captionAt(i));
    if (fs::exists(file)) {
        const auto stored = SafetensorsFile::open(file);
        pool.latents = stored->tensor("latents");
        if (withEdges) pool.edges = stored->tensor("edges");
        if (pool.latents.size(0) != count) fail("{}: {} latents, expected {} (delete it to encode again)", file.string(), pool.latents.size(0), count);
        return pool;
    }
    torch::NoGradGuard noGrad;
    const double scaling = vae->config().scaling_factor;
    std::vector<torch::Tensor> latents, edges;
    cli::ProgressBar bar("encoding latents");
    for (int64_t first = 0; first < count; first += 200) {
        cli::interruptToken().throwIfCancelled();
        const int64_t n = std::min<int64_t>(200, count - first);
        auto b = makeBatch(dataset, first, n);
        latents.push_back(vae->encode(b.images).mean * scaling);
        if (withEdges)
            for (int64_t i = 0; i < n; ++i) {
                cv::Mat grey;
                cv::extractChannel(cannyEdges(dataset.at(first + i).image), grey, 0);
                edges.push_back(torch::from_blob(grey.data, {1, 1, grey.rows, grey.cols}, torch::kUInt8).clone());
            }
        bar.update(static_cast<int>(first + n), static_cast<int>(count));
    }
    bar.finish();
    pool.latents = torch::cat(latents);
    std::map<std::string, torch::Tensor> stored{{"latents", pool.latents}};
    if (withEdges) stored["edges"] = pool.edges = torch::cat(edges);
    fs::create_directories(file.parent_path());
    saveSafetensors(file, stored);
    return pool;
}

torch::Tensor captionTokenIds(const ClipTokenizer& tokenizer, const std::vector<std::string>& captions) {
    std::map<std::string, torch::Tensor> byCaption;
    std::vector<torch::Tensor> ids;
    for (const auto& caption : captions) {
        auto& slot = byCaption[caption];
        if (!slot.defined()) slot = torch::tensor(tokenizer(caption).ids, torch::kLong);
        ids.push_back(slot);
    }
    return torch::stack(ids);
}

NoisedBatch noisedBatch(const LatentPool& pool, const torch::Tensor& tokenIds, const torch::Tensor& emptyIds,
                        const torch::Tensor& alphasCumprod, int batch, double dropRate, at::Generator& generator) {
    NoisedBatch b;
    b.index = torch::randint(pool.latents.size(0), {batch}, generator, torch::kLong);
    const auto x0 = pool.latents.index_select(0, b.index);
    b.tokenIds = tokenIds.index_select(0, b.index);
    const auto drop = torch::rand({batch}, generator) < dropRate;
    b.tokenIds = torch::where(drop.unsqueeze(1), emptyIds.unsqueeze(0).expand_as(b.tokenIds), b.tokenIds);
    b.t = torch::randint(alphasCumprod.size(0), {batch}, generator, torch::kLong);
    b.noise = torch::randn(x0.sizes(), generator);
    b.alpha = alphasCumprod.index_select(0, b.t).view({batch, 1, 1, 1});
    b.noisy = b.alpha.sqrt() * x0 + (1 - b.alpha).sqrt() * b.noise;
    return b;
}

DenoiseLoss minSnrLoss(const torch::Tensor& pred, const NoisedBatch& b, double gamma) {
    const auto a = b.alpha.flatten();
    const auto snr = a / (1 - a);
    const auto perSample = (pred - b.noise).pow(2).mean({1, 2, 3});
    return {(torch::clamp_max(snr, gamma) / snr * perSample).mean(), perSample.mean().item<double>()};
}

std::shared_ptr<StableDiffusionModel> frozenBaseModel(const fs::path& folder) {
    auto model = StableDiffusionModel::load(folder);
    for (torch::nn::Module* network : {static_cast<torch::nn::Module*>(model->unet.get()),
                                       static_cast<torch::nn::Module*>(model->textEncoder.get()),
                                       static_cast<torch::nn::Module*>(model->vae.get())}) {
        for (auto& p : network->parameters()) p.set_requires_grad(false);
        network->eval();
    }
    return model;
}

AddOnData addOnData(const TrainOptions& o, const data::ProceduralDataset& dataset, int64_t count,
                    const std::string& poolFile, bool withEdges) {
    AddOnData d;
    d.base = frozenBaseModel(o.base);
    d.pool = latentPool(dataset, count, d.base->vae, o.work / poolFile, withEdges);
    d.ids = captionTokenIds(*d.base->tokenizer, d.pool.captions);
    d.emptyIds = torch::tensor((*d.base->tokenizer)("").ids, torch::kLong);
    d.alphas = DDIMScheduler(d.base->schedulerConfig).alphasCumprod();
    return d;
}

fs::path tokenizerSource() { return fs::path(STYLEALIGNED_SOURCE_DIR) / "tests/data/golden/tiny-sd15/tokenizer"; }

}  // namespace sa::train
