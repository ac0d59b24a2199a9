#pragma once
// GUI tests of the Adapters tab (issue 15): a ControlNet set steered by Canny edges, a LoRA at two
// weights, a panorama set, and bad input (a LoRA that does not fit, a control file that is not an
// image). Files, sizes and parameters come from the golden folder's cases (controlnet_sd15,
// lora_sd15, panorama_sd15); the demo model's bundled add-ons on the demo model. A base class of
// StudioTest (tests/ui/test_studio.cpp), like VisionModelsTest: one studio executable, one log.
#include <QTemporaryDir>

#include "ui/test_vision_models.h"

class AdaptersTest : public VisionModelsTest {
    Q_OBJECT

private slots:
    void controlSetFollowsCannyEdgesAndReopens();
    void loraAtTwoWeightsWithoutReloading();
    void panoramaSetIsWideAndReopens();
    void badAdapterInputIsRefused();
    void opensCliSetsWithAdapters();
    void bundledAddOnsWorkOnTheDemoModel();

private:
    QTemporaryDir adaptersHome_;
};
