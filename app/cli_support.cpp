#include "app/cli_support.h"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <limits>

#include <fmt/format.h>

#include "core/common/error.h"

namespace sa::cli {

Args::Args(int argc, char** argv, int first, const std::vector<std::string>& flags) {
    for (int i = first; i < argc; ++i) {
        std::string word = argv[i];
        if (word.rfind("--", 0) != 0 || word.size() == 2) {
            positional_.push_back(word);
            continue;
        }
        std::string name = word.substr(2), value;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
        } else if (std::find(flags.begin(), flags.end(), name) != flags.end()) {
            value = "1";
        } else {
            if (i + 1 >= argc) fail("option --{} needs a value", name);
            value = argv[++i];
        }
        values_[name].push_back(value);
    }
}

std::string Args::get(const std::string& name, const std::string& fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second.back();
}

std::vector<std::string> Args::all(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

namespace {

// The whole text as a T, with nothing before or after it (no blanks, no '+'), or fails naming
// the option. std::from_chars: no locale, no silent wrap-around of "-3" into a huge unsigned.
template <typename T>
T parseNumber(const std::string& name, const std::string& text, const char* what) {
    T value{};
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end)
        fail("--{}: '{}' is not {}", name, text, what);
    return value;
}

}  // namespace

int Args::parseInt(const std::string& name, const std::string& text, int min) {
    const int value = parseNumber<int>(name, text, "a whole number");
    if (value < min) fail("--{} must be at least {} (got {})", name, min, value);
    return value;
}

int Args::getInt(const std::string& name, int fallback, int min) const {
    return has(name) ? parseInt(name, get(name), min) : fallback;
}

double Args::parseDouble(const std::string& name, const std::string& text) {
    // from_chars reads "nan", "inf", "infinity" too: none of them is a usable setting.
    const double value = parseNumber<double>(name, text, "a number");
    if (!std::isfinite(value)) fail("--{}: '{}' is not a finite number", name, text);
    return value;
}

double Args::getDouble(const std::string& name, double fallback) const {
    return has(name) ? parseDouble(name, get(name)) : fallback;
}

uint64_t Args::getSeed(const std::string& name, uint64_t fallback) const {
    if (!has(name)) return fallback;
    return parseNumber<uint64_t>(name, get(name), "a non-negative whole number (0 to 18446744073709551615)");
}

void Args::expectOnly(const std::vector<std::string>& known) const {
    for (const auto& [name, values] : values_)
        if (std::find(known.begin(), known.end(), name) == known.end())
            fail("unknown option --{} (known: --{})", name, fmt::join(known, ", --"));
}

void ProgressBar::update(int done, int total) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double fraction = total > 0 ? static_cast<double>(done) / total : 1.0;
    const int width = 30;
    const int filled = static_cast<int>(fraction * width);
    const int doneHere = done - resumedAt_;
    const double eta = doneHere > 0 ? elapsed / doneHere * (total - done) : 0.0;
    std::string bar(filled, '#');
    bar.append(width - filled, '.');
    const bool tty = isatty(fileno(stderr));
    fmt::print(stderr, "{}{} [{}] {}/{}  {:.1f}s elapsed, ETA {:.1f}s{}", tty ? "\r" : "", label_, bar, done, total,
               elapsed, eta, tty ? "   " : "\n");
    std::fflush(stderr);
    drawn_ = true;
}

void ProgressBar::finish() {
    if (drawn_ && isatty(fileno(stderr))) fmt::print(stderr, "\n");
    drawn_ = false;
}

CancelToken& interruptToken() {
    static CancelToken token;
    return token;
}

namespace {
extern "C" void onInterrupt(int) {
    interruptToken().cancel();  // lock-free atomic store: async-signal-safe
}
}  // namespace

void installInterruptHandler() {
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
}

}  // namespace sa::cli
