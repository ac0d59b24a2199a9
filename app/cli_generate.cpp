// `stylealigned generate` (the main job) and `stylealigned txt2img`.
#include <chrono>
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
#include "core/io/control_image.h"
#include "core/pipeline/set_adapters.h"
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

// --lora FILE[:WEIGHT] (repeat): absolute paths, so that the set.json works from anywhere.
std::vector<LoraEntry> loraOptions(const Args& args) {
    std::vector<LoraEntry> loras;
    for (const auto& item : args.all("lora")) {
        LoraEntry entry{.file = item};
        const auto colon = item.rfind(':');
        if (colon != std::string::npos && colon + 1 < item.size() && !fs::exists(item)) {
            entry.file = item.substr(0, colon);
            entry.weight = Args::parseDouble("lora", item.substr(colon + 1));
        }
        entry.file = fs::absolute(entry.file).lexically_normal().string();
        loras.push_back(entry);
    }
    return loras;
}

// "A,B" → two numbers of option `name`.
std::pair<double, double> numberPair(const Args& args, const std::string& name, std::pair<double, double> fallback) {
    if (!args.has(name)) return fallback;
    const auto text = args.get(name);
    const auto comma = text.find(',');
    if (comma == std::string::npos) fail("--{}: give two numbers separated by a comma (got '{}')", name, text);
    return {Args::parseDouble(name, text.substr(0, comma)), Args::parseDouble(name, text.substr(comma + 1))};
}

// --controlnet DIR with --control IMG (once for every image, or once per image, the reference first) and its
// settings. The images are kept as absolute paths until the set is written (then copied beside it).
std::optional<ControlSpec> controlOptions(const Args& args) {
    const bool any = args.has("controlnet") || args.has("control");
    if (!any) {
        for (const char* option : {"control-kind", "canny", "control-scale", "control-range", "control-mode"})
            if (args.has(option)) fail("--{} needs --controlnet DIR and --control IMG", option);
        return std::nullopt;
    }
    if (!args.has("controlnet")) fail("--control needs --controlnet DIR (a ControlNet folder)");
    if (!args.has("control")) fail("--controlnet needs --control IMG (the image whose edges or map steer the set)");
    ControlSpec c;
    c.model = fs::absolute(args.get("controlnet")).lexically_normal().string();
    c.kind = args.get("control-kind", "canny");
    for (const auto& image : args.all("control")) c.images.push_back(fs::absolute(image).lexically_normal().string());
    std::tie(c.low, c.high) = numberPair(args, "canny", {c.low, c.high});
    c.scale = args.getDouble("control-scale", c.scale);
    std::tie(c.start, c.end) = numberPair(args, "control-range", {c.start, c.end});
    c.mode = args.get("control-mode", c.mode);
    return c;
}

// --panorama-width PX (and window, stride, circular, view batch): every target a panorama.
std::optional<PanoramaSpec> panoramaOptions(const Args& args) {
    if (!args.has("panorama-width")) {
        for (const char* option : {"panorama-window", "panorama-stride", "panorama-circular", "panorama-view-batch"})
            if (args.has(option)) fail("--{} needs --panorama-width PX", option);
        return std::nullopt;
    }
    return PanoramaSpec{.width = args.getInt("panorama-width", 0, 1),
                        .window = args.getInt("panorama-window", 0, 1),
                        .stride = args.getInt("panorama-stride", 0, 1),
                        .circular = args.has("panorama-circular"),
                        .viewBatch = args.getInt("panorama-view-batch", 1, 1)};
}

// The control sources of a set as read (file names resolve against `folder`; absolute paths stay).
std::vector<cv::Mat> readControlSources(const ControlSpec& control, const fs::path& folder) {
    std::vector<cv::Mat> sources;
    for (const auto& name : control.images) {
        const auto image = readControlImage(folder / name);
        if (!image.note().empty()) fmt::print(stderr, "  note: {}: {}\n", name, image.note());
        sources.push_back(image.image);
    }
    return sources;
}

// Each target a panorama beside the shared square reference (images: the reference, then the panoramas).
std::vector<cv::Mat> runPanoramas(StableDiffusionModel& model, const std::shared_ptr<StableDiffusionModel>& shared,
                                  const ImageSetSpec& spec, const StyleAlignedRequest& request) {
    const auto requests = panoramaRequests(model, spec, request);
    std::optional<ProgressBar> bar;
    auto images = generatePanoramaSet(
        shared, requests,
        [&](int part, PanoramaStepEvent& e) {
            if (e.step == 0) {
                if (bar) bar->finish();
                bar.emplace(fmt::format("panorama {}/{}", part + 1, requests.size()));
            }
            bar->update(e.step + 1, e.total);
        },
        &interruptToken());
    if (bar) bar->finish();
    return images;
}

// Runs a set described by `spec` (reference image, if any, read from `referenceFile`) and
// writes it to `out`. `where` names the source of the settings in errors (a set.json).
int runSet(const Args& args, ImageSetSpec spec, const fs::path& referenceFile, const fs::path& out,
           const std::string& where, const fs::path& setFolder = {}) {
    if (!referenceFile.empty()) spec.referenceImage = "reference.png";
    validateSpec(spec, where, !referenceFile.empty());  // before the model loads
    const auto controlSources = spec.control ? readControlSources(*spec.control, setFolder) : std::vector<cv::Mat>{};
    const auto started = std::chrono::steady_clock::now();
    auto since = [](auto start) { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    auto model = loadModel(args, spec.model, spec.modelOptions, where);
    const double loadSeconds = since(started);
    cv::Mat reference;
    auto request = requestFromSpec(*model, spec, referenceFile.empty() ? cv::Mat() : readImage(referenceFile), &reference);
    std::vector<std::string> notes;
    applyLoras(*model, spec.loras, args.has("lora-skip-unmatched"), &notes);
    for (const auto& lora : model->loras()) fmt::print(stderr, "LoRA: {} × {} ({} layers)\n", lora.name, lora.weight, lora.layers);
    if (spec.control) {
        const auto net = loadControlNet(spec.control->model, model->unet->config(), model->device, model->dtype);
        request.generation.control = controlRequest(*spec.control, net, controlMaps(*spec.control, controlSources),
                                                    request.generation.width, request.generation.height, &notes);
    }
    for (const auto& note : notes) fmt::print(stderr, "  note: {}\n", note);
    if (spec.panorama) {
        const auto setStarted = std::chrono::steady_clock::now();
        auto images = runPanoramas(*model, model, spec, request);
        const double setSeconds = since(setStarted);
        for (const auto& file : writeImageSet(out, spec, images, 1)) fmt::print("{}\n", file.string());
        fmt::print(stderr, "done in {:.1f} s: loading {:.1f} s, panoramas {:.1f} s\n", since(started), loadSeconds,
                   setSeconds);
        return 0;
    }

    installInterruptHandler();
    ProgressBar bar(referenceFile.empty() ? "style-aligned set" : "inversion + set");
    const auto setStarted = std::chrono::steady_clock::now();
    auto result = StyleAlignedPipeline(model).generate(
        request,
        [&](StepEvent& e) {
            // Inversion steps first, then the set's steps: one bar over both.
            const int inversion = referenceFile.empty() ? 0 : e.total;
            bar.update(e.phase == StepPhase::Inversion ? e.step + 1 : inversion + e.step + 1, inversion + e.total);
        },
        &interruptToken());
    bar.finish();
    const double setSeconds = since(setStarted);
    const auto writeStarted = std::chrono::steady_clock::now();

    if (!reference.empty()) {
        fs::create_directories(out);
        writeImage(out / spec.referenceImage, reference);
        fmt::print("{}\n", (out / spec.referenceImage).string());
    }
    if (spec.control) {  // the control sources beside the set, so that --set finds them
        fs::create_directories(out);
        for (size_t i = 0; i < controlSources.size(); ++i) {
            spec.control->images[i] = fmt::format("control_{:02d}.png", i);
            writeImage(out / spec.control->images[i], controlSources[i]);
        }
    }
    for (const auto& file : writeImageSet(out, spec, tensorToImages(result.images))) fmt::print("{}\n", file.string());
    fmt::print(stderr, "done in {:.1f} s: loading {:.1f} s, {} {:.1f} s, decoding {:.1f} s, writing {:.1f} s\n",
               since(started), loadSeconds, referenceFile.empty() ? "the set" : "inversion and the set",
               setSeconds - result.decodeSeconds, result.decodeSeconds, since(writeStarted));
    return 0;
}

}  // namespace

int runGenerate(const Args& args) {
    args.expectOnly(withModelOptions({"reference", "caption", "captioner", "caption-prefix", "caption-beams",
                                      "caption-max-length", "style", "prompt", "negative", "seed", "steps", "guidance",
                                      "offset", "inversion-guidance", "plan", "preset", "height", "width", "vae-tiling",
                                      "vae-tile", "out", "set", "lora", "lora-skip-unmatched", "controlnet", "control",
                                      "control-kind", "canny", "control-scale", "control-range", "control-mode",
                                      "panorama-width", "panorama-window", "panorama-stride", "panorama-circular",
                                      "panorama-view-batch"}));
    const fs::path out = outputFolder(args);
    if (args.has("set")) {  // reproduce a set.json
        const fs::path setFile = args.get("set");
        auto spec = ImageSetSpec::load(setFile);
        readVaeTiling(args, spec.vaeTiling, spec.vaeTileSize);  // e.g. to decode an old panorama in bounded memory
        const auto reference = spec.referenceImage.empty() ? fs::path() : setFile.parent_path() / spec.referenceImage;
        return runSet(args, spec, reference, out, setFile.string(), setFile.parent_path());
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
    spec.guidance = args.getDouble("guidance", defaultGuidance(args.has("reference")));
    spec.offset = args.getInt("offset", 5, 0);
    spec.inversionGuidance = args.getDouble("inversion-guidance", defaultInversionGuidance());
    spec.height = args.getInt("height", 0, 1);
    spec.width = args.getInt("width", 0, 1);
    spec.vaeTiling = "auto";
    readVaeTiling(args, spec.vaeTiling, spec.vaeTileSize);
    spec.loras = loraOptions(args);
    spec.control = controlOptions(args);
    spec.panorama = panoramaOptions(args);
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
