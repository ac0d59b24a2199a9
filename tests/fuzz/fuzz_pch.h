// Precompiled header of the fuzz build: core's, preceded by c10::IValue. LibTorch 1.13's
// torch/csrc/autograd/function.h builds a std::vector<c10::IValue> while IValue is still
// incomplete; gcc accepts that, clang in C++20 mode (constexpr std::vector) does not.
#pragma once
#include <ATen/core/ivalue.h>
#include "core/common/pch.h"
