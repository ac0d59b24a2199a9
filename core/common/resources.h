#pragma once
// What ships with the application: the demo model, example references, the CLIP vocabulary.
// Looked up next to the sources in a build tree, then under share/stylealigned relative to the
// running executable when installed.
#include <filesystem>
#include <string>

namespace sa {

// The bundled file or folder `relative` (e.g. "tokenizers/clip"), or an empty path.
std::filesystem::path findBundledResource(const std::string& relative);

// The bundled demo model's folder, or an empty path.
std::filesystem::path bundledDemoModel();

// The CLIP BPE vocabulary every Stable Diffusion family shares (a tokenizer folder). Throws
// sa::Error when the installation lacks it.
std::filesystem::path bundledClipTokenizer();

}  // namespace sa
