// Stage 2: the judge (subject head + style head over every look of every style), trained on fresh
// procedural samples and measured on the held-out split.
#include <future>

#include "app/train/train_support.h"
#include "core/eval/judge.h"
#include "core/io/state_dict.h"

namespace sa::train {

int trainJudge(const TrainOptions& o) {
    const int steps = o.steps > 0 ? o.steps : 2000, batch = o.batch > 0 ? o.batch : 48;
    const double lr = o.lr > 0 ? o.lr : 1e-3;
    torch::manual_seed(static_cast<int64_t>(o.seed) + 2);
    JudgeConfig config;
    config.subjects = data::subjectNames();
    config.styles = data::styleNames();
    config.style_variants = data::styleVariants();
    config.image_size = o.size;
    JudgeNet net(config);
    torch::optim::AdamW optimizer(net->parameters(), torch::optim::AdamWOptions(lr).weight_decay(1e-4));
    StageProgress progress(o, "judge", "Judge training loss (EMA, log scale)", steps, 500, *net, optimizer);
    int step = progress.firstStep();
    data::ProceduralDataset train(o.seed + 2, o.size, 0), heldOut(o.seed + 2, o.size, 1);
    net->train();
    BatchStream stream(train, batch, step);
    auto lookLabels = [&](const Batch& b) { return b.styles * config.style_variants + b.variants; };
    for (; step < steps; ++step) {
        progress.stopIfRequested(step);
        auto b = stream.next();
        setLearningRate<torch::optim::AdamWOptions>(optimizer, learningRate(lr, step, steps, 100));
        auto [subjectLogits, styleLogits, features] = net->forward((b.images + 1) / 2);
        auto subjectLoss = torch::nn::functional::cross_entropy(subjectLogits, b.subjects);
        auto styleLoss = torch::nn::functional::cross_entropy(styleLogits, lookLabels(b));
        auto loss = subjectLoss + styleLoss;
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        progress.stepDone(step, {{"subject", subjectLoss.item<double>()}, {"style", styleLoss.item<double>()}});
    }
    progress.finish();

    net->eval();
    torch::NoGradGuard noGrad;
    int64_t total = 0, subjectsRight = 0, stylesRight = 0, looksRight = 0;
    for (int64_t first = 0; first < 2400; first += 240) {
        auto b = makeBatch(heldOut, first, 240);
        auto [subjectLogits, styleLogits, features] = net->forward((b.images + 1) / 2);
        subjectsRight += (subjectLogits.argmax(1) == b.subjects).sum().item<int64_t>();
        auto look = styleLogits.argmax(1);
        stylesRight += (look.div(config.style_variants, "floor") == b.styles).sum().item<int64_t>();
        looksRight += (look == lookLabels(b)).sum().item<int64_t>();
        total += 240;
    }
    const double subjectAccuracy = 100.0 * subjectsRight / total, styleAccuracy = 100.0 * stylesRight / total,
                 lookAccuracy = 100.0 * looksRight / total;
    fmt::print("judge held-out accuracy ({} images): subject {:.1f} %, style {:.1f} %, style and look {:.1f} %\n", total,
               subjectAccuracy, styleAccuracy, lookAccuracy);
    writeJson(o.out / "judge" / "config.json", config.toJson());
    saveStateDict(*net, o.out / "judge" / "model.safetensors", torch::kFloat32);
    writeJson(o.work / "judge_accuracy.json", {{"held_out_images", total}, {"subject_accuracy", subjectAccuracy},
                                                {"style_accuracy", styleAccuracy}, {"look_accuracy", lookAccuracy}});
    return 0;
}

}  // namespace sa::train
