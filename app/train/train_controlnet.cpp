// Add-on stage: a Canny ControlNet for the demo model (issue 15). ControlNetModel.from_unet's
// recipe: the UNet's encoder half copied with its weights, a conditioning embedding as deep as the
// VAE's downscale, zero convolutions, trained with the ε objective through the frozen UNet on the
// data set's images and their Canny edges (what the app computes from a user's image). Half the
// captions are dropped, as the ControlNet paper does, so the edges alone must carry the layout.
#include <opencv2/imgproc.hpp>

#include "app/train/train_diffusion.h"
#include "core/io/control_image.h"
#include "core/io/image.h"
#include "core/io/state_dict.h"
#include "core/eval/judge.h"
#include "core/models/controlnet_model.h"
#include "core/pipeline/text_to_image.h"

namespace sa::train {
namespace {

// The base UNet's encoder with a conditioning embedding that downsizes by the VAE's factor.
ControlNetConfig controlNetConfigFor(const StableDiffusionModel& base) {
    std::vector<int> channels{16};
    for (int f = base.vaeScaleFactor(); f > 1; f /= 2) channels.push_back(std::min(channels.back() * 2, 256));
    return ControlNetConfig::fromUNet(base.unet->config(), channels);
}

// Encoder weights from the UNet (same names), zero convolutions zero.
void initFromUNet(ControlNetModel& net, UNet2DConditionModel& unet) {
    torch::NoGradGuard noGrad;
    auto source = unet->named_parameters();
    for (auto& p : net->named_parameters()) {
        const auto& name = p.key();
        if (name.starts_with("controlnet_down_blocks.") || name.starts_with("controlnet_mid_block."))
            p.value().zero_();
        else if (const auto* from = source.find(name); from && from->sizes() == p.value().sizes())
            p.value().copy_(*from);
    }
}

void exportControlNet(ControlNetModel& net, const fs::path& out) {
    writeJson(out / "config.json", net->config().toJson());
    saveStateDict(*net, out / "diffusion_pytorch_model.safetensors", torch::kFloat16);
}

// Held-out pictures, their edges, and new pictures drawn from those edges with the caption of
// another style: one column per picture, rows source / edges / uncontrolled / controlled.
void preview(const std::shared_ptr<StableDiffusionModel>& base, ControlNetModel& net, int size, const fs::path& png) {
    net->eval();
    const data::ProceduralDataset heldOut(99, size, 1);
    std::vector<cv::Mat> sources, edges;
    GenerationRequest request;
    for (int i = 0; i < 6; ++i) {
        const auto sample = heldOut.at(i * 37);
        sources.push_back(sample.image);
        edges.push_back(cannyEdges(sample.image));
        request.prompts.push_back(data::captionFor(sample.subject, (sample.style + 3) % int(data::styleNames().size())));
    }
    request.steps = 25;
    request.guidanceScale = 7.5;
    request.seed = 11;
    TextToImagePipeline pipeline(base);
    const auto plain = tensorToImages(pipeline.generate(request).images);
    request.control.net = net;
    request.control.images = controlImagesTensor(edges, size, size);
    const auto controlled = tensorToImages(pipeline.generate(request).images);
    std::vector<cv::Mat> cells = sources;
    cells.insert(cells.end(), edges.begin(), edges.end());
    cells.insert(cells.end(), plain.begin(), plain.end());
    cells.insert(cells.end(), controlled.begin(), controlled.end());
    writeImage(png, makeGrid(cells, static_cast<int>(sources.size())));
    net->train();
}

// How closely new pictures follow the control (written to report.json in the work folder, quoted
// in the model card): for held-out pictures, a picture of the same subject in another style drawn
// without and with the ControlNet from the original's Canny edges. Edge recall: the share of the
// control's edge pixels with an edge of the new picture within 1 px; precision the other way
// round. The judge's subject accuracy shows whether the subject survives the control.
void report(const std::shared_ptr<StableDiffusionModel>& base, ControlNetModel& net, const fs::path& judgeFolder,
            int size, const fs::path& json) {
    net->eval();
    auto judge = Judge::load(judgeFolder);
    const data::ProceduralDataset heldOut(4242, size, 1);
    nlohmann::json out;
    for (const bool controlled : {false, true}) {
        double recall = 0, precision = 0;
        int right = 0, n = 0;
        for (int first = 0; first < 48; first += 12) {
            GenerationRequest request;
            std::vector<cv::Mat> edges;
            std::vector<int> subjects;
            for (int i = first; i < first + 12; ++i) {
                const auto sample = heldOut.at(i * 13);
                edges.push_back(cannyEdges(sample.image));
                subjects.push_back(sample.subject);
                request.prompts.push_back(data::captionFor(sample.subject, (sample.style + 3) % int(data::styleNames().size())));
            }
            request.steps = 30;
            request.guidanceScale = 7.5;
            request.seed = 1000 + static_cast<uint64_t>(first);
            if (controlled) {
                request.control.net = net;
                request.control.images = controlImagesTensor(edges, size, size);
            }
            const auto images = TextToImagePipeline(base).generate(request).images;
            const auto verdicts = judge.judge(images);
            const auto pictures = tensorToImages(images);
            for (size_t k = 0; k < pictures.size(); ++k, ++n) {
                const auto drawn = cannyEdges(pictures[k]);
                recall += edgesNear(edges[k], drawn);
                precision += edgesNear(drawn, edges[k]);
                right += verdicts[k].subject == subjects[k];
            }
        }
        const std::string row = controlled ? "controlled" : "uncontrolled";
        out[row] = {{"edge_recall", recall / n}, {"edge_precision", precision / n}, {"subject_accuracy", double(right) / n}, {"pictures", n}};
        fmt::print("{:>12}: edge recall {:.3f}, edge precision {:.3f}, subject accuracy {:.3f} ({} pictures)\n", row,
                   recall / n, precision / n, double(right) / n, n);
    }
    writeJson(json, out);
    net->train();
}

}  // namespace

int trainControlNet(const TrainOptions& o) {
    const int steps = o.steps > 0 ? o.steps : 4000, batch = o.batch > 0 ? o.batch : 16;
    const double lr = o.lr > 0 ? o.lr : 1e-4;
    torch::manual_seed(static_cast<int64_t>(o.seed));
    const auto addOn = addOnData(o, data::ProceduralDataset(o.seed + 2, o.size), 12'000, "controlnet_pool.safetensors",
                                /*withEdges=*/true);
    const auto& base = addOn.base;

    ControlNetModel net(controlNetConfigFor(*base));
    initFromUNet(net, base->unet);
    torch::optim::AdamW optimizer(net->parameters(), torch::optim::AdamWOptions(lr).weight_decay(0.01));
    StageProgress progress(o, "controlnet", "ControlNet training loss (log scale)", steps, 250, *net, optimizer);
    int step = progress.firstStep();
    auto generator = at::detail::createCPUGenerator(o.seed + static_cast<uint64_t>(step));
    net->train();
    for (; step < steps; ++step) {
        progress.stopIfRequested(step);
        setLearningRate<torch::optim::AdamWOptions>(optimizer, learningRate(lr, step, steps, 200));
        const auto b = addOn.batch(batch, 0.5, generator);
        torch::Tensor context;
        {
            torch::NoGradGuard noGrad;
            context = base->textEncoder->forward(b.tokenIds).lastHiddenState;
        }
        const auto cond = addOn.pool.edges.index_select(0, b.index).to(torch::kFloat32).div(255).expand({-1, 3, -1, -1});
        const auto residuals = net->forward(b.noisy, b.t, context, cond);
        const auto loss = minSnrLoss(base->unet->forward(b.noisy, b.t, context, nullptr, nullptr, &residuals), b);
        optimizer.zero_grad();
        loss.weighted.backward();
        torch::nn::utils::clip_grad_norm_(net->parameters(), 1.0);
        optimizer.step();
        progress.stepDone(step, {{"loss", loss.weighted.item<double>()}, {"mse", loss.mse}});
        if ((step + 1) % 1000 == 0 || step + 1 == steps) {
            exportControlNet(net, o.out);
            preview(base, net, o.size, o.work / fmt::format("controlnet_preview_{:06d}.png", step + 1));
        }
    }
    progress.finish();
    report(base, net, o.base / "judge", o.size, o.work / "controlnet_report.json");
    return 0;
}

}  // namespace sa::train
