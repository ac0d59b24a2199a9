#pragma once
// Checks that a call is refused with an sa::Error whose message mentions every given string.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/common/error.h"

namespace sa::test {

template <typename Call>
void expectSaError(Call&& call, const std::vector<std::string>& mentions) {
    try {
        call();
        ADD_FAILURE() << "expected an sa::Error";
    } catch (const sa::Error& e) {
        for (const std::string& m : mentions) {
            EXPECT_NE(std::string(e.what()).find(m), std::string::npos)
                << "error \"" << e.what() << "\" does not mention " << m;
        }
    }
}

}  // namespace sa::test
