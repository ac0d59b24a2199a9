#pragma once
// The golden harness: every case in $STYLEALIGNED_GOLDEN_DIR/cases (default: the project's copy
// in tests/data/golden) becomes one test. A runner, registered for a case-name prefix
// ("unet_", "vae_", ...), computes the case's tensors from its inputs; the harness compares
// every `output` tensor (and any `debug` tensor the runner returns) with tolerances.json.
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/io/safetensors.h"
#include "core/pipeline/stable_diffusion_model.h"
#include "support/golden_dir.h"

namespace sa::test {

struct GoldenCase {
    std::string name;
    std::filesystem::path root;  // the golden folder
    nlohmann::json meta;         // cases/NAME.json
    std::shared_ptr<const SafetensorsFile> file;

    const nlohmann::json& params() const { return meta.at("params"); }
    torch::Tensor tensor(const std::string& name) const { return file->tensor(name); }
    bool has(const std::string& name) const { return meta.at("tensors").contains(name); }
    // Names of the case's tensors, optionally only those starting with `prefix`.
    std::vector<std::string> tensorNames(const std::string& prefix = "") const;
    // The distinct leading "group." prefixes of tensor names (e.g. "b1.", "cfg2.", "b4.").
    std::set<std::string> groups() const;
    // The model folder a case refers to: "tiny-" + the suffix after the last '_' of the case
    // name ("unet_sdxl" → tiny-sdxl).
    std::filesystem::path modelFolder() const;
};

// What a runner produced: tensors by golden name, and output prefixes it cannot compute yet
// (reported as skipped with the reason, never passed silently).
struct RunResult {
    std::map<std::string, torch::Tensor> tensors;
    std::map<std::string, std::string> unsupported;  // tensor-name prefix → reason
};

using Runner = std::function<void(const GoldenCase&, RunResult&)>;

struct RegisterRunner {
    RegisterRunner(const std::string& casePrefix, Runner runner);
};

// A model folder loaded once per test process.
std::shared_ptr<StableDiffusionModel> cachedModel(const std::filesystem::path& folder);
}  // namespace sa::test
