// The `stylealigned` command line as a user runs it: a set from a reference image, reproducing it
// from set.json pixel for pixel, Ctrl-C leaving nothing half-written, and clear errors.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/io/image.h"
#include "support/golden_dir.h"

namespace fs = std::filesystem;
extern char** environ;

namespace {

fs::path golden() { return sa::test::goldenDir(); }

struct Run {
    int exitCode = -1;
    std::string output;  // stdout + stderr
};

// Starts the CLI with `args`; when `interruptAfter` > 0, sends SIGINT once the process has
// printed that many progress lines.
Run runCli(std::vector<std::string> args, int interruptAfter = 0) {
    const fs::path log = fs::temp_directory_path() / fmt::format("sa_cli_{}.log", ::getpid());
    args.insert(args.begin(), STYLEALIGNED_CLI);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = 0;
    EXPECT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    if (interruptAfter > 0) {
        for (int i = 0; i < 3000; ++i) {
            std::ifstream in(log);
            std::string text((std::istreambuf_iterator<char>(in)), {});
            if (std::count(text.begin(), text.end(), '\n') >= interruptAfter + 1) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        kill(pid, SIGINT);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    Run run;
    run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::ifstream in(log);
    run.output.assign(std::istreambuf_iterator<char>(in), {});
    fs::remove(log);
    return run;
}

class Cli : public testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / fmt::format("sa_cli_test_{}", ::getpid());
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    void TearDown() override { fs::remove_all(dir); }

    std::vector<std::string> setArgs(const fs::path& out, int steps = 4) {
        return {"generate", "--model", (golden() / "tiny-sd15").string(), "--reference",
                (golden() / "cases/reference_image.png").string(), "--caption", "Man laying in a bed, medieval painting.",
                "--prompt", "A man working on a laptop", "--prompt", "A man eats pizza", "--steps", std::to_string(steps),
                "--offset", "1", "--height", "32", "--width", "48", "--threads", "1", "--out", out.string()};
    }
    fs::path dir;
};

TEST_F(Cli, SetFromReferenceAndReproduceFromSetJson) {
    auto first = runCli(setArgs(dir / "a"));
    ASSERT_EQ(first.exitCode, 0) << first.output;
    for (const char* name : {"image_00.png", "image_01.png", "image_02.png", "grid.png", "set.json", "reference.png"})
        EXPECT_TRUE(fs::exists(dir / "a" / name)) << name;
    std::ifstream json(dir / "a/set.json");
    const auto spec = nlohmann::json::parse(json);
    EXPECT_EQ(spec.at("targets").at(0), "A man working on a laptop, medieval painting.");
    auto again = runCli({"generate", "--set", (dir / "a/set.json").string(), "--out", (dir / "b").string(), "--threads", "1"});
    ASSERT_EQ(again.exitCode, 0) << again.output;
    for (const char* name : {"image_00.png", "image_01.png", "image_02.png"}) {
        auto a = sa::readImage(dir / "a" / name), b = sa::readImage(dir / "b" / name);
        EXPECT_EQ(cv::norm(a, b, cv::NORM_INF), 0.0) << name;
    }
}

TEST_F(Cli, InterruptLeavesNoFiles) {
    auto run = runCli(setArgs(dir / "c", 400), 3);
    EXPECT_EQ(run.exitCode, 130) << run.output;
    EXPECT_NE(run.output.find("cancelled"), std::string::npos) << run.output;
    EXPECT_TRUE(!fs::exists(dir / "c") || fs::is_empty(dir / "c")) << "files were written";
}

TEST_F(Cli, ClearErrors) {
    const auto model = (golden() / "tiny-sd15").string();
    auto expectError = [&](std::vector<std::string> args, const std::string& needle) {
        auto run = runCli(args);
        EXPECT_EQ(run.exitCode, 1) << run.output;
        EXPECT_NE(run.output.find(needle), std::string::npos) << run.output;
    };
    const auto text = (dir / "notes.png").string();
    std::ofstream(text) << "not an image";
    expectError({"generate", "--model", model, "--reference", text, "--caption", "a, b", "--prompt", "x", "--out", dir.string()},
                "notes.png: not an image");
    expectError({"generate", "--model", model, "--reference", (dir / "missing.png").string(), "--caption", "a, b", "--prompt",
                 "x", "--out", dir.string()}, "missing.png: no such file");
    expectError({"generate", "--model", model, "--prompt", "a cat", "--out", dir.string()}, "at least two --prompt");
    expectError({"generate", "--model", model, "--prompt", " ", "--prompt", "b", "--out", dir.string()}, "must not be empty");
    expectError({"generate", "--model", (dir / "nope").string(), "--prompt", "a", "--prompt", "b", "--out", dir.string()}, "nope");
    expectError({"generate", "--model", model, "--prompt", "a", "--prompt", "b", "--steps", "many", "--out", dir.string()}, "--steps");
    expectError({"generate", "--model", model, "--prompt", "a", "--prompt", "b", "--stpes", "3", "--out", dir.string()}, "--stpes");
    // Without --caption the model's captioner is needed: the tiny model has none.
    expectError({"generate", "--model", model, "--reference", (golden() / "cases/reference_image.png").string(), "--prompt",
                 "x", "--out", dir.string()}, "--caption");
    EXPECT_EQ(runCli({"frobnicate"}).exitCode, 2);
}

}  // namespace
