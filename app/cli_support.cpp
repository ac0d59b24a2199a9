#include "app/cli_support.h"

#include <unistd.h>

#include <csignal>
#include <cstdlib>

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

// Parses the whole string as a T (std::stoi / stod / stoull), or fails naming the option.
template <typename T, typename Parse>
T parseOption(const std::string& name, const std::string& text, Parse parse, const char* what) {
    try {
        size_t used = 0;
        T value = parse(text, &used);
        if (used == text.size()) return value;
    } catch (const std::exception&) {
    }
    fail("--{}: '{}' is not {}", name, text, what);
}

}  // namespace

int Args::getInt(const std::string& name, int fallback) const {
    if (!has(name)) return fallback;
    return parseOption<int>(name, get(name), [](const std::string& s, size_t* used) { return std::stoi(s, used); },
                            "a whole number");
}

double Args::getDouble(const std::string& name, double fallback) const {
    if (!has(name)) return fallback;
    return parseOption<double>(name, get(name), [](const std::string& s, size_t* used) { return std::stod(s, used); },
                               "a number");
}

uint64_t Args::getSeed(const std::string& name, uint64_t fallback) const {
    if (!has(name)) return fallback;
    const auto text = get(name);
    if (!text.empty() && text.front() == '-') fail("--{}: '{}' is not a non-negative whole number", name, text);
    return parseOption<uint64_t>(name, text, [](const std::string& s, size_t* used) { return std::stoull(s, used); },
                                 "a non-negative whole number");
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
