#pragma once
// Errors a user can act on. Core never aborts the process: every failure is an sa::Error whose
// message names the file / field / tensor at fault.
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace sa {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Raised when a run is cancelled through a CancelToken; not a failure, the caller asked for it.
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
    throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace sa
