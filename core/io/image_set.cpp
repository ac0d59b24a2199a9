#include "core/io/image_set.h"

#include <fstream>

#include "core/common/error.h"
#include "core/io/files.h"
#include "core/io/image.h"
#include "core/io/json_config.h"

namespace sa {

std::vector<std::string> ImageSetSpec::allPrompts() const {
    std::vector<std::string> out{referencePrompt};
    out.insert(out.end(), targets.begin(), targets.end());
    return out;
}

nlohmann::json ImageSetSpec::toJson() const {
    nlohmann::json j = {{"format", "stylealigned-set"},
                        {"version", 1},
                        {"model", model},
                        {"reference_image", referenceImage.empty() ? nlohmann::json(nullptr) : nlohmann::json(referenceImage)},
                        {"reference_prompt", referencePrompt},
                        {"targets", targets},
                        {"negative_prompt", negativePrompt},
                        {"seeds", seeds},
                        {"steps", steps},
                        {"guidance", guidance},
                        {"height", height},
                        {"width", width},
                        {"offset", offset},
                        {"inversion_guidance", inversionGuidance},
                        {"plan", plan},
                        {"images", images},
                        {"grid", grid}};
    if (!modelOptions.empty()) j["model_options"] = modelOptions;
    // Untiled ("off") is what a set without these fields means: such sets are written as before.
    if (vaeTiling != "off") j["vae_tiling"] = vaeTiling;
    if (vaeTileSize != 0) j["vae_tile_size"] = vaeTileSize;
    // Written only when used: a set without them reads as before.
    if (!loras.empty()) {
        auto& list = j["loras"] = nlohmann::json::array();
        for (const auto& l : loras) list.push_back({{"file", l.file}, {"weight", l.weight}, {"enabled", l.enabled}});
    }
    if (control)
        j["control"] = {{"model", control->model}, {"kind", control->kind},   {"images", control->images},
                        {"low", control->low},     {"high", control->high},   {"scale", control->scale},
                        {"start", control->start}, {"end", control->end},     {"mode", control->mode}};
    if (panorama)
        j["panorama"] = {{"width", panorama->width},       {"window", panorama->window},
                         {"stride", panorama->stride},     {"circular", panorama->circular},
                         {"view_batch", panorama->viewBatch}};
    return j;
}

namespace {

// `key` of the object `j` into `target` when present (absent or null: the default stays); a wrong type
// or a number out of range is an error naming "<where>: field '<prefix><key>'".
template <typename T>
void optionalField(const nlohmann::json& j, const char* key, T& target, const std::string& where,
                   const std::string& prefix = "") {
    if (!j.contains(key) || j.at(key).is_null()) return;
    const auto& value = j.at(key);
    if (!jsonNumberFits<T>(value))
        fail("{}: field '{}{}' = {} is out of range or not a whole number", where, prefix, key, value.dump());
    try {
        target = value.get<T>();
    } catch (const nlohmann::json::exception&) {
        fail("{}: field '{}{}' has the wrong type", where, prefix, key);
    }
}

const nlohmann::json& objectField(const nlohmann::json& j, const char* key, const std::string& where) {
    if (!j.at(key).is_object()) fail("{}: field '{}' is not an object", where, key);
    return j.at(key);
}

}  // namespace

ImageSetSpec ImageSetSpec::fromJson(const nlohmann::json& j, const std::string& where) {
    // Compared as JSON values: a "format" or "version" of another type is a wrong value, not a type error.
    if (!j.is_object() || !j.contains("format") || j.at("format") != "stylealigned-set")
        fail("{}: not a StyleAligned set (format must be \"stylealigned-set\")", where);
    if (!j.contains("version") || j.at("version") != 1)
        fail("{}: unsupported set version {}", where, j.contains("version") ? j.at("version").dump() : "(none)");
    ImageSetSpec s;
    auto get = [&](const char* key, auto& target) {
        if (!j.contains(key)) fail("{}: missing field '{}'", where, key);
        optionalField(j, key, target, where);
    };
    get("model", s.model);
    get("reference_image", s.referenceImage);
    get("reference_prompt", s.referencePrompt);
    get("targets", s.targets);
    get("negative_prompt", s.negativePrompt);
    get("seeds", s.seeds);
    get("steps", s.steps);
    get("guidance", s.guidance);
    get("height", s.height);
    get("width", s.width);
    get("offset", s.offset);
    get("inversion_guidance", s.inversionGuidance);
    get("plan", s.plan);
    get("images", s.images);
    get("grid", s.grid);
    // Optional: sets saved before VAE tiling existed were decoded untiled ("off", the default).
    if (j.contains("vae_tiling")) get("vae_tiling", s.vaeTiling);
    if (j.contains("vae_tile_size")) get("vae_tile_size", s.vaeTileSize);
    if (j.contains("model_options") && !j.at("model_options").is_null()) {  // optional: only single files have them
        if (!j.at("model_options").is_object()) fail("{}: field 'model_options' is not an object", where);
        s.modelOptions = j.at("model_options");
    }
    if (j.contains("loras") && !j.at("loras").is_null()) {
        if (!j.at("loras").is_array()) fail("{}: field 'loras' is not a list", where);
        for (size_t i = 0; i < j.at("loras").size(); ++i) {
            const auto& item = j.at("loras").at(i);
            const auto field = fmt::format("loras[{}].", i);
            if (!item.is_object() || !item.contains("file")) fail("{}: 'loras[{}]' needs a 'file'", where, i);
            LoraEntry entry;
            optionalField(item, "file", entry.file, where, field);
            optionalField(item, "weight", entry.weight, where, field);
            optionalField(item, "enabled", entry.enabled, where, field);
            s.loras.push_back(entry);
        }
    }
    if (j.contains("control") && !j.at("control").is_null()) {
        const auto& c = objectField(j, "control", where);
        ControlSpec control;
        for (auto [key, target] : {std::pair{"model", &control.model}, {"kind", &control.kind}, {"mode", &control.mode}})
            optionalField(c, key, *target, where, "control.");
        optionalField(c, "images", control.images, where, "control.");
        for (auto [key, target] : {std::pair{"low", &control.low}, {"high", &control.high}, {"scale", &control.scale},
                                   {"start", &control.start}, {"end", &control.end}})
            optionalField(c, key, *target, where, "control.");
        s.control = control;
    }
    if (j.contains("panorama") && !j.at("panorama").is_null()) {
        const auto& p = objectField(j, "panorama", where);
        PanoramaSpec panorama;
        for (auto [key, target] : {std::pair{"width", &panorama.width}, {"window", &panorama.window},
                                   {"stride", &panorama.stride}, {"view_batch", &panorama.viewBatch}})
            optionalField(p, key, *target, where, "panorama.");
        optionalField(p, "circular", panorama.circular, where, "panorama.");
        s.panorama = panorama;
    }
    if (s.seeds.size() != s.targets.size() + 1)
        fail("{}: {} seeds for {} images", where, s.seeds.size(), s.targets.size() + 1);
    return s;
}

ImageSetSpec ImageSetSpec::load(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) fail("{}: cannot open", file.string());
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for a number like 1e999
        fail("{}: not valid JSON ({})", file.string(), e.what());
    }
    return fromJson(j, file.string());
}

std::vector<std::filesystem::path> writeImageSet(const std::filesystem::path& folder, ImageSetSpec& spec,
                                                 const std::vector<cv::Mat>& images, int gridColumns) {
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec) fail("{}: cannot create the output folder ({})", folder.string(), ec.message());
    std::vector<std::filesystem::path> written;
    spec.images.clear();
    for (size_t i = 0; i < images.size(); ++i) {
        spec.images.push_back(fmt::format("image_{:02d}.png", i));
        written.push_back(folder / spec.images.back());
        writeImage(written.back(), images[i]);
    }
    spec.grid = "grid.png";
    written.push_back(folder / spec.grid);
    writeImage(written.back(), makeGrid(images, gridColumns > 0 ? gridColumns : static_cast<int>(images.size())));
    written.push_back(folder / "set.json");
    writeFileAtomically(written.back(), spec.toJson().dump(2) + "\n");
    return written;
}

}  // namespace sa
