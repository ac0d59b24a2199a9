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
    return j;
}

ImageSetSpec ImageSetSpec::fromJson(const nlohmann::json& j, const std::string& where) {
    // Compared as JSON values: a "format" or "version" of another type is a wrong value, not a type error.
    if (!j.is_object() || !j.contains("format") || j.at("format") != "stylealigned-set")
        fail("{}: not a StyleAligned set (format must be \"stylealigned-set\")", where);
    if (!j.contains("version") || j.at("version") != 1)
        fail("{}: unsupported set version {}", where, j.contains("version") ? j.at("version").dump() : "(none)");
    ImageSetSpec s;
    auto get = [&](const char* key, auto& target) {
        using T = std::decay_t<decltype(target)>;
        if (!j.contains(key)) fail("{}: missing field '{}'", where, key);
        const auto& value = j.at(key);
        if (value.is_null()) return;
        if (!jsonNumberFits<T>(value))
            fail("{}: field '{}' = {} is out of range or not a whole number", where, key, value.dump());
        try {
            target = value.get<T>();
        } catch (const nlohmann::json::exception&) {
            fail("{}: field '{}' has the wrong type", where, key);
        }
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
