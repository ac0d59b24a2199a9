#pragma once
// The name tables of single-file Stable Diffusion checkpoints (original CompVis LDM / Stability
// SGM key layout) for each network, from the module names diffusers and transformers use:
// the reverse of diffusers v0.25 convert_from_ckpt.py (convert_ldm_unet_checkpoint,
// convert_ldm_vae_checkpoint, convert_open_clip_checkpoint). The file's namespaces:
//   UNet          model.diffusion_model.
//   VAE           first_stage_model.
//   CLIP-L        cond_stage_model.transformer.  (SD 1.x)   conditioner.embedders.0.transformer.  (SDXL)
//   OpenCLIP      cond_stage_model.model.        (SD 2.x)   conditioner.embedders.1.model.        (SDXL)
#include <string>

#include "core/io/name_table.h"
#include "core/models/autoencoder_kl.h"
#include "core/models/unet_2d_condition.h"

namespace sa {

NameTable unetNameTable(const UNet2DConditionConfig& config, const std::string& filePrefix = "model.diffusion_model.");
NameTable vaeNameTable(const AutoencoderKLConfig& config, const std::string& filePrefix = "first_stage_model.");
// transformers-layout CLIP text model under `filePrefix` (identity after it; files written by
// transformers < 4.0 lack the "text_model." level: `withTextModelLevel` false).
NameTable clipTextNameTable(const std::string& filePrefix, bool withTextModelLevel = true);
// OpenCLIP text tower under `filePrefix`: resblocks → encoder layers, fused in_proj split into
// q / k / v, text_projection transposed (or skipped when `useProjection` is false, as SD 2.x).
NameTable openClipTextNameTable(const std::string& filePrefix, int layers, bool useProjection);

}  // namespace sa
