#pragma once
#include "app/cli_support.h"

namespace sa::cli {
int runGenerate(const Args& args, const char* argv0);
int runTxt2Img(const Args& args);
}  // namespace sa::cli
