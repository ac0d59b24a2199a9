#include "ui/test_vision_models.h"

#include <QAction>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

#include <cmath>
#include <numeric>

#include <qcustomplot.h>

#include "core/eval/vision_metrics.h"
#include "core/io/image.h"
#include "core/io/safetensors.h"
#include "core/models/blip_captioner.h"
#include "core/models/hub_folder.h"
#include "core/pipeline/set_request.h"
#include "ui/charts_panel.h"
#include "ui/models_dialog.h"
#include "ui/resources.h"
#include "ui/studio_test_support.h"

using namespace sa::ui;
using sa::test::goldenPath;

namespace {

const QString tinyBlip() { return goldenPath("tiny-blip"); }
const QString tinyVit() { return goldenPath("tiny-vit"); }
const QString tinyClipVision() { return goldenPath("tiny-clip-vision"); }

bool resolved(const VisionModelInfo& v) { return v.folder.isEmpty() || v.loaded || !v.error.isEmpty(); }

// Chooses a folder on the Models page and waits for the worker's answer to reach the window.
bool chooseAndWait(MainWindow& window, VisionRole role, const QString& folder) {
    QSignalSpy changed(window.worker(), &GenerationWorker::visionModelChanged);
    window.modelsDialog()->chooseFolder(role, folder);
    if (!(changed.count() == 1 || changed.wait(60000))) return false;
    return QTest::qWaitFor([&] { return resolved(window.visionModel(role)); }, 10000);
}

QString captionStatus(const MainWindow& window) { return window.referencePane()->captionStatus(); }

// A full CLIPModel folder (both towers, the text score) from the golden folder's parts: the CLIP
// image tower of tiny-clip-vision, the text encoder of tiny-sd15 and a random text projection.
void makeFullClipFolder(const std::filesystem::path& out) {
    const auto golden = sa::test::goldenDir();
    auto text = sa::test::readJson(golden / "tiny-sd15/text_encoder/config.json");
    auto vision = sa::test::readJson(golden / "tiny-clip-vision/config.json");
    text.erase("architectures");
    vision.erase("architectures");
    const int projection = vision.at("projection_dim").get<int>();
    const nlohmann::json config = {{"architectures", nlohmann::json::array({"CLIPModel"})}, {"model_type", "clip"},
                                   {"projection_dim", projection},   {"logit_scale_init_value", 2.6592},
                                   {"text_config", text},            {"vision_config", vision}};
    std::ofstream(out / "config.json") << config.dump(2);
    std::filesystem::copy_file(golden / "tiny-clip-vision/preprocessor_config.json", out / "preprocessor_config.json");
    std::map<std::string, torch::Tensor> tensors;
    for (const char* file : {"tiny-clip-vision/model.safetensors", "tiny-sd15/text_encoder/model.safetensors"})
        for (auto& [name, tensor] : sa::SafetensorsFile::open(golden / file)->all()) tensors[name] = tensor.clone();
    torch::manual_seed(0);
    tensors["text_projection.weight"] = torch::randn({projection, text.at("hidden_size").get<int64_t>()}) * 0.2;
    sa::saveSafetensors(out / "model.safetensors", tensors);
}

}  // namespace

void VisionModelsTest::modelsPageRemembersFoldersAndReportsWrongKinds() {
    const auto ini = visionHome_.filePath("models.ini");
    {
        auto window = sa::test::openStudio(ini);
        // Settings ▸ Models… opens the page.
        QAction* models = nullptr;
        for (auto* menu : window->menuBar()->actions())
            if (menu->menu())
                for (auto* action : menu->menu()->actions())
                    if (action->text().contains("Models")) models = action;
        QVERIFY(models);
        models->trigger();
        auto* dialog = window->modelsDialog();
        QVERIFY(dialog->isVisible());
        QVERIFY(dialog->statusText(VisionRole::Captioner).contains("Not set"));

        // A DINO folder given as the captioner: refused, saying what it holds and what was expected.
        QVERIFY(chooseAndWait(*window, VisionRole::Captioner, tinyVit()));
        const auto holds = QString::fromStdString(sa::describeModelFolder(tinyVit().toStdString()));
        const auto& captioner = window->visionModel(VisionRole::Captioner);
        QVERIFY(!captioner.loaded);
        QVERIFY2(captioner.error.contains(holds) && captioner.error.contains("expected a BLIP"), qPrintable(captioner.error));
        QVERIFY(dialog->hasError(VisionRole::Captioner));
        QVERIFY2(dialog->statusText(VisionRole::Captioner).contains(holds), qPrintable(dialog->statusText(VisionRole::Captioner)));
        // The CLIP image tower alone loads, and the page says the text score needs both towers.
        QVERIFY(chooseAndWait(*window, VisionRole::Clip, tinyClipVision()));
        QVERIFY(window->visionModel(VisionRole::Clip).loaded && !window->visionModel(VisionRole::Clip).textTower);
        QVERIFY2(dialog->statusText(VisionRole::Clip).contains("full CLIPModel"), qPrintable(dialog->statusText(VisionRole::Clip)));
        QVERIFY(chooseAndWait(*window, VisionRole::Dino, tinyVit()));
        QVERIFY2(window->visionModel(VisionRole::Dino).loaded, qPrintable(window->visionModel(VisionRole::Dino).error));
        QVERIFY(dialog->statusText(VisionRole::Dino).contains(holds));
        // The studio goes on: no captioner for the typed caption, and a set runs.
        QVERIFY(!window->referencePane()->findChild<QPushButton*>("recaption")->isEnabled());
        QVERIFY(sa::test::runToEnd(*window));
        QVERIFY2(window->lastResult().has_value(), qPrintable(window->lastError()));
        window->close();
    }
    {
        const Settings saved(ini);
        QCOMPARE(saved.visionModelFolder(VisionRole::Captioner), tinyVit());
        QCOMPARE(saved.visionModelFolder(VisionRole::Clip), tinyClipVision());
        QCOMPARE(saved.visionModelFolder(VisionRole::Dino), tinyVit());
    }
    // A new session loads the remembered folders on the worker, with the same answers.
    auto window = sa::test::openStudio(ini);
    QVERIFY(QTest::qWaitFor([&] {
        return std::all_of(std::begin(kVisionRoles), std::end(kVisionRoles), [&](auto r) { return resolved(window->visionModel(r)); });
    }, 60000));
    QCOMPARE(window->modelsDialog()->folder(VisionRole::Clip), tinyClipVision());
    QVERIFY(window->modelsDialog()->hasError(VisionRole::Captioner));
    QVERIFY(window->visionModel(VisionRole::Clip).loaded && window->visionModel(VisionRole::Dino).loaded);
    // Clear forgets a folder.
    QSignalSpy changed(window->worker(), &GenerationWorker::visionModelChanged);
    window->modelsDialog()->findChild<QPushButton*>("clipClear")->click();
    QVERIFY(changed.count() == 1 || changed.wait(10000));
    QVERIFY(window->visionModel(VisionRole::Clip).folder.isEmpty());
    QVERIFY(window->modelsDialog()->statusText(VisionRole::Clip).contains("Not set"));
    QVERIFY(Settings(ini).visionModelFolder(VisionRole::Clip).isEmpty());
    window->close();
}

void VisionModelsTest::blipCaptionsTheReferenceOnARealModel() {
    auto window = sa::test::openStudio(visionHome_.filePath("blip.ini"));
    auto* pane = window->referencePane();
    QVERIFY(chooseAndWait(*window, VisionRole::Captioner, tinyBlip()));
    QVERIFY2(window->visionModel(VisionRole::Captioner).loaded, qPrintable(window->visionModel(VisionRole::Captioner).error));
    // Opening a reference captions it on the worker; meanwhile the pane says so.
    QSignalSpy captioned(window->worker(), &GenerationWorker::captioned);
    pane->setCaption({});
    QVERIFY(pane->loadFile(sa::test::referenceImage()));
    QCOMPARE(captionStatus(*window), QString("captioning…"));
    QVERIFY(captioned.count() == 1 || captioned.wait(60000));
    QVERIFY(QTest::qWaitFor([&] { return captionStatus(*window) != "captioning…"; }, 10000));
    // The caption is BLIP's, as the captioner gives it for the same image.
    auto blip = sa::BlipCaptioner::load(sa::test::goldenDir() / "tiny-blip");
    const auto expected = blip->caption(sa::readImage(sa::test::referenceImage().toStdString()), "", blip->defaults());
    QCOMPARE(captioned.front().at(0).toString().toStdString(), expected);
    QCOMPARE(captioned.front().at(1).toString(), tinyBlip());
    const auto parts = sa::splitCaption(expected);
    QCOMPARE(pane->subject().toStdString(), parts.subject);
    QCOMPARE(pane->styleWords().toStdString(), parts.style);
    QCOMPARE(window->currentRequest().spec.referencePrompt, sa::joinCaption(parts));
    QCOMPARE(captionStatus(*window), QString("by BLIP"));
    QVERIFY(pane->findChild<QLabel*>("captionStatus")->toolTip().contains(tinyBlip()));
    QTest::keyClicks(pane->findChild<QLineEdit*>("captionStyle"), " style");  // the artist's words now
    QCOMPARE(captionStatus(*window), QString("by BLIP, edited"));

    // The demo model keeps captioning with its judge, a BLIP folder set or not.
    if (bundledDemoModel().isEmpty()) return;
    window->loadModel(bundledDemoModel());
    QVERIFY(sa::test::waitForLoad(*window));
    QVERIFY2(window->isModelReady(), qPrintable(window->lastError()));
    captioned.clear();
    QVERIFY(pane->loadFile(sa::test::referenceImage()));
    QVERIFY(captioned.count() == 1 || captioned.wait(60000));
    QCOMPARE(captioned.front().at(1).toString(), QString());  // no BLIP folder: the judge
    QVERIFY(QTest::qWaitFor([&] { return captionStatus(*window).contains("judge"); }, 10000));
    QVERIFY(!pane->styleWords().isEmpty());  // the judge names a style
    window->close();
}

void VisionModelsTest::captionFieldsFeedThePrompts() {
    auto window = sa::test::openStudio(visionHome_.filePath("fields.ini"));
    auto* pane = window->referencePane();
    auto* subject = pane->findChild<QLineEdit*>("captionSubject");
    auto* style = pane->findChild<QLineEdit*>("captionStyle");
    QVERIFY(subject && style);
    // The typed caption, split: what the reference shows, and its style words.
    QCOMPARE(subject->text(), QString("a photo of a bear"));
    QCOMPARE(style->text(), QString("watercolor style"));
    subject->clear();
    QTest::keyClicks(subject, "a fox in the snow");
    style->clear();
    QTest::keyClicks(style, "watercolor painting");
    auto request = window->currentRequest();
    QCOMPARE(request.spec.referencePrompt, std::string("a fox in the snow, watercolor painting"));
    QCOMPARE(request.spec.targets, (std::vector<std::string>{"a cat, watercolor painting.", "a boat, watercolor painting."}));
    QCOMPARE(request.subjects, (std::vector<std::string>{"a cat", "a boat"}));  // the CLIP text score's prompts
    // The subject field changes only the reference's prompt; the style field every target.
    subject->setText("a lighthouse");
    request = window->currentRequest();
    QCOMPARE(request.spec.referencePrompt, std::string("a lighthouse, watercolor painting"));
    QCOMPARE(request.spec.targets.front(), std::string("a cat, watercolor painting."));
    style->clear();
    request = window->currentRequest();
    QCOMPARE(request.spec.referencePrompt, std::string("a lighthouse"));
    QCOMPARE(request.spec.targets, (std::vector<std::string>{"a cat", "a boat"}));
    // A caption in BLIP's form ("a <medium> of <subject>") splits into the two fields.
    pane->setCaption("a watercolor painting of a fox in the snow");
    QCOMPARE(subject->text(), QString("a fox in the snow"));
    QCOMPARE(style->text(), QString("watercolor painting"));
    // The set made from the fields carries them (set.json's reference_prompt is the joined caption).
    QVERIFY(sa::test::runToEnd(*window));
    QVERIFY2(window->lastResult().has_value(), qPrintable(window->lastError()));
    QCOMPARE(window->lastResult()->spec.referencePrompt, std::string("a fox in the snow, watercolor painting"));
    QCOMPARE(window->lastResult()->spec.targets.back(), std::string("a boat, watercolor painting."));
    window->close();
}

void VisionModelsTest::metricsChartPlotsClipAndDino() {
    QTemporaryDir clipFolder;
    makeFullClipFolder(clipFolder.path().toStdString());
    auto window = sa::test::openStudio(visionHome_.filePath("metrics.ini"));
    auto* charts = window->chartsPanel();
    QVERIFY2(charts->note().contains("Settings ▸ Models"), qPrintable(charts->note()));  // nothing measured yet: says how
    QVERIFY(chooseAndWait(*window, VisionRole::Clip, clipFolder.path()));
    QVERIFY2(window->visionModel(VisionRole::Clip).textTower, qPrintable(window->visionModel(VisionRole::Clip).error));
    QVERIFY(chooseAndWait(*window, VisionRole::Dino, tinyVit()));
    QVERIFY(window->visionModel(VisionRole::Dino).loaded);
    QVERIFY2(charts->note().isEmpty(), qPrintable(charts->note()));
    QVERIFY(window->referencePane()->loadFile(sa::test::referenceImage()));

    QSignalSpy measured(window->worker(), &GenerationWorker::measured);
    QVERIFY(sa::test::runToEnd(*window));
    QVERIFY2(window->lastResult().has_value(), qPrintable(window->lastError()));
    QVERIFY(measured.count() == 1 || measured.wait(60000));
    const auto measures = measured.front().front().value<SetMeasures>();
    QVERIFY2(measures.error.isEmpty(), qPrintable(measures.error));
    // The same numbers as the metrics computed directly: CLIP of each new image against its
    // subject without the style words, DINO over the whole set.
    const auto& images = window->lastResult()->images;
    const auto scores = sa::ClipScorer::load(clipFolder.path().toStdString())
                            ->textScores({images.begin() + 1, images.end()}, {"a cat", "a boat"});
    const double clip = std::accumulate(scores.begin(), scores.end(), 0.0) / static_cast<double>(scores.size());
    const double dino = sa::meanPairwiseCosine(sa::DinoEmbedder::load(tinyVit().toStdString())->embed(images));
    QVERIFY(measures.clipTextScore && measures.dinoConsistency);
    QVERIFY2(std::abs(*measures.clipTextScore - clip) < 1e-5, qPrintable(QString("%1 vs %2").arg(*measures.clipTextScore).arg(clip)));
    QVERIFY2(std::abs(*measures.dinoConsistency - dino) < 1e-5, qPrintable(QString("%1 vs %2").arg(*measures.dinoConsistency).arg(dino)));
    // One point of each on the chart (the tiny model has no judge: no judge points).
    QVERIFY(QTest::qWaitFor([&] { return charts->setCount() == 1 && charts->sets().back().dinoConsistency.has_value(); }, 10000));
    QCOMPARE(*charts->sets().back().clipTextScore, *measures.clipTextScore);
    QCOMPARE(charts->metricsPlot()->graph(2)->dataCount(), 1);
    QCOMPARE(charts->metricsPlot()->graph(3)->dataCount(), 1);
    QCOMPARE(charts->metricsPlot()->graph(0)->dataCount(), 0);

    // The CLIP image tower alone: DINO only, and the chart says why the text score is missing.
    QVERIFY(chooseAndWait(*window, VisionRole::Clip, tinyClipVision()));
    QVERIFY2(charts->note().contains("full CLIPModel"), qPrintable(charts->note()));
    measured.clear();
    QVERIFY(sa::test::runToEnd(*window));
    QVERIFY(measured.count() == 1 || measured.wait(60000));
    const auto second = measured.front().front().value<SetMeasures>();
    QVERIFY(!second.clipTextScore && second.dinoConsistency);
    QVERIFY(QTest::qWaitFor([&] { return charts->setCount() == 2 && charts->sets().back().dinoConsistency.has_value(); }, 10000));
    QCOMPARE(charts->metricsPlot()->graph(2)->dataCount(), 1);
    QCOMPARE(charts->metricsPlot()->graph(3)->dataCount(), 2);
    window->close();
}
