// `stylealigned generate` (the main job) and `stylealigned txt2img`.
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <unistd.h>

#include <fmt/format.h>

#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "core/common/resources.h"
#include "core/common/runtime.h"
#include "core/io/files.h"
#include "core/io/image.h"
#include "core/io/image_set.h"
#include "core/eval/judge.h"
#include "core/models/blip_captioner.h"
#include "core/pipeline/diffusers_export.h"
#include "core/pipeline/set_request.h"

namespace fs = std::filesystem;

namespace sa::cli {
namespace {

// The bundled demo model (issue 5) when --model is not given.
fs::path defaultModel() {
    auto demo = bundledDemoModel();
    if (demo.empty()) fail("no --model given and no bundled demo model was found; pass --model (a diffusers folder or a .safetensors file)");
    return demo;
}

// "a" or "a,b": one value for every text encoder, or one per encoder.
std::vector<std::string> perEncoder(const Args& args, const std::string& name) {
    std::vector<std::string> values;
    std::stringstream list(args.get(name));
    for (std::string item; std::getline(list, item, ',');) values.push_back(item);
    if (values.empty() || values.size() > 2 || std::any_of(values.begin(), values.end(), [](auto& v) { return v.empty(); }))
        fail("--{}: give one value, or two separated by a comma (one per text encoder)", name);
    return values;
}

// The model options every command shares (kModelOptions); a single file's also apply to --set.
LoadOptions loadOptions(const Args& args) {
    LoadOptions options;
    options.device = selectDevice(args.get("device", "auto"));
    if (args.has("config")) options.config = args.get("config");
    if (args.has("prediction-type")) {
        const auto type = args.get("prediction-type");
        if (type != "epsilon" && type != "v_prediction" && type != "v")
            fail("--prediction-type: '{}' is not epsilon or v_prediction", type);
        options.predictionType = type == "v" ? "v_prediction" : type;
    }
    // A single value applies to every text encoder; "a,b" gives one per encoder.
    const auto heads = args.has("text-encoder-heads") ? perEncoder(args, "text-encoder-heads") : std::vector<std::string>{};
    const auto acts = args.has("text-encoder-act") ? perEncoder(args, "text-encoder-act") : std::vector<std::string>{};
    options.textEncoders.resize(std::max(heads.size(), acts.size()));
    for (size_t i = 0; i < options.textEncoders.size(); ++i) {
        if (!heads.empty()) options.textEncoders[i].heads = Args::parseInt("text-encoder-heads", heads[std::min(i, heads.size() - 1)], 1);
        if (!acts.empty()) options.textEncoders[i].hiddenAct = acts[std::min(i, acts.size() - 1)];
    }
    return options;
}

// `saved`: a set.json's model_options, used unless the command line gives model options itself.
std::shared_ptr<StableDiffusionModel> loadModel(const Args& args, const std::string& path,
                                               const nlohmann::json& saved = nullptr, const std::string& where = "") {
    configureRuntime(args.getInt("threads", 0, 0));
    auto options = loadOptions(args);
    if (!args.has("config") && !args.has("prediction-type") && !args.has("text-encoder-heads") && !args.has("text-encoder-act"))
        modelOptionsFromJson(saved, options, where);
    fmt::print(stderr, "loading {} on {} ({} threads)\n", path, options.device.str(), torch::get_num_threads());
    installInterruptHandler();
    // A bar on a terminal only (redrawn when the percentage changes); logs get the summary line.
    std::optional<ProgressBar> bar;
    if (isatty(fileno(stderr))) bar.emplace("loading");
    int shown = -1;
    options.progress = [&](double fraction, const std::string&) {
        const int percent = static_cast<int>(fraction * 100);
        if (bar && percent != shown) bar->update(shown = percent, 100);
    };
    options.cancel = &interruptToken();
    auto model = StableDiffusionModel::load(path, options);
    if (bar) bar->finish();
    fmt::print(stderr, "model: {}\n", model->summary());
    for (const auto& note : model->notes) fmt::print(stderr, "  note: {}\n", note);
    return model;
}

// Without --caption: --captioner DIR (a BLIP folder) describes the reference, else the model's own
// captioner (the demo model's judge).
std::string autoCaption(const Args& args, const fs::path& model, const fs::path& reference) {
    std::string caption;
    if (args.has("captioner")) {
        auto captioner = BlipCaptioner::load(args.get("captioner"), selectDevice(args.get("device", "auto")));
        auto options = captioner->defaults();
        options.num_beams = args.getInt("caption-beams", options.num_beams, 1);
        options.max_length = args.getInt("caption-max-length", options.max_length, 1);
        caption = captioner->caption(readImage(reference), args.get("caption-prefix"), options, &interruptToken());
    } else if (fs::exists(model / "judge" / "config.json")) {
        caption = Judge::load(model / "judge").caption(readImage(reference));
    } else {
        fail("--reference needs --caption TEXT (what the image shows, and its style) or --captioner DIR (a BLIP "
             "captioning folder): {} has no captioner",
             model.string());
    }
    if (caption.find_first_not_of(" \t\n") == std::string::npos)
        fail("the captioner returned an empty caption for {}; give --caption TEXT", reference.string());
    const auto parts = splitCaption(caption);
    fmt::print(stderr, "caption: {}\n  shows: {}\n  style: {}\n", caption, parts.subject,
               parts.style.empty() ? "(none found: give --style)" : parts.style);
    return caption;
}

// --vae-tiling auto|on|off and --vae-tile PX into a set's fields; what is not given stays (a set.json's own,
// or for a new set the defaults: auto, the VAE's sample_size).
void readVaeTiling(const Args& args, std::string& mode, int& tileSize) {
    if (args.has("vae-tiling")) mode = vaeTilingModeName(parseVaeTilingMode(args.get("vae-tiling"), "--vae-tiling"));
    tileSize = args.getInt("vae-tile", tileSize, 1);
}

// --out DIR: checked before the model loads, so that a typo or a read-only place costs nothing.
fs::path outputFolder(const Args& args) {
    if (!args.has("out")) fail("--out DIR is required");
    const fs::path out = args.get("out");
    checkWritableFolder(out);
    return out;
}

// Runs a set described by `spec` (reference image, if any, read from `referenceFile`) and
// writes it to `out`. `where` names the source of the settings in errors (a set.json).
int runSet(const Args& args, ImageSetSpec spec, const fs::path& referenceFile, const fs::path& out,
           const std::string& where) {
    if (!referenceFile.empty()) spec.referenceImage = "reference.png";
    validateSpec(spec, where, !referenceFile.empty());  // before the model loads
    auto model = loadModel(args, spec.model, spec.modelOptions, where);
    cv::Mat reference;
    auto request = requestFromSpec(*model, spec, referenceFile.empty() ? cv::Mat() : readImage(referenceFile), &reference);

    installInterruptHandler();
    ProgressBar bar(referenceFile.empty() ? "style-aligned set" : "inversion + set");
    auto result = StyleAlignedPipeline(model).generate(
        request,
        [&](StepEvent& e) {
            // Inversion steps first, then the set's steps: one bar over both.
            const int inversion = referenceFile.empty() ? 0 : e.total;
            bar.update(e.phase == StepPhase::Inversion ? e.step + 1 : inversion + e.step + 1, inversion + e.total);
        },
        &interruptToken());
    bar.finish();

    if (!reference.empty()) {
        fs::create_directories(out);
        writeImage(out / spec.referenceImage, reference);
        fmt::print("{}\n", (out / spec.referenceImage).string());
    }
    for (const auto& file : writeImageSet(out, spec, tensorToImages(result.images))) fmt::print("{}\n", file.string());
    return 0;
}

}  // namespace

int runGenerate(const Args& args) {
    args.expectOnly(withModelOptions({"reference", "caption", "captioner", "caption-prefix", "caption-beams",
                                      "caption-max-length", "style", "prompt", "negative", "seed", "steps", "guidance",
                                      "offset", "inversion-guidance", "plan", "preset", "height", "width", "vae-tiling",
                                      "vae-tile", "out", "set"}));
    const fs::path out = outputFolder(args);
    if (args.has("set")) {  // reproduce a set.json
        const fs::path setFile = args.get("set");
        auto spec = ImageSetSpec::load(setFile);
        readVaeTiling(args, spec.vaeTiling, spec.vaeTileSize);  // e.g. to decode an old panorama in bounded memory
        const auto reference = spec.referenceImage.empty() ? fs::path() : setFile.parent_path() / spec.referenceImage;
        return runSet(args, spec, reference, out, setFile.string());
    }
    ImageSetSpec spec;
    spec.model = args.has("model") ? args.get("model") : defaultModel().string();
    spec.modelOptions = modelOptionsToJson(loadOptions(args));  // so that --set reproduces it alone
    auto prompts = args.all("prompt");
    for (const auto& p : prompts)
        if (p.find_first_not_of(" \t\n") == std::string::npos) fail("--prompt must not be empty");
    std::string style = args.get("style");
    if (args.has("reference")) {
        spec.referencePrompt = args.has("caption") ? args.get("caption") : autoCaption(args, spec.model, args.get("reference"));
        if (style.empty()) style = styleWords(spec.referencePrompt);
        if (prompts.empty()) fail("give at least one --prompt for a new subject");
    } else {
        if (prompts.size() < 2) fail("give at least two --prompt: the first is the reference, the rest share its style");
        spec.referencePrompt = prompts.front();
        prompts.erase(prompts.begin());
        if (!style.empty()) spec.referencePrompt += ", " + style + ".";
    }
    spec.targets = styledPrompts(prompts, style);
    spec.negativePrompt = args.get("negative");
    spec.seeds = consecutiveSeeds(args.getSeed("seed", 0), spec.targets.size() + 1);
    spec.steps = args.getInt("steps", 50, 1);
    spec.guidance = args.getDouble("guidance", args.has("reference") ? 10.0 : 7.5);
    spec.offset = args.getInt("offset", 5, 0);
    spec.inversionGuidance = args.getDouble("inversion-guidance", 2.0);
    spec.height = args.getInt("height", 0, 1);
    spec.width = args.getInt("width", 0, 1);
    spec.vaeTiling = "auto";
    readVaeTiling(args, spec.vaeTiling, spec.vaeTileSize);
    if (args.has("plan")) {
        std::ifstream in(args.get("plan"));
        if (!in) fail("{}: cannot open layer plan", args.get("plan"));
        try {
            spec.plan = nlohmann::json::parse(in);
        } catch (const nlohmann::json::exception& e) {
            fail("{}: not valid JSON ({})", args.get("plan"), e.what());
        }
    } else {
        spec.plan = presetPlanJson(args.get("preset", defaultPreset(args.has("reference"))));
    }
    return runSet(args, spec, args.has("reference") ? fs::path(args.get("reference")) : fs::path(), out,
                  "the command line");
}

int runTxt2Img(const Args& args) {
    args.expectOnly(withModelOptions(
        {"prompt", "negative", "steps", "guidance", "seed", "height", "width", "vae-tiling", "vae-tile", "out"}));
    if (!args.has("model")) fail("--model is required (a diffusers folder or a .safetensors file)");
    const fs::path out = outputFolder(args);
    GenerationRequest request;
    request.prompts = args.all("prompt");
    if (request.prompts.empty()) fail("give at least one --prompt");
    request.negativePrompt = args.get("negative");
    request.steps = args.getInt("steps", 50, 1);
    request.guidanceScale = args.getDouble("guidance", 7.5);
    request.seed = args.getSeed("seed", 0);
    request.height = args.getInt("height", 0, 1);
    request.width = args.getInt("width", 0, 1);
    std::string tiling = "auto";
    readVaeTiling(args, tiling, request.vaeTiling.tileSize);
    request.vaeTiling.mode = parseVaeTilingMode(tiling, "--vae-tiling");
    auto model = loadModel(args, args.get("model"));
    if (model->vae && request.vaeTiling.mode != VaeTilingMode::Off)
        vaeTileGeometry(model->vae->config(), request.vaeTiling);  // a --vae-tile that does not fit: before the run
    installInterruptHandler();
    ProgressBar bar("txt2img");
    auto result = TextToImagePipeline(model).generate(
        request, [&](StepEvent& e) { bar.update(e.step + 1, e.total); }, &interruptToken());
    bar.finish();
    fs::create_directories(out);
    auto images = tensorToImages(result.images);
    for (size_t i = 0; i < images.size(); ++i) {
        const auto file = out / fmt::format("image_{:02d}.png", i);
        writeImage(file, images[i]);
        fmt::print("{}\n", file.string());
    }
    writeImage(out / "grid.png", makeGrid(images, static_cast<int>(images.size())));
    fmt::print("{}\n", (out / "grid.png").string());
    return 0;
}

int runConvert(const Args& args) {
    args.expectOnly(withModelOptions({"out"}));
    if (!args.has("model")) fail("--model is required (a .safetensors file, or a diffusers folder)");
    if (!args.has("out")) fail("--out DIR is required (a new folder)");
    const fs::path out = args.get("out");
    if (fs::exists(out)) fail("{}: already exists; choose a new folder for the converted model", out.string());
    checkWritableFolder(out);
    auto model = loadModel(args, args.get("model"));
    saveAsDiffusers(*model, out, &interruptToken());
    fmt::print("{}\n", out.string());
    return 0;
}

std::vector<std::string> withModelOptions(std::vector<std::string> known) {
    for (const char* option : {"model", "config", "prediction-type", "text-encoder-heads", "text-encoder-act", "device", "threads"})
        known.push_back(option);
    return known;
}

}  // namespace sa::cli
