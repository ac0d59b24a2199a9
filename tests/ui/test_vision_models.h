#pragma once
// GUI tests of the Models page (issue 12): the BLIP captioner, CLIP and DINO folders, captions in
// two parts, the metrics chart. A base class of StudioTest (tests/ui/test_studio.cpp): Qt Test
// runs these private slots as part of the one studio executable.
#include <QObject>
#include <QTemporaryDir>

class VisionModelsTest : public QObject {
    Q_OBJECT

private slots:
    void modelsPageRemembersFoldersAndReportsWrongKinds();
    void blipCaptionsTheReferenceOnARealModel();
    void captionFieldsFeedThePrompts();
    void metricsChartPlotsClipAndDino();

private:
    QTemporaryDir visionHome_;
};
