#pragma once
// What the denoiser stages share (the demo model's UNet + text encoder, and the add-ons trained
// against it: the Canny ControlNet and the held-out-style LoRA): a latent pool of the data set
// encoded once, caption token ids, the ε objective's noised batch and its min-SNR weighted loss,
// and the frozen base model the add-ons learn on.
#include <memory>

#include "app/train/train_support.h"
#include "core/pipeline/stable_diffusion_model.h"

namespace sa::train {

struct LatentPool {
    torch::Tensor latents;  // [N, C, h, w]: VAE means × the scaling factor
    torch::Tensor edges;    // [N, 1, S, S] uint8 Canny edges of the images (withEdges only)
    std::vector<std::string> captions;
};
// The first `count` samples of `dataset`, encoded once into `file` in the work folder and read
// back from there (a resumed run does not encode again).
LatentPool latentPool(const data::ProceduralDataset& dataset, int64_t count, AutoencoderKL& vae, const fs::path& file,
                      bool withEdges = false);

// Token ids [N, 77] of each caption (each distinct caption tokenised once).
torch::Tensor captionTokenIds(const ClipTokenizer& tokenizer, const std::vector<std::string>& captions);

// One step of the ε objective: pool rows drawn at random, their captions replaced by the empty
// prompt with probability `dropRate` (what classifier-free guidance needs), timesteps, noise and
// the noised latents.
struct NoisedBatch {
    torch::Tensor index, tokenIds, t, noise, alpha, noisy;
};
NoisedBatch noisedBatch(const LatentPool& pool, const torch::Tensor& tokenIds, const torch::Tensor& emptyIds,
                        const torch::Tensor& alphasCumprod, int batch, double dropRate, at::Generator& generator);

// min-SNR-γ weighting (Hang et al. 2023) for ε prediction; `mse` is the unweighted mean.
struct DenoiseLoss {
    torch::Tensor weighted;
    double mse = 0;
};
DenoiseLoss minSnrLoss(const torch::Tensor& pred, const NoisedBatch& batch, double gamma = 5.0);

// The demo model an add-on is trained for, in eval mode with no gradients on its weights.
std::shared_ptr<StableDiffusionModel> frozenBaseModel(const fs::path& folder);

// What an add-on stage learns from: the frozen base model (options.base), a latent pool of
// `count` samples of `dataset` (work folder / poolFile), its captions' token ids, the empty
// prompt's, and the base scheduler's ᾱ.
struct AddOnData {
    std::shared_ptr<StableDiffusionModel> base;
    LatentPool pool;
    torch::Tensor ids, emptyIds, alphas;

    NoisedBatch batch(int size, double dropRate, at::Generator& generator) const {
        return noisedBatch(pool, ids, emptyIds, alphas, size, dropRate, generator);
    }
};
AddOnData addOnData(const TrainOptions& options, const data::ProceduralDataset& dataset, int64_t count,
                    const std::string& poolFile, bool withEdges = false);

// The CLIP tokenizer files the demo model ships (the golden tiny model's real CLIP vocabulary).
fs::path tokenizerSource();

}  // namespace sa::train
