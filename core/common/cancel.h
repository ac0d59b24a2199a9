#pragma once
// Cooperative cancellation: the UI or a signal handler sets the token, long loops check it
// between steps and stop by throwing sa::Cancelled.
#include <atomic>

#include "core/common/error.h"

namespace sa {

class CancelToken {
public:
    void cancel() { cancelled_.store(true, std::memory_order_relaxed); }
    void reset() { cancelled_.store(false, std::memory_order_relaxed); }
    bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }
    void throwIfCancelled() const {
        if (cancelled()) throw Cancelled();
    }

private:
    std::atomic<bool> cancelled_{false};
};

inline void throwIfCancelled(const CancelToken* token) {
    if (token) token->throwIfCancelled();
}

}  // namespace sa
