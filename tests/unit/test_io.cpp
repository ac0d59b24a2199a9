// Bad input to the loaders of core/io (safetensors, config.json, weights, images): every defect
// must be a clear sa::Error that names the file and the field / tensor at fault, never a crash.
// Each test works in a fresh folder under the system temporary directory and removes it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "support/golden_dir.h"
#include "core/common/error.h"
#include "core/io/image.h"
#include "core/io/image_set.h"
#include "core/io/json_config.h"
#include "core/io/safetensors.h"
#include "core/io/state_dict.h"
#include "core/models/unet_2d_condition.h"
#include "core/pipeline/stable_diffusion_model.h"

#ifndef SA_DEFAULT_GOLDEN_DIR
#error "SA_DEFAULT_GOLDEN_DIR must name the golden data folder"
#endif

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

using sa::test::goldenDir;

fs::path tinySd15() { return goldenDir() / "tiny-sd15"; }
const char* kUNetWeights = "unet/diffusion_pytorch_model.safetensors";

// What the tests below expect is read from the golden folder's own files, so that any folder of
// the same structure (other widths, head counts, block counts) is checked the same way.
json goldenJson(const std::string& rel) {
    const auto file = tinySd15() / rel;
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot open " + file.string());
    return json::parse(in);
}

size_t unetBlockCount() { return goldenJson("unet/config.json").at("down_block_types").size(); }

int textEncoderHiddenSize() { return goldenJson("text_encoder/config.json").at("hidden_size").get<int>(); }

// unet/config.json's cross_attention_dim, one entry per block (an int stands for all blocks).
std::vector<int> unetCrossAttentionDims() {
    const auto dim = goldenJson("unet/config.json").at("cross_attention_dim");
    if (dim.is_array()) return dim.get<std::vector<int>>();
    return std::vector<int>(unetBlockCount(), dim.get<int>());
}

// "[32, 4, 3, 3]", as the loaders print shapes.
std::string shapeText(const std::vector<int64_t>& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

// A fresh, empty folder named after the running test; removed (with its contents) on destruction.
class TempDir {
public:
    TempDir() {
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        static int counter = 0;
        path_ = fs::temp_directory_path() / (std::string("sa_test_io_") + test->test_suite_name() + "_" +
                                             test->name() + "_" + std::to_string(::getpid()) + "_" +
                                             std::to_string(counter++));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const fs::path& path() const { return path_; }
    fs::path operator/(const std::string& name) const { return path_ / name; }

private:
    fs::path path_;
};

// Runs `f`, which must throw sa::Error; returns its message (empty after a recorded failure).
std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const sa::Error& e) {
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected sa::Error, got another exception: " << e.what();
        return {};
    } catch (...) {
        ADD_FAILURE() << "expected sa::Error, got a non-std exception";
        return {};
    }
    ADD_FAILURE() << "expected sa::Error, nothing was thrown";
    return {};
}

void writeBytes(const fs::path& file, const std::string& bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(out.good()) << "cannot write " << file;
}

std::string readBytes(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A safetensors file from a raw header text and `dataBytes` bytes of data.
void writeRawSafetensors(const fs::path& file, const std::string& header, size_t dataBytes) {
    const uint64_t n = header.size();
    std::string bytes(reinterpret_cast<const char*>(&n), 8);
    bytes += header;
    bytes.append(dataBytes, '\0');
    writeBytes(file, bytes);
}

void writeRawSafetensors(const fs::path& file, const json& header, size_t dataBytes) {
    writeRawSafetensors(file, header.dump(), dataBytes);
}

std::string openError(const fs::path& file) {
    return errorOf([&] { (void)sa::SafetensorsFile::open(file); });
}

// ---- safetensors ----------------------------------------------------------------------------

TEST(Safetensors, RoundTripAllDtypes) {
    TempDir dir;
    const auto file = dir / "round.safetensors";
    std::map<std::string, torch::Tensor> tensors{
        {"f32", torch::arange(12, torch::kFloat32).reshape({3, 4}) / 7.0},
        {"f16", torch::linspace(-2, 2, 6).to(torch::kFloat16).reshape({2, 3})},
        {"bf16", torch::linspace(-3, 3, 5).to(torch::kBFloat16)},
        {"i64", torch::tensor({int64_t{-5}, int64_t{0}, int64_t{1} << 40})},
        {"u8", torch::tensor({0, 7, 255}, torch::kUInt8)},
        {"scalar", torch::tensor(3.5f)},                      // 0-d
        {"empty", torch::zeros({0, 4}, torch::kFloat32)},  // no bytes
        {"t_noncontig", torch::arange(6, torch::kFloat32).reshape({2, 3}).t()},
    };
    const std::map<std::string, std::string> metadata{{"format", "pt"}, {"note", "round trip"}};
    sa::saveSafetensors(file, tensors, metadata);
    EXPECT_FALSE(fs::exists(dir / "round.safetensors.partial"));

    auto loaded = sa::SafetensorsFile::open(file);
    EXPECT_EQ(loaded->path(), file);
    EXPECT_EQ(loaded->metadata(), metadata);
    ASSERT_EQ(loaded->tensors().size(), tensors.size());
    EXPECT_EQ(loaded->info("f16").dtype, "F16");
    EXPECT_EQ(loaded->info("bf16").dtype, "BF16");
    EXPECT_EQ(loaded->info("i64").dtype, "I64");
    EXPECT_EQ(loaded->info("u8").dtype, "U8");
    EXPECT_TRUE(loaded->info("scalar").shape.empty());
    EXPECT_EQ(loaded->info("empty").shape, (std::vector<int64_t>{0, 4}));
    EXPECT_EQ(loaded->info("empty").begin, loaded->info("empty").end);
    const auto all = loaded->all();
    for (const auto& [name, original] : tensors) {
        ASSERT_TRUE(loaded->contains(name)) << name;
        const auto& back = all.at(name);
        EXPECT_EQ(back.scalar_type(), original.scalar_type()) << name;
        EXPECT_EQ(back.sizes(), original.sizes()) << name;
        EXPECT_TRUE(torch::equal(back, original)) << name;
    }
    EXPECT_EQ(all.at("scalar").dim(), 0);
    EXPECT_FLOAT_EQ(all.at("scalar").item<float>(), 3.5f);
    EXPECT_EQ(all.at("i64")[2].item<int64_t>(), int64_t{1} << 40);

    // Tensors are listed in offset order and tile the data section without gaps.
    uint64_t offset = 0;
    for (const auto& info : loaded->tensors()) {
        EXPECT_EQ(info.begin, offset) << info.name;
        offset = info.end;
    }
    uint64_t headerSize = 0;
    std::memcpy(&headerSize, readBytes(file).data(), 8);
    EXPECT_EQ(headerSize % 8, 0u);  // data section 8-byte aligned
    EXPECT_EQ(fs::file_size(file), 8 + headerSize + offset);

    const auto missing = errorOf([&] { (void)loaded->tensor("nope"); });
    EXPECT_THAT(missing, HasSubstr(file.string()));
    EXPECT_THAT(missing, HasSubstr("'nope'"));
}

TEST(Safetensors, NoTensorsAndNoMetadata) {
    TempDir dir;
    const auto file = dir / "empty.safetensors";
    sa::saveSafetensors(file, {});
    auto loaded = sa::SafetensorsFile::open(file);
    EXPECT_TRUE(loaded->tensors().empty());
    EXPECT_TRUE(loaded->metadata().empty());
}

TEST(Safetensors, UnstorableDtypeIsAnError) {
    TempDir dir;
    const auto msg = errorOf([&] {
        sa::saveSafetensors(dir / "c.safetensors", {{"c", torch::zeros({2}, torch::kComplexFloat)}});
    });
    EXPECT_THAT(msg, HasSubstr("cannot be stored in safetensors"));
    EXPECT_FALSE(fs::exists(dir / "c.safetensors"));
}

TEST(Safetensors, ShorterThan8Bytes) {
    TempDir dir;
    const auto file = dir / "short.safetensors";
    writeBytes(file, "abcde");
    const auto msg = openError(file);
    EXPECT_THAT(msg, HasSubstr(file.string()));
    EXPECT_THAT(msg, HasSubstr("5 bytes"));

    writeBytes(file, "");
    EXPECT_THAT(openError(file), HasSubstr(file.string()));
}

TEST(Safetensors, HeaderLengthLargerThanFile) {
    TempDir dir;
    const auto file = dir / "long_header.safetensors";
    const uint64_t n = 1000;
    writeBytes(file, std::string(reinterpret_cast<const char*>(&n), 8) + "{}");
    const auto msg = openError(file);
    EXPECT_THAT(msg, HasSubstr(file.string()));
    EXPECT_THAT(msg, HasSubstr("header length 1000"));

    // Absurd length (would overflow 8 + n).
    const uint64_t huge = ~uint64_t{0};
    writeBytes(file, std::string(reinterpret_cast<const char*>(&huge), 8) + "{}");
    EXPECT_THAT(openError(file), HasSubstr(file.string()));
}

TEST(Safetensors, HeaderNotJson) {
    TempDir dir;
    const auto file = dir / "garbage.safetensors";
    writeRawSafetensors(file, std::string("{\"a\": {\"dtype\": \"F32\", "), 16);
    const auto msg = openError(file);
    EXPECT_THAT(msg, HasSubstr(file.string()));
    EXPECT_THAT(msg, HasSubstr("not valid JSON"));

    writeRawSafetensors(file, std::string("\xff\xfe\x00\x01", 4), 0);  // binary junk
    EXPECT_THAT(openError(file), HasSubstr("not valid JSON"));
}

TEST(Safetensors, HeaderNotObject) {
    TempDir dir;
    const auto file = dir / "array.safetensors";
    writeRawSafetensors(file, std::string("[1, 2, 3]"), 0);
    const auto msg = openError(file);
    EXPECT_THAT(msg, HasSubstr(file.string()));
    EXPECT_THAT(msg, HasSubstr("not a JSON object"));

    // A tensor entry that is not an object / lacks a field.
    writeRawSafetensors(file, json{{"w", 5}}, 0);
    EXPECT_THAT(openError(file), HasSubstr("'w'"));
    writeRawSafetensors(file, json{{"w", {{"dtype", "F32"}, {"shape", {1}}}}}, 4);
    const auto lacks = openError(file);
    EXPECT_THAT(lacks, HasSubstr("'w'"));
    EXPECT_THAT(lacks, HasSubstr("data_offsets"));
    writeRawSafetensors(file, json{{"w", {{"dtype", 32}, {"shape", {1}}, {"data_offsets", {0, 4}}}}}, 4);
    EXPECT_THAT(openError(file), HasSubstr("'w': dtype is not a string"));
    writeRawSafetensors(file, json{{"w", {{"dtype", "F32"}, {"shape", 1}, {"data_offsets", {0, 4}}}}}, 4);
    EXPECT_THAT(openError(file), HasSubstr("'w': shape is not a list"));
    writeRawSafetensors(file, json{{"w", {{"dtype", "F32"}, {"shape", {1}}, {"data_offsets", {0}}}}}, 4);
    EXPECT_THAT(openError(file), HasSubstr("'w': data_offsets must be two non-negative integers"));
    writeRawSafetensors(file, json{{"w", {{"dtype", "F32"}, {"shape", {1}}, {"data_offsets", {-4, 0}}}}}, 4);
    EXPECT_THAT(openError(file), HasSubstr("'w': data_offsets must be two non-negative integers"));
}

TEST(Safetensors, UnknownDtype) {
    TempDir dir;
    const auto file = dir / "dtype.safetensors";
    for (const char* dtype : {"F8_E4M3", "X32"}) {
        writeRawSafetensors(file, json{{"weight", {{"dtype", dtype}, {"shape", {4}}, {"data_offsets", {0, 4}}}}}, 4);
        const auto msg = openError(file);
        EXPECT_THAT(msg, HasSubstr(file.string()));
        EXPECT_THAT(msg, HasSubstr("'weight'"));
        EXPECT_THAT(msg, HasSubstr(dtype));
    }
}

TEST(Safetensors, LyingHeader) {
    TempDir dir;
    const auto file = dir / "lying.safetensors";
    // [2, 3] float32 needs 24 bytes; the offsets claim 16.
    writeRawSafetensors(file, json{{"layer.weight", {{"dtype", "F32"}, {"shape", {2, 3}}, {"data_offsets", {0, 16}}}}},
                        24);
    const auto msg = openError(file);
    EXPECT_THAT(msg, HasSubstr(file.string()));
    EXPECT_THAT(msg, HasSubstr("'layer.weight'"));
    EXPECT_THAT(msg, HasSubstr("24 bytes"));
    EXPECT_THAT(msg, HasSubstr("16"));
}

TEST(Safetensors, TruncatedFile) {
    TempDir dir;
    const auto file = dir / "cut.safetensors";
    sa::saveSafetensors(file, {{"a", torch::ones({4})}, {"b", torch::ones({8})}});
    const auto full = readBytes(file);
    ASSERT_NO_THROW((void)sa::SafetensorsFile::open(file));

    // Tail cut off: the last tensor ('b') reaches past the data section.
    writeBytes(file, full.substr(0, full.size() - 4));
    const auto msg = openError(file);
    EXPECT_THAT(msg, HasSubstr(file.string()));
    EXPECT_THAT(msg, HasSubstr("'b'"));
    EXPECT_THAT(msg, HasSubstr("truncated"));

    // Cut inside the header.
    writeBytes(file, full.substr(0, 20));
    const auto headerCut = openError(file);
    EXPECT_THAT(headerCut, HasSubstr(file.string()));
    EXPECT_THAT(headerCut, HasSubstr("header length"));
}

TEST(Safetensors, BeginAfterEnd) {
    TempDir dir;
    const auto file = dir / "reversed.safetensors";
    writeRawSafetensors(file, json{{"bias", {{"dtype", "F32"}, {"shape", {2}}, {"data_offsets", {16, 8}}}}}, 16);
    const auto msg = openError(file);
    EXPECT_THAT(msg, HasSubstr(file.string()));
    EXPECT_THAT(msg, HasSubstr("'bias'"));
    EXPECT_THAT(msg, HasSubstr("[16, 8]"));
    EXPECT_THAT(msg, HasSubstr("begin > end"));
}

TEST(Safetensors, OverlappingTensors) {
    TempDir dir;
    const auto file = dir / "overlap.safetensors";
    writeRawSafetensors(file,
                        json{{"first", {{"dtype", "F32"}, {"shape", {4}}, {"data_offsets", {0, 16}}}},
                             {"second", {{"dtype", "F32"}, {"shape", {4}}, {"data_offsets", {8, 24}}}}},
                        24);
    const auto msg = openError(file);
    EXPECT_THAT(msg, HasSubstr(file.string()));
    EXPECT_THAT(msg, HasSubstr("'first'"));
    EXPECT_THAT(msg, HasSubstr("'second'"));
    EXPECT_THAT(msg, HasSubstr("overlap"));

    // The same span twice.
    writeRawSafetensors(file,
                        json{{"x", {{"dtype", "F32"}, {"shape", {2}}, {"data_offsets", {0, 8}}}},
                             {"y", {{"dtype", "I32"}, {"shape", {2}}, {"data_offsets", {0, 8}}}}},
                        8);
    EXPECT_THAT(openError(file), HasSubstr("overlap"));
}

TEST(Safetensors, BadShapeEntries) {
    TempDir dir;
    const auto file = dir / "shape.safetensors";
    for (const json& dim : {json(2.5), json(-1), json("2"), json(nullptr), json::array({2})}) {
        writeRawSafetensors(file,
                            json{{"emb", {{"dtype", "F32"}, {"shape", json::array({dim, 2})}, {"data_offsets", {0, 16}}}}},
                            16);
        const auto msg = openError(file);
        EXPECT_THAT(msg, HasSubstr(file.string())) << dim.dump();
        EXPECT_THAT(msg, HasSubstr("'emb'")) << dim.dump();
        EXPECT_THAT(msg, HasSubstr("non-integer or negative")) << dim.dump();
    }
    // Dimensions whose product overflows.
    writeRawSafetensors(file,
                        json{{"emb", {{"dtype", "F32"},
                                      {"shape", {uint64_t{1} << 40, uint64_t{1} << 40, uint64_t{1} << 40}},
                                      {"data_offsets", {0, 16}}}}},
                        16);
    EXPECT_THAT(openError(file), HasSubstr("'emb'"));
}

TEST(Safetensors, MetadataNotStrings) {
    TempDir dir;
    const auto file = dir / "meta.safetensors";
    writeRawSafetensors(file,
                        json{{"__metadata__", {{"format", "pt"}, {"step", 1000}}},
                             {"w", {{"dtype", "F32"}, {"shape", {1}}, {"data_offsets", {0, 4}}}}},
                        4);
    const auto msg = openError(file);
    EXPECT_THAT(msg, HasSubstr(file.string()));
    EXPECT_THAT(msg, HasSubstr("__metadata__"));
    EXPECT_THAT(msg, HasSubstr("step"));

    writeRawSafetensors(file, json{{"__metadata__", json::array({"a"})}}, 0);
    EXPECT_THAT(openError(file), HasSubstr("__metadata__ is not an object"));
}

TEST(Safetensors, DirectoryInsteadOfFile) {
    TempDir dir;
    const auto folder = dir / "weights.safetensors";
    fs::create_directories(folder);
    const auto msg = openError(folder);
    EXPECT_THAT(msg, HasSubstr(folder.string()));
    EXPECT_THAT(msg, HasSubstr("not a regular file"));
}

TEST(Safetensors, MissingFile) {
    TempDir dir;
    const auto file = dir / "absent.safetensors";
    const auto msg = openError(file);
    EXPECT_THAT(msg, HasSubstr(file.string()));
    EXPECT_THAT(msg, HasSubstr("cannot open"));
}

// ---- config.json files, loaded through StableDiffusionModel::load -----------------------------

// A writable copy of tiny-sd15 in a fresh temporary folder.
class ModelCopy {
public:
    ModelCopy() {
        fs::copy(tinySd15(), dir_.path() / "model", fs::copy_options::recursive);
        for (const auto& entry : fs::recursive_directory_iterator(folder()))
            fs::permissions(entry.path(), fs::perms::owner_write, fs::perm_options::add);
    }
    fs::path folder() const { return dir_.path() / "model"; }

    json readJson(const std::string& rel) const {
        std::ifstream in(folder() / rel);
        return json::parse(in);
    }
    void writeJson(const std::string& rel, const json& j) const { writeBytes(folder() / rel, j.dump(2)); }
    void edit(const std::string& rel, const std::function<void(json&)>& change) const {
        auto j = readJson(rel);
        change(j);
        writeJson(rel, j);
    }
    std::string loadError() const {
        return errorOf([&] { (void)sa::StableDiffusionModel::load(folder()); });
    }

private:
    TempDir dir_;
};

TEST(Configs, UnchangedCopyLoads) {
    ModelCopy copy;
    std::shared_ptr<sa::StableDiffusionModel> model;
    ASSERT_NO_THROW(model = sa::StableDiffusionModel::load(copy.folder()));
    EXPECT_FALSE(model->isXL());
    EXPECT_EQ(model->unet->config().cross_attention_dim, unetCrossAttentionDims());
    EXPECT_EQ(model->unet->config().cross_attention_dim.size(), unetBlockCount());
    EXPECT_EQ(model->textEncoder->config().hidden_size, textEncoderHiddenSize());
}

TEST(Configs, GoldenSdxlLoads) {
    // Control for the checks above: the SDXL configs (list-valued attention_head_dim, ...) pass them.
    std::shared_ptr<sa::StableDiffusionModel> model;
    ASSERT_NO_THROW(model = sa::StableDiffusionModel::load(goldenDir() / "tiny-sdxl"));
    EXPECT_TRUE(model->isXL());
}

TEST(Configs, UNetMissingRequiredKey) {
    ModelCopy copy;
    copy.edit("unet/config.json", [](json& j) { j.erase("block_out_channels"); });
    const auto msg = copy.loadError();
    EXPECT_THAT(msg, HasSubstr("unet/config.json"));
    EXPECT_THAT(msg, HasSubstr("missing field 'block_out_channels'"));
}

TEST(Configs, TextEncoderMissingRequiredKey) {
    ModelCopy copy;
    copy.edit("text_encoder/config.json", [](json& j) { j.erase("hidden_size"); });
    const auto msg = copy.loadError();
    EXPECT_THAT(msg, HasSubstr("text_encoder/config.json"));
    EXPECT_THAT(msg, HasSubstr("missing field 'hidden_size'"));
}

TEST(Configs, WrongType) {
    ModelCopy copy;
    copy.edit("unet/config.json", [](json& j) { j["layers_per_block"] = "two"; });
    const auto msg = copy.loadError();
    EXPECT_THAT(msg, HasSubstr("unet/config.json"));
    EXPECT_THAT(msg, HasSubstr("'layers_per_block'"));
    EXPECT_THAT(msg, HasSubstr("wrong type"));
    EXPECT_THAT(msg, HasSubstr("\"two\""));
}

TEST(Configs, UNetUnsupportedActivation) {
    ModelCopy copy;
    copy.edit("unet/config.json", [](json& j) { j["act_fn"] = "gelu_new"; });
    const auto msg = copy.loadError();
    EXPECT_THAT(msg, HasSubstr((copy.folder() / "unet/config.json").string()));
    EXPECT_THAT(msg, HasSubstr("act_fn"));
    EXPECT_THAT(msg, HasSubstr("gelu_new"));
}

TEST(Configs, VaeUnsupportedActivation) {
    ModelCopy copy;
    copy.edit("vae/config.json", [](json& j) { j["act_fn"] = "tanh"; });
    const auto msg = copy.loadError();
    EXPECT_THAT(msg, HasSubstr((copy.folder() / "vae/config.json").string()));
    EXPECT_THAT(msg, HasSubstr("act_fn"));
    EXPECT_THAT(msg, HasSubstr("tanh"));
}

TEST(Configs, TextEncoderUnsupportedActivation) {
    ModelCopy copy;
    copy.edit("text_encoder/config.json", [](json& j) { j["hidden_act"] = "gelu_new"; });
    const auto msg = copy.loadError();
    EXPECT_THAT(msg, HasSubstr("text_encoder/config.json"));
    EXPECT_THAT(msg, HasSubstr("hidden_act"));
    EXPECT_THAT(msg, HasSubstr("gelu_new"));
}

TEST(Configs, UNetUnsupportedAttentionType) {
    ModelCopy copy;
    copy.edit("unet/config.json", [](json& j) { j["attention_type"] = "gated"; });
    const auto msg = copy.loadError();
    EXPECT_THAT(msg, HasSubstr("unet/config.json"));
    EXPECT_THAT(msg, HasSubstr("'attention_type'"));
    EXPECT_THAT(msg, HasSubstr("\"gated\""));
}

TEST(Configs, SchedulerUnsupportedTimestepSpacing) {
    ModelCopy copy;
    copy.edit("scheduler/scheduler_config.json", [](json& j) { j["timestep_spacing"] = "weird"; });
    const auto msg = copy.loadError();
    EXPECT_THAT(msg, HasSubstr("scheduler/scheduler_config.json"));
    EXPECT_THAT(msg, HasSubstr("'timestep_spacing'"));
    EXPECT_THAT(msg, HasSubstr("\"weird\""));
}

TEST(Configs, SchedulerUnsupportedPredictionType) {
    ModelCopy copy;
    copy.edit("scheduler/scheduler_config.json", [](json& j) { j["prediction_type"] = "x"; });
    const auto msg = copy.loadError();
    EXPECT_THAT(msg, HasSubstr("scheduler/scheduler_config.json"));
    EXPECT_THAT(msg, HasSubstr("'prediction_type'"));
    EXPECT_THAT(msg, HasSubstr("\"x\""));
}

TEST(Configs, UnknownBehaviourChangingKey) {
    ModelCopy copy;
    copy.edit("unet/config.json", [](json& j) { j["class_embed_type"] = "timestep"; });
    const auto msg = copy.loadError();
    EXPECT_THAT(msg, HasSubstr("unet/config.json"));
    EXPECT_THAT(msg, HasSubstr("'class_embed_type' = \"timestep\""));

    // A key nobody knows, with a non-null value, is refused too; null / false are harmless.
    copy.edit("unet/config.json", [](json& j) {
        j["class_embed_type"] = nullptr;
        j["brand_new_option"] = 3;
    });
    EXPECT_THAT(copy.loadError(), HasSubstr("'brand_new_option' = 3"));
    copy.edit("unet/config.json", [](json& j) { j["brand_new_option"] = false; });
    EXPECT_NO_THROW((void)sa::StableDiffusionModel::load(copy.folder()));
}

// The UNet of `folder` rebuilt from its (edited) config.json, with fresh weights saved next to it.
void regenerateUNetWeights(const fs::path& unetFolder) {
    sa::UNet2DConditionModel unet(sa::UNet2DConditionConfig::load(unetFolder / "config.json"));
    std::map<std::string, torch::Tensor> tensors;
    for (const auto& item : unet->named_parameters(true)) tensors[item.key()] = item.value();
    for (const auto& item : unet->named_buffers(true)) tensors[item.key()] = item.value();
    sa::saveSafetensors(unetFolder / "diffusion_pytorch_model.safetensors", tensors);
}

// A cross_attention_dim that the text encoder cannot feed: its hidden size + 16.
int mismatchingCrossAttentionDim() { return textEncoderHiddenSize() + 16; }

TEST(Configs, CrossAttentionDimMismatch) {
    ModelCopy copy;
    const int dim = mismatchingCrossAttentionDim();
    copy.edit("unet/config.json", [&](json& j) { j["cross_attention_dim"] = dim; });
    regenerateUNetWeights(copy.folder() / "unet");
    const auto msg = copy.loadError();
    EXPECT_THAT(msg, HasSubstr((copy.folder() / "unet/config.json").string()));
    EXPECT_THAT(msg, HasSubstr(fmt::format("cross_attention_dim {} does not match the text encoder hidden size {}", dim,
                                           textEncoderHiddenSize())));
}

TEST(Configs, CrossAttentionDimMismatchWithOriginalWeights) {
    // Only the config edited: the weights no longer fit the model its config describes. Every
    // cross-attention key / value projection ([inner, cross_attention_dim]) is misshaped, and
    // each one the message lists shows the file's and the model's shape.
    ModelCopy copy;
    const int dim = mismatchingCrossAttentionDim();
    copy.edit("unet/config.json", [&](json& j) { j["cross_attention_dim"] = dim; });
    std::vector<std::string> projections;
    const auto weights = sa::SafetensorsFile::open(tinySd15() / kUNetWeights);
    for (const auto& info : weights->tensors())
        if (info.name.ends_with("attn2.to_k.weight") || info.name.ends_with("attn2.to_v.weight"))
            projections.push_back(info.name);
    ASSERT_FALSE(projections.empty()) << "the golden UNet has no cross-attention";
    const auto msg = copy.loadError();
    EXPECT_THAT(msg, HasSubstr((copy.folder() / kUNetWeights).string()));
    EXPECT_THAT(msg, HasSubstr(fmt::format("wrong shape ({}): ", projections.size())));
    int listed = 0;
    for (const auto& name : projections) {
        if (msg.find(" " + name + ": ") == std::string::npos) continue;  // the list may be cut short
        const auto shape = weights->info(name).shape;
        ASSERT_EQ(shape.size(), 2u) << name;
        EXPECT_THAT(msg, HasSubstr(fmt::format(" {}: file {} vs model {}", name, shapeText(shape),
                                               shapeText({shape[0], dim}))));
        ++listed;
    }
    EXPECT_GT(listed, 0) << msg;
    EXPECT_THAT(msg, Not(HasSubstr("missing")));
    EXPECT_THAT(msg, Not(HasSubstr("unexpected")));
}

TEST(Configs, CrossAttentionDimListOfWrongLength) {
    ModelCopy copy;
    const size_t blocks = unetBlockCount();
    copy.edit("unet/config.json", [&](json& j) { j["cross_attention_dim"] = std::vector<int>(blocks + 1, textEncoderHiddenSize()); });
    const auto msg = copy.loadError();
    EXPECT_THAT(msg, HasSubstr("unet/config.json"));
    EXPECT_THAT(msg, HasSubstr(fmt::format("'cross_attention_dim' has {} entries, expected {}", blocks + 1, blocks)));
}

TEST(Configs, UnknownPipelineClass) {
    ModelCopy copy;
    copy.edit("model_index.json", [](json& j) { j["_class_name"] = "KandinskyPipeline"; });
    const auto msg = copy.loadError();
    EXPECT_THAT(msg, HasSubstr("model_index.json"));
    EXPECT_THAT(msg, HasSubstr("_class_name"));
    EXPECT_THAT(msg, HasSubstr("KandinskyPipeline"));

    copy.edit("model_index.json", [](json& j) { j.erase("_class_name"); });
    EXPECT_THAT(copy.loadError(), HasSubstr("missing field '_class_name'"));
}

TEST(Configs, UNetWrongClassName) {
    ModelCopy copy;
    copy.edit("unet/config.json", [](json& j) { j["_class_name"] = "UNet2DModel"; });
    const auto msg = copy.loadError();
    EXPECT_THAT(msg, HasSubstr("unet/config.json"));
    EXPECT_THAT(msg, HasSubstr("'_class_name'"));
    EXPECT_THAT(msg, HasSubstr("UNet2DModel"));
}

TEST(Configs, InvalidJson) {
    ModelCopy copy;
    writeBytes(copy.folder() / "unet/config.json", "{\"in_channels\": 4,, }");
    const auto msg = copy.loadError();
    EXPECT_THAT(msg, HasSubstr("unet/config.json"));
    EXPECT_THAT(msg, HasSubstr("not valid JSON"));

    writeBytes(copy.folder() / "unet/config.json", "[4, 4]");
    const auto notObject = copy.loadError();
    EXPECT_THAT(notObject, HasSubstr("unet/config.json"));
    EXPECT_THAT(notObject, HasSubstr("JSON object"));
}

TEST(Configs, MissingConfigFileAndFolder) {
    ModelCopy copy;
    fs::remove(copy.folder() / "scheduler/scheduler_config.json");
    const auto msg = copy.loadError();
    EXPECT_THAT(msg, HasSubstr("scheduler/scheduler_config.json"));
    EXPECT_THAT(msg, HasSubstr("cannot open"));

    const auto notFolder = errorOf([&] { (void)sa::StableDiffusionModel::load(copy.folder() / "nope"); });
    EXPECT_THAT(notFolder, HasSubstr("nope"));
    EXPECT_THAT(notFolder, HasSubstr("no such model"));
}

TEST(Configs, ZeroAttentionHeadsAreRejected) {
    // Values that would divide by zero while the model is built.
    ModelCopy copy;
    copy.edit("text_encoder/config.json", [](json& j) { j["num_attention_heads"] = 0; });
    const auto te = copy.loadError();
    EXPECT_THAT(te, HasSubstr("text_encoder/config.json"));
    EXPECT_THAT(te, HasSubstr("num_attention_heads"));

    ModelCopy copy2;
    copy2.edit("unet/config.json", [](json& j) { j["attention_head_dim"] = 0; });
    const auto unet = copy2.loadError();
    EXPECT_THAT(unet, HasSubstr("unet/config.json"));
    EXPECT_THAT(unet, HasSubstr("attention_head_dim"));

    // One list entry per block, the last one negative.
    std::vector<int> heads(unetBlockCount(), 1);
    heads.back() = -1;
    copy2.edit("unet/config.json", [&](json& j) { j["num_attention_heads"] = heads; });
    const auto negative = copy2.loadError();
    EXPECT_THAT(negative, HasSubstr("unet/config.json"));
    EXPECT_THAT(negative, HasSubstr("num_attention_heads must be positive, got -1"));
}

// ---- weights ---------------------------------------------------------------------------------

std::map<std::string, torch::Tensor> originalUNetTensors() {
    return sa::SafetensorsFile::open(tinySd15() / kUNetWeights)->all();
}

TEST(Weights, MissingUnexpectedAndMisshapedTogether) {
    ModelCopy copy;
    auto tensors = originalUNetTensors();
    const std::string removed = "conv_in.bias";
    const std::string reshaped = "conv_out.weight";
    ASSERT_TRUE(tensors.count(removed));
    ASSERT_TRUE(tensors.count(reshaped));
    tensors.erase(removed);
    tensors["extra.weight"] = torch::zeros({3});
    // The real kernel with one column less (or more, for a 1-wide kernel).
    const auto real = tensors[reshaped].sizes().vec();
    ASSERT_EQ(real.size(), 4u);
    auto wrong = real;
    wrong.back() += wrong.back() > 1 ? -1 : 1;
    tensors[reshaped] = torch::zeros(wrong);
    sa::saveSafetensors(copy.folder() / kUNetWeights, tensors);

    const auto msg = copy.loadError();
    EXPECT_THAT(msg, HasSubstr((copy.folder() / kUNetWeights).string()));
    EXPECT_THAT(msg, HasSubstr("missing (1): conv_in.bias"));
    EXPECT_THAT(msg, HasSubstr("unexpected (1): extra.weight"));
    EXPECT_THAT(msg, HasSubstr(fmt::format("wrong shape (1): conv_out.weight: file {} vs model {}", shapeText(wrong),
                                           shapeText(real))));
}

TEST(Weights, EachDefectAlone) {
    const std::string weights = kUNetWeights;
    {
        ModelCopy copy;
        auto tensors = originalUNetTensors();
        tensors.erase("time_embedding.linear_1.weight");
        sa::saveSafetensors(copy.folder() / weights, tensors);
        const auto msg = copy.loadError();
        EXPECT_THAT(msg, HasSubstr(weights));
        EXPECT_THAT(msg, HasSubstr("missing (1): time_embedding.linear_1.weight"));
        EXPECT_THAT(msg, Not(HasSubstr("unexpected")));
        EXPECT_THAT(msg, Not(HasSubstr("wrong shape")));
    }
    {
        ModelCopy copy;
        auto tensors = originalUNetTensors();
        tensors["down_blocks.0.bonus"] = torch::ones({2, 2});
        sa::saveSafetensors(copy.folder() / weights, tensors);
        const auto msg = copy.loadError();
        EXPECT_THAT(msg, HasSubstr(weights));
        EXPECT_THAT(msg, HasSubstr("unexpected (1): down_blocks.0.bonus"));
        EXPECT_THAT(msg, Not(HasSubstr("missing")));
    }
    {
        ModelCopy copy;
        auto tensors = originalUNetTensors();
        const int64_t channels = tensors.at("conv_in.bias").size(0);  // block_out_channels[0]
        tensors["conv_in.bias"] = torch::zeros({channels + 1});
        sa::saveSafetensors(copy.folder() / weights, tensors);
        const auto msg = copy.loadError();
        EXPECT_THAT(msg, HasSubstr(weights));
        EXPECT_THAT(msg, HasSubstr(fmt::format("wrong shape (1): conv_in.bias: file [{}] vs model [{}]", channels + 1,
                                               channels)));
    }
}

TEST(Weights, HalfPrecisionFileIsAccepted) {
    // Not a defect: fp16 weights are cast to the model dtype.
    ModelCopy copy;
    auto tensors = originalUNetTensors();
    for (auto& [name, t] : tensors) t = t.to(torch::kFloat16);
    sa::saveSafetensors(copy.folder() / kUNetWeights, tensors);
    std::shared_ptr<sa::StableDiffusionModel> model;
    ASSERT_NO_THROW(model = sa::StableDiffusionModel::load(copy.folder()));
    EXPECT_EQ(model->unet->parameters().front().scalar_type(), torch::kFloat32);
}

TEST(Weights, PickleCheckpointIsRefused) {
    ModelCopy copy;
    const auto unet = copy.folder() / "unet";
    fs::rename(unet / "diffusion_pytorch_model.safetensors", unet / "diffusion_pytorch_model.bin");
    const auto msg = copy.loadError();
    EXPECT_THAT(msg, HasSubstr("unet/diffusion_pytorch_model.bin"));
    EXPECT_THAT(msg, HasSubstr("pickle"));
    EXPECT_THAT(msg, HasSubstr("Convert it to safetensors"));
    EXPECT_THAT(msg, HasSubstr("safe_serialization=True"));

    // No weights at all.
    fs::remove(unet / "diffusion_pytorch_model.bin");
    const auto none = copy.loadError();
    EXPECT_THAT(none, HasSubstr("unet"));
    EXPECT_THAT(none, HasSubstr("no weights file"));
    EXPECT_THAT(none, HasSubstr("diffusion_pytorch_model.safetensors"));
}

TEST(Weights, TruncatedWeightsFile) {
    ModelCopy copy;
    const auto file = copy.folder() / kUNetWeights;
    const auto full = readBytes(file);
    for (size_t keep : {full.size() - 1, full.size() / 2, size_t{100}, size_t{4}}) {
        writeBytes(file, full.substr(0, keep));
        const auto msg = copy.loadError();
        EXPECT_THAT(msg, HasSubstr(file.string())) << keep;
    }
}

// ---- images ----------------------------------------------------------------------------------

TEST(Images, BadFiles) {
    TempDir dir;
    const auto missing = dir / "missing.png";
    auto msg = errorOf([&] { (void)sa::readImage(missing); });
    EXPECT_THAT(msg, HasSubstr(missing.string()));
    EXPECT_THAT(msg, HasSubstr("no such file"));

    const auto text = dir / "notes.png";
    writeBytes(text, "this is not a picture\n");
    msg = errorOf([&] { (void)sa::readImage(text); });
    EXPECT_THAT(msg, HasSubstr(text.string()));
    EXPECT_THAT(msg, HasSubstr("not an image"));

    const auto empty = dir / "empty.jpg";
    writeBytes(empty, "");
    msg = errorOf([&] { (void)sa::readImage(empty); });
    EXPECT_THAT(msg, HasSubstr(empty.string()));

    // A PNG signature followed by junk (a damaged download).
    const auto damaged = dir / "damaged.png";
    writeBytes(damaged, std::string("\x89PNG\r\n\x1a\n", 8) + std::string(64, '\x07'));
    msg = errorOf([&] { (void)sa::readImage(damaged); });
    EXPECT_THAT(msg, HasSubstr(damaged.string()));

    const auto folder = dir / "folder.png";
    fs::create_directories(folder);
    msg = errorOf([&] { (void)sa::readImage(folder); });
    EXPECT_THAT(msg, HasSubstr(folder.string()));
    EXPECT_THAT(msg, HasSubstr("not a file"));
}

TEST(Images, PngRoundTripIsAtomic) {
    TempDir dir;
    cv::Mat image(5, 7, CV_8UC3);
    for (int y = 0; y < image.rows; ++y)
        for (int x = 0; x < image.cols; ++x)
            image.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uint8_t>(x * 30), static_cast<uint8_t>(y * 50),
                                                  static_cast<uint8_t>(255 - x * y));
    const auto file = dir / "out.png";
    sa::writeImage(file, image);
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir.path())) names.push_back(entry.path().filename().string());
    EXPECT_EQ(names, std::vector<std::string>{"out.png"});  // no .partial left behind

    const auto back = sa::readImage(file);
    ASSERT_EQ(back.type(), CV_8UC3);
    ASSERT_EQ(back.size(), image.size());
    EXPECT_EQ(cv::norm(back, image, cv::NORM_INF), 0.0);

    // Overwriting an existing file works the same way.
    sa::writeImage(file, cv::Mat(2, 2, CV_8UC3, cv::Scalar(1, 2, 3)));
    EXPECT_EQ(sa::readImage(file).size(), cv::Size(2, 2));

    // A folder that does not exist: an error naming the file, nothing left behind.
    const auto nowhere = dir / "no_such_folder" / "x.png";
    const auto msg = errorOf([&] { sa::writeImage(nowhere, image); });
    EXPECT_THAT(msg, HasSubstr(nowhere.string()));
    EXPECT_FALSE(fs::exists(dir / "no_such_folder"));
}

TEST(Images, TensorConversionsRanges) {
    // tensorToImage clamps to [0, 1] and rounds; RGB tensor → BGR image.
    auto chw = torch::zeros({3, 1, 4});
    chw[0] = torch::tensor({-0.5f, 0.0f, 0.2f, 1.5f}).reshape({1, 4});  // R
    chw[1] = torch::full({1, 4}, 1.0f);                                  // G
    chw[2] = torch::full({1, 4}, 0.0f);                                  // B
    const auto image = sa::tensorToImage(chw);
    ASSERT_EQ(image.type(), CV_8UC3);
    ASSERT_EQ(image.rows, 1);
    ASSERT_EQ(image.cols, 4);
    const uint8_t expectedRed[] = {0, 0, 51, 255};
    for (int x = 0; x < 4; ++x) {
        const auto p = image.at<cv::Vec3b>(0, x);
        EXPECT_EQ(p[2], expectedRed[x]) << x;  // R
        EXPECT_EQ(p[1], 255) << x;             // G
        EXPECT_EQ(p[0], 0) << x;               // B
    }

    // imageToTensor: [1, 3, H, W] RGB in [-1, 1]; 0 → -1, 255 → 1.
    const auto t = sa::imageToTensor(image);
    ASSERT_EQ(t.sizes().vec(), (std::vector<int64_t>{1, 3, 1, 4}));
    EXPECT_EQ(t.scalar_type(), torch::kFloat32);
    EXPECT_FLOAT_EQ(t.min().item<float>(), -1.0f);
    EXPECT_FLOAT_EQ(t.max().item<float>(), 1.0f);
    EXPECT_FLOAT_EQ(t[0][0][0][3].item<float>(), 1.0f);                 // R = 255
    EXPECT_NEAR(t[0][0][0][2].item<float>(), 51 / 127.5f - 1, 1e-6);  // R = 51
    EXPECT_FLOAT_EQ(t[0][1][0][0].item<float>(), 1.0f);                 // G
    EXPECT_FLOAT_EQ(t[0][2][0][0].item<float>(), -1.0f);                // B

    // Round trip through [-1, 1] → [0, 1] is exact for 8-bit values.
    const auto again = sa::tensorToImage((t[0] + 1) / 2);
    EXPECT_EQ(cv::norm(again, image, cv::NORM_INF), 0.0);

    const auto bad = errorOf([] { (void)sa::tensorToImage(torch::zeros({4, 2, 2})); });
    EXPECT_THAT(bad, HasSubstr("[4, 2, 2]"));
    EXPECT_THAT(errorOf([] { (void)sa::imageToTensor(cv::Mat(2, 2, CV_8UC1)); }), HasSubstr("3-channel"));
}

// ---- JsonConfig ------------------------------------------------------------------------------

TEST(JsonConfig, IntOrListWrongLength) {
    sa::JsonConfig config(json{{"heads", {1, 2, 3}}, {"dims", 8}, {"words", "x"}}, "some/config.json");
    const auto msg = errorOf([&] { (void)config.intOrList("heads", 2); });
    EXPECT_THAT(msg, HasSubstr("some/config.json"));
    EXPECT_THAT(msg, HasSubstr("'heads'"));
    EXPECT_THAT(msg, HasSubstr("3 entries, expected 2"));

    EXPECT_EQ(config.intOrList("heads", 3), (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(config.intOrList("dims", 4), (std::vector<int>{8, 8, 8, 8}));
    EXPECT_EQ(config.intOrList("absent", 2, 5), (std::vector<int>{5, 5}));
    EXPECT_THAT(errorOf([&] { (void)config.intOrList("absent", 2); }), HasSubstr("missing field 'absent'"));
    const auto wrongType = errorOf([&] { (void)config.intOrList("words", 2); });
    EXPECT_THAT(wrongType, HasSubstr("'words'"));
    EXPECT_THAT(wrongType, HasSubstr("wrong type"));
}

// ---- found by the fuzz harnesses (tests/fuzz) ---------------------------------------------------

TEST(JsonConfig, NumbersMustFitTheirField) {
    // nlohmann casts: 2.5 → 2, 2^32 wraps, -1 → 2^64 - 1, and 1e300 → int is undefined behaviour.
    const sa::JsonConfig config(json::parse(R"({"half": 2.5, "huge": 1e300, "wide": 4294967296, "whole": 4.0,
                                               "negative": -1, "list": [1, 1e300]})"),
                                "fuzz/config.json");
    for (const char* key : {"half", "huge", "wide"}) {
        const auto msg = errorOf([&] { (void)config.get<int>(key); });
        EXPECT_THAT(msg, HasSubstr("fuzz/config.json")) << key;
        EXPECT_THAT(msg, HasSubstr(fmt::format("'{}'", key)));
        EXPECT_THAT(msg, HasSubstr("out of range or not a whole number"));
    }
    EXPECT_EQ(config.get<int>("whole"), 4);
    EXPECT_EQ(config.get<double>("huge"), 1e300);
    EXPECT_THAT(errorOf([&] { (void)config.get<uint64_t>("negative"); }), HasSubstr("'negative'"));
    EXPECT_THAT(errorOf([&] { (void)config.get<std::vector<int>>("list"); }), HasSubstr("'list'"));
    EXPECT_THAT(errorOf([&] { (void)config.intOrList("huge", 2); }), HasSubstr("'huge'"));
    EXPECT_EQ(config.intOrList("whole", 2), (std::vector<int>{4, 4}));
}

TEST(ImageSet, MalformedSetJsonIsAClearError) {
    TempDir dir;
    const auto file = dir / "set.json";
    const json valid{{"format", "stylealigned-set"}, {"version", 1}, {"model", "m"}, {"reference_image", nullptr},
                     {"reference_prompt", "a fish"}, {"targets", {"a tree"}}, {"negative_prompt", ""},
                     {"seeds", {1, 2}}, {"steps", 50}, {"guidance", 7.5}, {"height", 64}, {"width", 64},
                     {"offset", 5}, {"inversion_guidance", 2.0}, {"plan", nullptr}, {"images", json::array()},
                     {"grid", ""}};
    const auto errorFor = [&](const std::string& text) {
        writeBytes(file, text);
        return errorOf([&] { (void)sa::ImageSetSpec::load(file); });
    };
    writeBytes(file, valid.dump());
    EXPECT_EQ(sa::ImageSetSpec::load(file).toJson(), valid);

    // Each used to escape as a nlohmann::json exception instead of an sa::Error naming the file.
    EXPECT_THAT(errorFor("6E4111"), HasSubstr("not valid JSON"));  // out_of_range while parsing
    EXPECT_THAT(errorFor(R"({"format": 3})"), HasSubstr("not a StyleAligned set"));
    EXPECT_THAT(errorFor(R"({"format": "stylealigned-set", "version": "1"})"), HasSubstr("unsupported set version \"1\""));
    for (const auto& [key, value] : std::vector<std::pair<std::string, json>>{
             {"steps", 1e300}, {"height", 2.5}, {"seeds", {-1, 2}}, {"offset", 4294967296}}) {
        auto broken = valid;
        broken[key] = value;
        const auto msg = errorFor(broken.dump());
        EXPECT_THAT(msg, HasSubstr(file.string())) << key;
        EXPECT_THAT(msg, HasSubstr("field '" + key + "'"));
    }
}

std::string pngHeader(uint32_t width, uint32_t height) {
    std::string b("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
    for (uint32_t v : {width, height})
        for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<char>(v >> shift));
    return b + std::string("\x08\x02\0\0\0\0\0\0\0", 9);  // 8-bit RGB; CRC not checked before the size
}

TEST(Images, HugeOrUnsupportedImagesAreRefusedBeforeDecoding) {
    TempDir dir;
    // A 33-byte PNG header asking for 10^10 pixels: refused before OpenCV allocates for it.
    const auto huge = dir / "huge.png";
    writeBytes(huge, pngHeader(100000, 100000));
    auto msg = errorOf([&] { (void)sa::readImage(huge); });
    EXPECT_THAT(msg, HasSubstr(huge.string()));
    EXPECT_THAT(msg, HasSubstr("100000 × 100000 pixels is too large"));

    // Formats the studio does not offer are refused by content (OpenCV 4.6's Radiance HDR reader
    // leaks an open file for every damaged .hdr it is given).
    const auto hdr = dir / "sky.png";
    writeBytes(hdr, "#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 2 +X x\n");
    msg = errorOf([&] { (void)sa::readImage(hdr); });
    EXPECT_THAT(msg, HasSubstr(hdr.string()));
    EXPECT_THAT(msg, HasSubstr("PNG, JPEG, WebP, BMP, TIFF"));

    const auto noSize = dir / "nosize.png";
    writeBytes(noSize, std::string("\x89PNG\r\n\x1a\n", 8) + "junk");
    EXPECT_THAT(errorOf([&] { (void)sa::readImage(noSize); }), HasSubstr("damaged PNG file"));

    // Named .png, but a BMP: the content decides.
    cv::Mat image(3, 5, CV_8UC3, cv::Scalar(10, 20, 30));
    const auto bmp = dir / "image.bmp";
    sa::writeImage(bmp, image);
    fs::rename(bmp, dir / "really_a_bmp.png");
    EXPECT_EQ(cv::norm(sa::readImage(dir / "really_a_bmp.png"), image, cv::NORM_INF), 0.0);
}

TEST(Images, FitImageCropsBeforeResizing) {
    // A 1 × 100000 strip used to be resized to 64 × 6,400,000 before the crop (1.2 GB).
    const cv::Mat strip(100000, 1, CV_8UC3, cv::Scalar(1, 2, 3));
    const auto fitted = sa::fitImage(strip, 64, 48);
    ASSERT_EQ(fitted.size(), cv::Size(64, 48));
    EXPECT_EQ(cv::norm(fitted, cv::Mat(48, 64, CV_8UC3, cv::Scalar(1, 2, 3)), cv::NORM_INF), 0.0);

    // Centre crop: a 40 × 10 image, left half black, right half white → 10 × 10 from its middle.
    cv::Mat halves(10, 40, CV_8UC3, cv::Scalar(0, 0, 0));
    halves(cv::Rect(20, 0, 20, 10)).setTo(cv::Scalar(255, 255, 255));
    const auto square = sa::fitImage(halves, 10, 10);
    ASSERT_EQ(square.size(), cv::Size(10, 10));
    EXPECT_EQ(cv::norm(square(cv::Rect(0, 0, 5, 10)), cv::NORM_INF), 0.0);
    EXPECT_EQ(cv::norm(square(cv::Rect(5, 0, 5, 10)), cv::Mat(10, 5, CV_8UC3, cv::Scalar(255, 255, 255)), cv::NORM_INF), 0.0);

    // Same aspect ratio: a plain resize.
    cv::Mat small;
    cv::resize(halves, small, {20, 5}, 0, 0, cv::INTER_AREA);
    EXPECT_EQ(cv::norm(sa::fitImage(halves, 20, 5), small, cv::NORM_INF), 0.0);
}

}  // namespace
