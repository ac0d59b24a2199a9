#pragma once
// Small helpers of the command-line tools: argument parsing, a terminal progress bar and
// Ctrl-C → cancel token.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "core/common/cancel.h"

namespace sa::cli {

// "--name value" options (repeatable) and "--flag" switches; positional words in order.
class Args {
public:
    Args(int argc, char** argv, int first, const std::vector<std::string>& flags);
    bool has(const std::string& name) const { return values_.count(name) != 0; }
    std::string get(const std::string& name, const std::string& fallback = "") const;
    std::vector<std::string> all(const std::string& name) const;
    // Numeric options: the whole value must parse (no blanks, no trailing text), else sa::Error
    // naming the option. getInt also enforces a lower bound; getDouble refuses nan / inf.
    int getInt(const std::string& name, int fallback, int min = std::numeric_limits<int>::min()) const;
    // One whole number of option `name` (a list item, say), as getInt reads it.
    static int parseInt(const std::string& name, const std::string& text, int min = std::numeric_limits<int>::min());
    double getDouble(const std::string& name, double fallback) const;
    static double parseDouble(const std::string& name, const std::string& text);  // as getDouble reads it
    uint64_t getSeed(const std::string& name, uint64_t fallback) const;
    const std::vector<std::string>& positional() const { return positional_; }
    // Rejects options not in `known` (typos must not be silently ignored).
    void expectOnly(const std::vector<std::string>& known) const;

private:
    std::map<std::string, std::vector<std::string>> values_;
    std::vector<std::string> positional_;
};

class ProgressBar {
public:
    // `resumedAt`: work already done before this run (a resumed stage), left out of the ETA.
    explicit ProgressBar(std::string label, int resumedAt = 0)
        : label_(std::move(label)), resumedAt_(resumedAt), start_(std::chrono::steady_clock::now()) {}
    void update(int done, int total);
    void finish();

private:
    std::string label_;
    int resumedAt_ = 0;
    std::chrono::steady_clock::time_point start_;
    bool drawn_ = false;
};

// A process-wide token that SIGINT / SIGTERM cancel.
CancelToken& interruptToken();
void installInterruptHandler();

}  // namespace sa::cli
