// Discovers every golden case and registers one test per case (never a hard-coded list).
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>

#include "core/common/runtime.h"
#include "golden/golden_case.h"

namespace sa::test {
namespace {

std::vector<std::pair<std::string, Runner>>& runners() {
    static std::vector<std::pair<std::string, Runner>> list;
    return list;
}

const Runner* findRunner(const std::string& caseName) {
    const Runner* best = nullptr;
    size_t bestLength = 0;
    for (const auto& [prefix, runner] : runners())
        if (caseName.rfind(prefix, 0) == 0 && prefix.size() >= bestLength) {
            best = &runner;
            bestLength = prefix.size();
        }
    return best;
}

nlohmann::json loadJson(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path.string());
    return nlohmann::json::parse(in);
}

// |actual − expected| ≤ atol element-wise (or equality for exact tensors).
void compare(const std::string& label, const torch::Tensor& actualIn, const torch::Tensor& expected,
             const nlohmann::json& tolerance) {
    ASSERT_TRUE(actualIn.defined()) << label << ": runner returned an undefined tensor";
    auto actual = actualIn.detach().to(torch::kCPU);
    ASSERT_EQ(actual.sizes().vec(), expected.sizes().vec()) << label << ": shape differs";
    if (tolerance.value("exact", false) || !expected.is_floating_point()) {
        auto a = actual.to(torch::kLong), e = expected.to(torch::kLong);
        const auto mismatches = (a != e).sum().item<int64_t>();
        EXPECT_EQ(mismatches, 0) << label << ": " << mismatches << " of " << e.numel() << " integers differ";
        std::cout << fmt::format("  {:<48} exact: {}\n", label, mismatches == 0 ? "equal" : "DIFFERENT");
        return;
    }
    ASSERT_TRUE(tolerance.contains("suggested_atol")) << label << ": tolerances.json has no atol";
    const double atol = tolerance.at("suggested_atol").get<double>();
    auto diff = (actual.to(torch::kFloat64) - expected.to(torch::kFloat64)).abs();
    const double maxDiff = diff.numel() ? diff.max().item<double>() : 0.0;
    const bool finite = torch::isfinite(actual).all().item<bool>();
    EXPECT_TRUE(finite) << label << ": non-finite values";
    EXPECT_LE(maxDiff, atol) << label << ": max |Δ| " << maxDiff << " at flat index "
                             << (diff.numel() ? diff.flatten().argmax().item<int64_t>() : -1);
    std::cout << fmt::format("  {:<48} max|Δ| {:.3e}  atol {:.0e}{}\n", label, maxDiff, atol,
                             maxDiff <= atol ? "" : "  FAIL");
}

class GoldenTest : public testing::Test {
public:
    explicit GoldenTest(std::filesystem::path caseJson) : caseJson_(std::move(caseJson)) {}

    void TestBody() override {
        GoldenCase c;
        c.name = caseJson_.stem().string();
        c.root = caseJson_.parent_path().parent_path();
        c.meta = loadJson(caseJson_);
        const auto tolerancesFile = c.root / "tolerances.json";
        ASSERT_TRUE(std::filesystem::exists(tolerancesFile)) << tolerancesFile << " is missing: a golden folder "
                                                             << "without tolerances is an error, not a pass";
        const auto tolerances = loadJson(tolerancesFile).at("cases");
        ASSERT_TRUE(tolerances.contains(c.name)) << "tolerances.json has no entry for case " << c.name;
        const auto& caseTolerances = tolerances.at(c.name);
        auto tensorsFile = caseJson_;
        tensorsFile.replace_extension(".safetensors");
        c.file = SafetensorsFile::open(tensorsFile);

        const Runner* runner = findRunner(c.name);
        if (!runner) GTEST_SKIP() << "golden case '" << c.name << "': no runner knows this kind of case yet";

        RunResult result;
        (*runner)(c, result);

        std::vector<std::string> skipped;
        for (const auto& [name, info] : c.meta.at("tensors").items()) {
            const std::string role = info.at("role");
            if (role == "input") continue;
            auto produced = result.tensors.find(name);
            if (produced == result.tensors.end()) {
                if (role == "debug") continue;  // optional to test
                auto unsupported = std::find_if(result.unsupported.begin(), result.unsupported.end(),
                                                [&](const auto& u) { return name.rfind(u.first, 0) == 0; });
                if (unsupported != result.unsupported.end()) {
                    skipped.push_back(fmt::format("{} ({})", name, unsupported->second));
                    continue;
                }
                ADD_FAILURE() << c.name << ": output '" << name << "' was not computed";
                continue;
            }
            ASSERT_TRUE(caseTolerances.contains(name)) << "tolerances.json has no entry for " << c.name << "/" << name;
            compare(c.name + "/" + name, produced->second, c.tensor(name), caseTolerances.at(name));
        }
        for (const auto& s : skipped) std::cout << "  SKIPPED " << c.name << "/" << s << "\n";
        if (!skipped.empty()) RecordProperty("skipped_outputs", static_cast<int>(skipped.size()));
    }

private:
    std::filesystem::path caseJson_;
};

}  // namespace

RegisterRunner::RegisterRunner(const std::string& casePrefix, Runner runner) {
    runners().emplace_back(casePrefix, std::move(runner));
}

}  // namespace sa::test

int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    sa::configureRuntime();
    const auto dir = sa::test::goldenDir() / "cases";
    std::vector<std::filesystem::path> cases;
    if (std::filesystem::is_directory(dir))
        for (const auto& entry : std::filesystem::directory_iterator(dir))
            if (entry.path().extension() == ".json") cases.push_back(entry.path());
    std::sort(cases.begin(), cases.end());
    if (cases.empty()) {
        std::cerr << "no golden cases found in " << dir << " (set STYLEALIGNED_GOLDEN_DIR)\n";
        return 1;
    }
    std::cout << "golden folder: " << sa::test::goldenDir() << " (" << cases.size() << " cases)\n";
    for (const auto& path : cases) {
        testing::RegisterTest("Golden", path.stem().string().c_str(), nullptr, nullptr, __FILE__, __LINE__,
                              [path]() -> testing::Test* { return new sa::test::GoldenTest(path); });
    }
    return RUN_ALL_TESTS();
}
