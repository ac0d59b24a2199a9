// Stage 1: the AutoencoderKL of the demo model (64×64 RGB ↔ 4×16×16 latents).
#include <future>

#include "app/train/train_support.h"
#include "core/io/image.h"
#include "core/io/state_dict.h"
#include "core/models/autoencoder_kl.h"

namespace sa::train {

int trainVae(const TrainOptions& o) {
    const int steps = o.steps > 0 ? o.steps : 6000, batch = o.batch > 0 ? o.batch : 16;
    const double lr = o.lr > 0 ? o.lr : 1e-3;
    auto config = AutoencoderKLConfig::fromJson(JsonConfig(demoVaeConfig(), "demo vae config"));
    AutoencoderKL vae(config);
    torch::optim::Adam optimizer(vae->parameters(), torch::optim::AdamOptions(lr));
    StageProgress progress(o, "vae", "VAE training loss (EMA, log scale)", steps, 250, *vae, optimizer);
    int step = progress.firstStep();
    data::ProceduralDataset dataset(o.seed, o.size, 0);
    vae->train();
    BatchStream stream(dataset, batch, step);
    for (; step < steps; ++step) {
        progress.stopIfRequested(step);
        auto b = stream.next();
        setLearningRate<torch::optim::AdamOptions>(optimizer, learningRate(lr, step, steps, 200));
        auto dist = vae->encode(b.images);
        auto z = dist.mean + dist.std * torch::randn_like(dist.std);
        auto recon = vae->decode(z);
        // Reconstruction (L1 keeps edges sharp, MSE colours) + a light KL keeping latents Gaussian.
        auto l1 = (recon - b.images).abs().mean();
        auto mse = (recon - b.images).pow(2).mean();
        auto kl = 0.5 * (dist.mean.pow(2) + dist.std.pow(2) - 1 - dist.logvar).mean();
        auto loss = l1 + mse + 1e-4 * kl;
        optimizer.zero_grad();
        loss.backward();
        torch::nn::utils::clip_grad_norm_(vae->parameters(), 1.0);
        optimizer.step();
        progress.stepDone(step, {{"l1", l1.item<double>()}, {"mse", mse.item<double>()}, {"kl", kl.item<double>()}});
    }
    progress.finish();

    // scaling_factor = 1 / std of the latent means, as for SD's VAE.
    vae->eval();
    torch::NoGradGuard noGrad;
    auto probe = makeBatch(dataset, 10'000'000, 256);
    auto means = vae->encode(probe.images).mean;
    config.scaling_factor = 1.0 / means.std().item<double>();
    auto recon = vae->decode(means);
    fmt::print(stderr, "vae: latent std {:.4f} → scaling_factor {:.4f}; held-out L1 {:.4f}\n", means.std().item<double>(),
               config.scaling_factor, (recon - probe.images).abs().mean().item<double>());
    std::vector<cv::Mat> pairs;
    for (int i = 0; i < 8; ++i) {
        pairs.push_back(tensorToImage((probe.images[i] + 1) / 2));
        pairs.push_back(tensorToImage((recon[i].clamp(-1, 1) + 1) / 2));
    }
    writeImage(o.work / "vae_reconstructions.png", makeGrid(pairs, 8));
    writeJson(o.out / "vae" / "config.json", config.toJson());
    saveStateDict(*vae, o.out / "vae" / "diffusion_pytorch_model.safetensors", torch::kFloat16);
    return 0;
}

}  // namespace sa::train
