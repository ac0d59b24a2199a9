// stylealigned-bench-load: load time and peak memory of a full-size single-file checkpoint.
//
// Writes an SD 1.5-shaped single file (the real v1-inference architecture: UNet 860 M, VAE 84 M,
// CLIP-L 123 M parameters, random weights, CompVis key layout through the same name tables the
// loader uses, plus the extra keys real files carry) as float32 and as float16, then loads each
// one in a fresh process (this program with --measure) and reports wall time and peak RSS.
// Goal (issue 11): peak RSS during load ≤ 1.3 × the float32 weights' size.
//
// usage: stylealigned-bench-load [--dir DIR] [--keep] [--threads N]
//        stylealigned-bench-load --measure FILE      (one load; prints "seconds peak_rss_bytes")
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "app/cli_support.h"
#include "core/common/runtime.h"
#include "core/io/state_dict.h"
#include "core/models/single_file_names.h"
#include "core/pipeline/single_file_model.h"

using namespace sa;
namespace fs = std::filesystem;

namespace {

// The file tensor a module tensor comes from, stored as the original layout stores it.
void addInOriginalLayout(std::map<std::string, torch::Tensor>& out, torch::nn::Module& module, const NameTable& names,
                         torch::ScalarType dtype) {
    for (const auto& [name, value] : moduleTensors(module)) {
        const auto source = *names.find(name);
        auto stored = value.detach();
        if (source.transform == TensorTransform::Squeeze1x1) stored = stored.reshape({stored.size(0), stored.size(1), 1, 1});
        if (source.transform == TensorTransform::Transpose) stored = stored.t().contiguous();
        out[source.key] = stored.to(dtype);
    }
}

uint64_t writeRandomSd15(const fs::path& file, torch::ScalarType dtype) {
    torch::NoGradGuard noGrad;
    const auto config = builtinOriginalConfig(CheckpointFamily::SD1);
    CLIPTextConfig clip;  // CLIP ViT-L/14 text tower
    clip.hidden_size = 768;
    clip.intermediate_size = 3072;
    clip.num_hidden_layers = 12;
    clip.num_attention_heads = 12;
    std::map<std::string, torch::Tensor> tensors;
    uint64_t fp32Bytes = 0;
    auto add = [&](torch::nn::Module& module, const NameTable& names) {
        for (const auto& p : module.parameters()) fp32Bytes += p.numel() * 4;
        addInOriginalLayout(tensors, module, names, dtype);
    };
    {
        UNet2DConditionModel unet(config.unet);
        add(*unet, unetNameTable(config.unet));
    }
    {
        AutoencoderKL vae(config.vae);
        add(*vae, vaeNameTable(config.vae));
    }
    {
        CLIPTextModel text(clip);
        add(*text, clipTextNameTable("cond_stage_model.transformer."));
    }
    // What real files carry besides the networks.
    tensors["alphas_cumprod"] = torch::rand({1000}).to(dtype);
    tensors["betas"] = torch::rand({1000}).to(dtype);
    tensors["model_ema.num_updates"] = torch::tensor(0, torch::kInt32);
    tensors["cond_stage_model.transformer.text_model.embeddings.position_ids"] = torch::arange(77).unsqueeze(0);
    saveSafetensors(file, tensors);
    return fp32Bytes;
}

int measure(const fs::path& file) {
    const auto start = std::chrono::steady_clock::now();
    auto model = loadSingleFile(file);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    fmt::print("{:.3f} {}\n", seconds, static_cast<uint64_t>(usage.ru_maxrss) * 1024);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        cli::Args args(argc, argv, 1, {"keep"});
        args.expectOnly({"dir", "keep", "threads", "measure"});
        configureRuntime(args.getInt("threads", 0));
        if (args.has("measure")) return measure(args.get("measure"));

        const fs::path dir = args.get("dir", (fs::temp_directory_path() / "stylealigned-bench-load").string());
        fs::create_directories(dir);
        const auto self = fs::read_symlink("/proc/self/exe");
        fmt::print("SD 1.5-shaped single file (v1-inference architecture, random weights), {} threads\n",
                   torch::get_num_threads());
        fmt::print("{:<10} {:>10} {:>10} {:>12} {:>14}\n", "file", "size", "load", "peak RSS", "RSS / fp32");
        for (auto [label, dtype] : {std::pair{"float32", torch::kFloat32}, {"float16", torch::kFloat16}}) {
            const auto file = dir / fmt::format("sd15-random-{}.safetensors", label);
            const uint64_t fp32Bytes = writeRandomSd15(file, dtype);
            FILE* pipe = ::popen(fmt::format("'{}' --measure '{}' --threads {}", self.string(), file.string(),
                                             torch::get_num_threads()).c_str(), "r");
            double seconds = 0;
            unsigned long long peak = 0;
            const int read = pipe ? std::fscanf(pipe, "%lf %llu", &seconds, &peak) : 0;
            if (!pipe || ::pclose(pipe) != 0 || read != 2) fail("the measuring process failed for {}", file.string());
            fmt::print("{:<10} {:>8.2f} GB {:>8.2f} s {:>9.2f} GB {:>13.2f}x\n", label, fs::file_size(file) / 1e9, seconds,
                       peak / 1e9, static_cast<double>(peak) / static_cast<double>(fp32Bytes));
            if (!args.has("keep")) fs::remove(file);
        }
        fmt::print("goal: peak RSS during load <= 1.3x the float32 weights\n");
        return 0;
    } catch (const std::exception& e) {
        fmt::print(stderr, "stylealigned-bench-load: {}\n", e.what());
        return 1;
    }
}
