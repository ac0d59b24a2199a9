#pragma once
#include "app/cli_support.h"

namespace sa::cli {
int runGenerate(const Args& args);
int runTxt2Img(const Args& args);
int runConvert(const Args& args);
// `known` plus the options that choose and load the model (--model, --config, ...).
std::vector<std::string> withModelOptions(std::vector<std::string> known);
}  // namespace sa::cli
