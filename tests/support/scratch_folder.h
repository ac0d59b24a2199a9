#pragma once
// A fresh temporary folder per test (named after the test and the process), removed on
// destruction; optionally a copy of the files of another folder.
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <unistd.h>

#include <gtest/gtest.h>

namespace sa::test {

class ScratchFolder {
public:
    explicit ScratchFolder(const std::string& prefix = "sa_test") {
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        path = std::filesystem::temp_directory_path() /
               (prefix + "_" + test->test_suite_name() + "_" + test->name() + "_" +
                std::to_string(::getpid()));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    // A writable copy of the files in `source`.
    ScratchFolder(const std::string& prefix, const std::filesystem::path& source)
        : ScratchFolder(prefix) {
        namespace fs = std::filesystem;
        for (const auto& entry : fs::directory_iterator(source)) {
            fs::copy_file(entry.path(), path / entry.path().filename());
            fs::permissions(path / entry.path().filename(), fs::perms::owner_write,
                            fs::perm_options::add);
        }
    }
    ~ScratchFolder() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    ScratchFolder(const ScratchFolder&) = delete;
    ScratchFolder& operator=(const ScratchFolder&) = delete;

    // Writes `bytes` to the file `name` in the folder, replacing it.
    void write(const std::string& name, std::string_view bytes) const {
        std::ofstream(path / name, std::ios::binary | std::ios::trunc)
            .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }

    std::filesystem::path path;
};

}  // namespace sa::test
