// GUI tests of StyleAligned Studio (Qt Test, QT_QPA_PLATFORM=offscreen), on the golden tiny
// SD 1.5 model: drop a reference, run a set to the end, cancel a run, edit the layer plan,
// overlays, export and re-open a set, errors, the Korean translation; and (the base class) the
// Models page: BLIP captions, CLIP / DINO measures.
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QMessageBox>
#include <QDir>
#include <QFile>
#include <QMenuBar>
#include <QMimeData>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

#include <filesystem>
#include <fstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "core/io/image.h"
#include "core/pipeline/set_request.h"
#include "ui/image_convert.h"
#include "support/golden_dir.h"
#include "ui/studio_test_support.h"
#include "ui/test_adapters.h"
#include "ui/charts_panel.h"
#include "ui/checkpoint_options.h"
#include "ui/labeled_slider.h"
#include "ui/layer_plan_panel.h"
#include "ui/main_window.h"
#include "ui/reference_pane.h"
#include "ui/resources.h"
#include "ui/results_grid.h"
#include "ui/subject_list.h"

using namespace sa::ui;

namespace {

using sa::test::readJson;
using sa::test::referenceImage;
using sa::test::runToEnd;
using sa::test::tinyModel;
using sa::test::waitForLoad;

// {height, width} of the golden folder's whole run on tiny-sd15 (cases/generation_sd15.json), a
// size that model is known to work at; without that case, the model's default size.
std::pair<int, int> goldenImageSize() {
    const auto root = sa::test::goldenDir();
    if (std::filesystem::exists(root / "cases/generation_sd15.json")) {
        const auto params = readJson(root / "cases/generation_sd15.json").at("params");
        return {params.at("height").get<int>(), params.at("width").get<int>()};
    }
    const int levels = static_cast<int>(readJson(root / "tiny-sd15/vae/config.json").at("block_out_channels").size());
    const int size = readJson(root / "tiny-sd15/unet/config.json").at("sample_size").get<int>() << (levels - 1);
    return {size, size};
}

// A file of the golden folder's single_file/ (tiny single-file checkpoints, bad files).
QString singleFile(const char* name) { return QString::fromStdString((sa::test::goldenDir() / "single_file" / name).string()); }

// What the tiny sd15.safetensors needs to load (cases/single_file_sd15.json): a single file does not
// hold its text encoder's heads, and the tiny one's are not the real models' head size 64.
CheckpointOptions singleFileOptions() {
    const auto encoder = readJson(sa::test::goldenDir() / "cases/single_file_sd15.json").at("params").at("text_encoders").begin().value();
    CheckpointOptions options;
    options.heads = encoder.at("num_attention_heads").get<int>();
    options.activation = QString::fromStdString(encoder.at("hidden_act").get<std::string>());
    return options;
}

QString modelStatus(const MainWindow& window) { return window.findChild<QLabel*>("modelStatus")->text(); }

}  // namespace

// The Models page's and the Adapters tab's tests (tests/ui/test_vision_models.cpp,
// test_adapters.cpp) are base classes: Qt Test runs their private slots too, in one executable
// with one log.
class StudioTest : public AdaptersTest {
    Q_OBJECT

private:
    QTemporaryDir home_;
    std::unique_ptr<MainWindow> window_;

    // A window on the tiny model with its own settings file, ready to generate.
    std::unique_ptr<MainWindow> makeWindow(const QString& name) { return sa::test::openStudio(home_.filePath(name + ".ini")); }

private slots:
    void initTestCase() {
        QVERIFY(home_.isValid());
        QVERIFY2(QFile::exists(tinyModel() + "/model_index.json"), qPrintable(tinyModel()));
        window_ = makeWindow("main");
    }

    void dropsAReferenceFile() {
        auto* drop = window_->referencePane()->findChild<QWidget*>("referenceDrop");
        QVERIFY(drop);
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(referenceImage())});
        const QPoint centre = drop->rect().center();
        QDragEnterEvent enter(centre, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(drop, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent dropEvent(centre, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(drop, &dropEvent);
        const auto expected = sa::readImage(referenceImage().toStdString());
        QCOMPARE(window_->referencePane()->image().cols, expected.cols);
        QCOMPARE(window_->referencePane()->image().rows, expected.rows);
        QCOMPARE(window_->referencePane()->imagePath(), referenceImage());
        // An untouched plan follows the mode, as the CLI does: "transfer" for a reference image.
        QCOMPARE(window_->layerPlanPanel()->presetName(), QString("transfer"));
        QVERIFY(window_->layerPlanPanel()->isUnchangedPreset());
        // So does an untouched guidance (one default for CLI and studio: 10 with a reference image).
        QCOMPARE(window_->currentRequest().spec.guidance, sa::defaultGuidance(true));
    }

    void dropOfANonImageIsAnError() {
        QFile text(home_.filePath("notes.png"));
        QVERIFY(text.open(QIODevice::WriteOnly));
        text.write("not an image");
        text.close();
        const auto before = window_->referencePane()->image().clone();
        QSignalSpy errors(window_->referencePane(), &ReferencePane::errorOccurred);
        QVERIFY(!window_->referencePane()->loadFile(text.fileName()));
        QCOMPARE(errors.count(), 1);
        QVERIFY2(errors.front().front().toString().contains("notes.png"), qPrintable(errors.front().front().toString()));
        // The reference the user had stays.
        QCOMPARE(window_->referencePane()->image().size(), before.size());
    }

    void layerSliderReachesTheWorkerRequest() {
        auto* panel = window_->layerPlanPanel();
        panel->resetToPaper();
        const auto path = panel->plan().layers.begin()->first;
        panel->selectLayer(QString::fromStdString(path));
        auto* strength = panel->findChild<LabeledSlider*>("strength");
        QVERIFY(strength);
        strength->slider()->setValue(40);  // 0.05 per notch → w = 2.0
        auto* adainV = panel->findChild<LabeledSlider*>("adainValues");
        adainV->slider()->setValue(10);  // 0.5
        QSignalSpy requests(window_.get(), &MainWindow::generationRequested);
        QSignalSpy ended(window_.get(), &MainWindow::runEnded);
        window_->generate();
        QCOMPARE(requests.count(), 1);
        const auto request = requests.front().front().value<StudioRequest>();
        std::vector<std::string> paths;
        for (const auto& [layer, settings] : panel->plan().layers) paths.push_back(layer);
        const auto plan = sa::LayerPlan::fromJson(request.spec.plan, paths, "request");
        QCOMPARE(plan.layers.at(path).shareStrength, 2.0);
        QCOMPARE(plan.layers.at(path).adainValues, 0.5);
        const auto other = std::next(plan.layers.begin())->second;
        QCOMPARE(other.shareStrength, 1.0);
        QVERIFY(ended.wait(120000));
        panel->resetToPaper();
    }

    void generatesASetWithPreviewsAndOverlays() {
        QSignalSpy steps(window_->worker(), &GenerationWorker::stepped);
        QVERIFY(runToEnd(*window_));
        QVERIFY2(window_->lastResult().has_value(), qPrintable(window_->lastError()));
        const auto& result = *window_->lastResult();
        QCOMPARE(result.images.size(), size_t{3});
        QVERIFY(!result.reference.empty());
        // Inversion (4) + reference branch (4, or 0 when cached) + set (4) steps, each reported.
        QVERIFY(steps.count() >= 4);
        const auto last = steps.back().front().value<StepUpdate>();
        QCOMPARE(last.done, last.units);
        QVERIFY(!last.previews.empty());
        // Overlays: a share map per target, drawn on the target tiles.
        QVERIFY(!window_->overlays().empty());
        OverlayView view;
        for (int t = 0; t < 2; ++t) {
            const auto map = window_->overlays().shareMap(view, t);
            QVERIFY(!map.empty());
            double lo, hi;
            cv::minMaxLoc(map, &lo, &hi);
            QVERIFY(lo >= 0 && hi <= 1.0 + 1e-5 && hi > 0);
            QVERIFY(!window_->resultsGrid()->tile(t + 1)->image().isNull());
            QVERIFY(!window_->resultsGrid()->tile(t + 1)->overlayImage().isNull());
        }
        QVERIFY(window_->resultsGrid()->tile(1)->isFinal());
        qInfo("worst event-loop stall during the run: %.0f ms", window_->worstStallMs());
        if (qEnvironmentVariableIsSet("SA_GRAB")) window_->grab().save(qEnvironmentVariable("SA_GRAB"));
    }

    void clickingATargetShowsWhereItAttends() {
        auto* tile = window_->resultsGrid()->tile(1);
        const QRect area = tile->imageRect();
        QTest::mouseClick(tile, Qt::LeftButton, {}, area.center() + QPoint(area.width() / 4, 0));
        QCOMPARE(window_->overlayPanel()->view().mode, OverlayMode::PointAttention);
        QVERIFY(!window_->resultsGrid()->tile(0)->overlayImage().isNull());  // drawn over the reference
        // Layer 0 at the last step: the map is the attention row of the grid point nearest to the
        // click, restricted to the reference, so it sums to that token's share on the reference.
        auto view = window_->overlayPanel()->view();
        view.layer = 0;
        QPointF snapped;
        const auto map = window_->overlays().pointMap(view, 0, {0.75, 0.5}, false, &snapped);
        QVERIFY(!map.empty());
        QCOMPARE(snapped, QPointF(6.5 / 8, 4.5 / 8));
        view.mode = OverlayMode::ReferenceShare;
        const auto share = window_->overlays().shareMap(view, 0);
        QCOMPARE(share.size(), map.size());
        const int x = static_cast<int>(snapped.x() * share.cols), y = static_cast<int>(snapped.y() * share.rows);
        QVERIFY(std::abs(cv::sum(map)[0] - share.at<float>(y, x)) < 1e-4);
    }

    void changingOnlyTargetsReusesTheReference() {
        window_->overlayPanel()->setMode(OverlayMode::ReferenceShare);
        QVERIFY(runToEnd(*window_));  // same reference as before: cached
        QVERIFY(window_->lastResult()->referenceFromCache);
        window_->subjectList()->setSubjects({"a tree", "a house"});
        QVERIFY(runToEnd(*window_));
        QVERIFY(window_->lastResult()->referenceFromCache);
        QCOMPARE(window_->lastResult()->spec.targets.front(), std::string("a tree, watercolor style."));
    }

    void rerollChangesOnlyThatImage() {
        QVERIFY(runToEnd(*window_));
        const auto before = *window_->lastResult();
        QSignalSpy requests(window_.get(), &MainWindow::generationRequested);
        QSignalSpy ended(window_.get(), &MainWindow::runEnded);
        emit window_->resultsGrid()->tile(2)->actionRequested(2, TileAction::Reroll);
        QCOMPARE(requests.count(), 1);
        QVERIFY(ended.wait(120000));
        const auto& after = *window_->lastResult();
        QCOMPARE(after.spec.seeds[1], before.spec.seeds[1]);
        QVERIFY(after.spec.seeds[2] != before.spec.seeds[2]);
        QVERIFY(after.referenceFromCache);
        // Targets attend to the reference only: the other image keeps its pixels.
        QVERIFY(cv::norm(after.images[1], before.images[1], cv::NORM_INF) <= 1);
        QVERIFY(cv::norm(after.images[2], before.images[2], cv::NORM_INF) > 10);
    }

    void cancelKeepsThePreviousSet() {
        const auto previous = window_->lastResult()->images.front().clone();
        window_->stepsBox()->setValue(200);
        window_->referencePane()->setCaption("a photo of a bear, oil painting style");  // not cached
        QSignalSpy steps(window_->worker(), &GenerationWorker::stepped);
        QSignalSpy cancelled(window_->worker(), &GenerationWorker::cancelled);
        QSignalSpy ended(window_.get(), &MainWindow::runEnded);
        window_->generate();
        QVERIFY(steps.wait(60000));
        window_->cancel();
        QVERIFY(ended.wait(60000));
        // The spy on the worker's thread may record after the window's queued reaction: give it time.
        QVERIFY2(cancelled.count() == 1 || cancelled.wait(10000),
                 qPrintable(QString("no cancel; steps %1, error: %2").arg(steps.count()).arg(window_->lastError())));
        QVERIFY(!window_->isRunning());
        QVERIFY(steps.count() < 200);
        QCOMPARE(cv::norm(window_->lastResult()->images.front(), previous), 0.0);
        // The grid shows the previous set again: its images and its prompts, final.
        auto* tile = window_->resultsGrid()->tile(1);
        QVERIFY(tile->isFinal());
        QCOMPARE(tile->toolTip().toStdString(), window_->lastResult()->spec.allPrompts()[1]);
        QCOMPARE(tile->image(), toQImage(window_->lastResult()->images[1]));
        window_->stepsBox()->setValue(4);
        window_->referencePane()->setCaption("a photo of a bear, watercolor style");
    }

    void exportsAndReopensASet() {
        QVERIFY(runToEnd(*window_));
        const auto exported = *window_->lastResult();
        const QString folder = home_.filePath("set");
        QVERIFY(window_->exportSetTo(folder));
        for (const auto* name : {"set.json", "grid.png", "reference.png", "image_00.png", "image_02.png", "attention_01.png"})
            QVERIFY2(QFile::exists(folder + "/" + name), name);

        auto other = makeWindow("other");
        other->subjectList()->setSubjects({"something else"});
        other->stepsBox()->setValue(9);
        QVERIFY(other->openSet(folder + "/set.json"));
        QCOMPARE(other->subjectList()->subjects().size(), 2);
        QCOMPARE(other->stepsBox()->value(), exported.spec.steps);
        QCOMPARE(other->referencePane()->caption().toStdString(), exported.spec.referencePrompt);
        QVERIFY(other->lastResult().has_value());
        for (size_t i = 0; i < exported.images.size(); ++i)
            QCOMPARE(cv::norm(other->lastResult()->images[i], exported.images[i]), 0.0);
        // The request it would send reproduces the set: same prompts, seeds and plan.
        const auto request = other->currentRequest();
        QCOMPARE(request.spec.allPrompts(), exported.spec.allPrompts());
        QCOMPARE(request.spec.seeds, exported.spec.seeds);
        QCOMPARE(request.spec.plan, exported.spec.plan);
        QVERIFY(runToEnd(*other));
        for (size_t i = 0; i < exported.images.size(); ++i)
            QCOMPARE(cv::norm(other->lastResult()->images[i], exported.images[i]), 0.0);
        other->close();
    }


    // `stylealigned-studio --set FILE` opens the set while the start-up model still loads.
    void opensASetWhileTheModelLoads() {
        const QString setFile = home_.filePath("set/set.json");
        QVERIFY2(QFile::exists(setFile), "exportsAndReopensASet writes it");
        const auto saved = readJson(setFile.toStdString());
        auto settings = std::make_unique<Settings>(home_.filePath("set-at-start.ini"));
        settings->setModelFolder(tinyModel());
        MainWindow window(std::move(settings));
        window.show();
        QVERIFY(window.isLoadingModel());
        QVERIFY(window.openSet(setFile));
        QVERIFY(QTest::qWaitFor([&] { return window.isModelReady(); }, 60000));
        QCOMPARE(window.stepsBox()->value(), saved.at("steps").get<int>());
        QCOMPARE(window.subjectList()->subjects().size(), static_cast<qsizetype>(saved.at("targets").size()));
        QCOMPARE(window.currentRequest().spec.plan, saved.at("plan"));
        window.close();
    }
    void layerPlanIsRestoredFromSettings() {
        std::string path;
        {
            auto first = makeWindow("plan");
            auto* panel = first->layerPlanPanel();
            path = std::prev(panel->plan().layers.end())->first;
            panel->selectLayer(QString::fromStdString(path));
            panel->setShareStrength(0.5);
            first->close();
        }
        auto second = makeWindow("plan");
        QCOMPARE(second->layerPlanPanel()->plan().layers.at(path).shareStrength, 0.5);
        QCOMPARE(second->layerPlanPanel()->plan().layers.begin()->second.shareStrength, 1.0);
        second->close();
    }

    void rerollKeepsTheOtherSeedsWithLockOff() {
        auto window = makeWindow("reroll");
        window->findChild<QCheckBox*>("lockSeed")->setChecked(false);
        QVERIFY(runToEnd(*window));
        const auto before = window->lastResult()->spec.seeds;
        QSignalSpy ended(window.get(), &MainWindow::runEnded);
        emit window->resultsGrid()->tile(1)->actionRequested(1, TileAction::Reroll);
        QVERIFY(ended.wait(120000));
        const auto after = window->lastResult()->spec.seeds;
        QCOMPARE(after[0], before[0]);
        QCOMPARE(after[2], before[2]);
        QVERIFY(after[1] != before[1]);
        window->close();
    }

    void opensACliSetWithSettingsTheWindowHasNoControlFor() {
        sa::ImageSetSpec spec;
        spec.model = tinyModel().toStdString();
        spec.referencePrompt = "a bear, watercolor style";
        spec.targets = {"a cat, watercolor style.", "a boat, watercolor style."};
        spec.negativePrompt = "blurry";
        spec.seeds = {4'000'000'000ULL, 4'000'000'001ULL, 7};
        spec.steps = 3;
        std::tie(spec.height, spec.width) = goldenImageSize();
        spec.inversionGuidance = 3.0;
        spec.plan = sa::presetPlanJson("paper");
        // Tiled with the smallest tile that fits the VAE (a latent side of 4), so the set is tiled.
        const auto vae = readJson(sa::test::goldenDir() / "tiny-sd15/vae/config.json");
        const int levels = static_cast<int>(vae.at("block_out_channels").size());
        spec.vaeTiling = "on";
        spec.vaeTileSize = 4 << (levels - 1);
        const QString folder = home_.filePath("cli-set");
        QDir().mkpath(folder);
        QFile file(folder + "/set.json");
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray::fromStdString(spec.toJson().dump(2)));
        file.close();
        QVERIFY(window_->openSet(folder + "/set.json"));
        const auto request = window_->currentRequest();
        QCOMPARE(request.spec.seeds, spec.seeds);
        QCOMPARE(request.spec.negativePrompt, spec.negativePrompt);
        QCOMPARE(request.spec.height, spec.height);
        QCOMPARE(request.spec.width, spec.width);
        QCOMPARE(request.spec.inversionGuidance, 3.0);
        QCOMPARE(request.spec.vaeTiling, std::string("on"));
        QCOMPARE(request.spec.vaeTileSize, spec.vaeTileSize);
        QCOMPARE(window_->vaeTiling(), QString("on"));
        QVERIFY(request.reference.empty());  // text mode
        QVERIFY(runToEnd(*window_));
        QCOMPARE(window_->lastResult()->images.front().cols, spec.width);
        QCOMPARE(window_->lastResult()->images.front().rows, spec.height);
        // A set.json whose image list does not match its prompts is refused, naming the file.
        spec.images = {"image_00.png"};
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(QByteArray::fromStdString(spec.toJson().dump(2)));
        file.close();
        QVERIFY(!window_->openSet(folder + "/set.json"));
        QVERIFY2(window_->lastError().contains("set.json"), qPrintable(window_->lastError()));
        window_->setVaeTiling("auto");
    }

    // Settings ▸ VAE Tiling: auto by default, in every request, remembered.
    void vaeTilingIsARememberedSetting() {
        {
            auto window = makeWindow("tiling");
            QCOMPARE(window->vaeTiling(), QString("auto"));
            QCOMPARE(window->currentRequest().spec.vaeTiling, std::string("auto"));
            QVERIFY(window->findChild<QAction*>("vaeTilingAuto")->isChecked());
            window->findChild<QAction*>("vaeTilingOff")->trigger();
            QCOMPARE(window->currentRequest().spec.vaeTiling, std::string("off"));
            window->close();
        }
        auto window = makeWindow("tiling");
        QCOMPARE(window->vaeTiling(), QString("off"));
        QVERIFY(window->findChild<QAction*>("vaeTilingOff")->isChecked());
        window->findChild<QAction*>("vaeTilingOn")->trigger();
        QCOMPARE(window->currentRequest().spec.vaeTiling, std::string("on"));
        QVERIFY(runToEnd(*window));
        QVERIFY2(window->lastError().isEmpty(), qPrintable(window->lastError()));
        QCOMPARE(window->lastResult()->spec.vaeTiling, std::string("on"));
        window->close();
    }

    void badModelFolderIsAnErrorNotACrash() {
        auto window = makeWindow("bad");
        QTemporaryDir empty;
        window->loadModel(empty.path());
        QVERIFY(QTest::qWaitFor([&] { return !window->lastError().isEmpty(); }, 30000));
        QVERIFY2(window->lastError().contains(empty.path()), qPrintable(window->lastError()));
        // The worker keeps the model it had: the window goes on with it.
        QVERIFY(window->isModelReady());
        QCOMPARE(window->currentRequest().spec.model, tinyModel().toStdString());
        QVERIFY(runToEnd(*window));
        QVERIFY(window->lastResult().has_value());
        window->close();
    }

    void opensASingleFileCheckpoint() {
        const auto file = singleFile("sd15.safetensors");
        const auto options = singleFileOptions();
        {
            auto window = makeWindow("single");
            QSignalSpy progress(window->worker(), &GenerationWorker::loadProgress);
            QElapsedTimer timer;
            timer.start();
            window->loadModel(file, options);
            QVERIFY(window->isLoadingModel());
            QVERIFY(waitForLoad(*window));
            const qint64 ms = timer.elapsed();
            QVERIFY2(window->isModelReady(), qPrintable(window->lastError()));
            QCOMPARE(window->modelPath(), file);
            QCOMPARE(window->currentRequest().spec.model, file.toStdString());
            // The status line names what was found: family, prediction type, weights, single file.
            QVERIFY2(modelStatus(*window).contains("SD 1.x") && modelStatus(*window).contains("single file (sd15.yaml)"),
                     qPrintable(modelStatus(*window)));
            // Progress comes to the GUI thread throttled (one report per 50 ms at most, and the
            // last), not once per tensor of the file.
            QVERIFY(progress.count() >= 1);
            QVERIFY2(progress.count() <= ms / 50 + 3, qPrintable(QString("%1 reports in %2 ms").arg(progress.count()).arg(ms)));
            QCOMPARE(progress.back().front().toDouble(), 1.0);
            // The single file generates.
            QVERIFY(runToEnd(*window));
            QVERIFY2(window->lastResult().has_value(), qPrintable(window->lastError()));
            window->close();
        }
        // Recent models, most recent first and with the file's options, survive a settings reload.
        const auto ini = home_.filePath("single.ini");
        {
            const Settings reloaded(ini);
            QCOMPARE(reloaded.recentModels(), QStringList({file, tinyModel()}));
            QCOMPARE(reloaded.checkpointOptions(file), options);
        }
        auto window = std::make_unique<MainWindow>(std::make_unique<Settings>(ini));
        window->show();
        QVERIFY(waitForLoad(*window));  // the last model, with its options
        QVERIFY2(window->isModelReady(), qPrintable(window->lastError()));
        QCOMPARE(window->modelPath(), file);
        auto* chooser = window->findChild<QComboBox*>("modelChooser");
        QCOMPARE(chooser->currentData().toString(), file);
        QVERIFY(chooser->findData(tinyModel()) >= 0);
        // A checkpoint dropped on the model chooser opens.
        window->loadModel(tinyModel());
        QVERIFY(waitForLoad(*window));
        QCOMPARE(window->modelPath(), tinyModel());
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(file)});
        const QPoint centre = chooser->rect().center();
        QDragEnterEvent enter(centre, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(chooser, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(centre, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(chooser, &drop);
        QVERIFY(window->isLoadingModel());
        QVERIFY(waitForLoad(*window));
        QCOMPARE(window->modelPath(), file);
        QVERIFY(modelStatus(*window).contains("SD 1.x"));
        window->close();
    }

    void badCheckpointKeepsTheModelInUse() {
        auto window = makeWindow("bad-file");
        auto* chooser = window->findChild<QComboBox*>("modelChooser");
        QTemporaryDir dir;
        QFile pickle(dir.filePath("model.ckpt"));
        QVERIFY(pickle.open(QIODevice::WriteOnly));
        pickle.write("PK\x03\x04 not unpickled");
        pickle.close();
        // Not an SD checkpoint, a cut-off file, a pickle (refused: convert it), and the tiny file
        // without the text-encoder heads it needs: each an error naming the file.
        const std::vector<std::pair<QString, QString>> cases{{singleFile("not_sd.safetensors"), "not_sd.safetensors"},
                                                             {singleFile("truncated.safetensors"), "truncated.safetensors"},
                                                             {pickle.fileName(), "safetensors"},
                                                             {singleFile("sd15.safetensors"), "heads"}};
        for (const auto& [file, expected] : cases) {
            window->loadModel(file, {});
            QVERIFY(waitForLoad(*window));
            QVERIFY2(window->lastError().contains(QFileInfo(file).fileName()) && window->lastError().contains(expected),
                     qPrintable(window->lastError()));
            // The model in use stays: ready, selected, in the requests.
            QVERIFY(window->isModelReady());
            QCOMPARE(window->modelPath(), tinyModel());
            QCOMPARE(chooser->currentData().toString(), tinyModel());
            QCOMPARE(window->currentRequest().spec.model, tinyModel().toStdString());
        }
        QVERIFY(runToEnd(*window));
        QVERIFY(window->lastResult().has_value());
        QVERIFY(!Settings(home_.filePath("bad-file.ini")).recentModels().contains(singleFile("not_sd.safetensors")));
        // The error offers the checkpoint options; with the heads set there, the file loads.
        QMessageBox* box = nullptr;
        for (auto* b : window->findChildren<QMessageBox*>("errorDialog"))
            if (b->text().contains("heads")) box = b;
        QVERIFY(box);
        QAbstractButton* optionsButton = nullptr;
        for (auto* b : box->buttons())
            if (b->text().contains("Options")) optionsButton = b;
        QVERIFY(optionsButton);
        optionsButton->click();
        auto* dialog = window->findChild<CheckpointOptionsDialog*>("checkpointOptions");
        QVERIFY(dialog);
        QCOMPARE(dialog->options(), CheckpointOptions{});  // as the load that failed
        dialog->findChild<QSpinBox*>("heads")->setValue(singleFileOptions().heads);
        dialog->accept();
        QVERIFY(window->isLoadingModel());
        QVERIFY(waitForLoad(*window));
        QVERIFY2(window->isModelReady() && window->modelPath() == singleFile("sd15.safetensors"), qPrintable(window->lastError()));
        QVERIFY(modelStatus(*window).contains("SD 1.x"));
        window->close();
    }

    // A start-up model that fails (nothing loaded yet): the error, then the demo model instead.
    void failingStartUpModelFallsBackToTheDemoModel() {
        const auto demo = sa::ui::bundledDemoModel();
        if (demo.isEmpty()) QSKIP("no bundled demo model in this tree");
        auto settings = std::make_unique<Settings>(home_.filePath("startup-fails.ini"));
        settings->setModelFolder(singleFile("not_sd.safetensors"));
        MainWindow window(std::move(settings));
        window.show();
        QVERIFY(QTest::qWaitFor([&] { return window.isModelReady(); }, 60000));
        QCOMPARE(window.modelPath(), demo);
        QVERIFY2(window.lastError().contains("not_sd.safetensors") && window.lastError().contains("demo model"),
                 qPrintable(window.lastError()));
        window.close();
    }

    void cancellingALoadKeepsTheModelInUse() {
        auto window = makeWindow("cancel-load");
        QSignalSpy cancelled(window->worker(), &GenerationWorker::modelLoadCancelled);
        QSignalSpy loaded(window->worker(), &GenerationWorker::modelLoaded);
        const auto status = modelStatus(*window);
        window->loadModel(singleFile("sd15.safetensors"), singleFileOptions());
        QVERIFY(window->isLoadingModel());
        QVERIFY(!window->isModelReady());
        QVERIFY(!window->findChild<QComboBox*>("modelChooser")->isEnabled());  // one load at a time
        auto* cancelButton = window->findChild<QPushButton*>("cancel");
        QVERIFY(cancelButton && cancelButton->isEnabled());
        cancelButton->click();  // before the worker placed the first tensor
        QVERIFY(waitForLoad(*window));
        QVERIFY(cancelled.count() == 1 || cancelled.wait(10000));  // the spy records on the worker's thread
        QCOMPARE(loaded.count(), 0);
        QVERIFY(window->isModelReady());
        QCOMPARE(window->modelPath(), tinyModel());
        QCOMPARE(window->currentRequest().spec.model, tinyModel().toStdString());
        QCOMPARE(modelStatus(*window), status);
        QVERIFY(runToEnd(*window));
        QVERIFY(window->lastResult().has_value());
        // A later request (the command line's --model while the last model loads) replaces the
        // load under way, whose outcome no longer matters.
        window->loadModel(singleFile("not_sd.safetensors"), {});
        window->loadModel(singleFile("sd15.safetensors"), singleFileOptions());
        QVERIFY(waitForLoad(*window));
        QVERIFY2(window->lastError().isEmpty(), qPrintable(window->lastError()));
        QCOMPARE(window->modelPath(), singleFile("sd15.safetensors"));
        window->close();
    }

    void emptySubjectsAreRefused() {
        window_->subjectList()->setSubjects({});
        QSignalSpy requests(window_.get(), &MainWindow::generationRequested);
        window_->generate();
        QCOMPARE(requests.count(), 0);
        QVERIFY(window_->lastError().contains("subject"));
        window_->subjectList()->setSubjects({"a cat", "a boat"});
    }

    void koreanTranslationIsCompleteAndLoads() {
        QFile ts(QStringLiteral(STYLEALIGNED_SOURCE_DIR "/translations/stylealigned_ko.ts"));
        QVERIFY(ts.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&ts);
        int messages = 0, unfinished = 0;
        while (!xml.atEnd()) {
            xml.readNext();
            if (xml.isStartElement() && xml.name() == u"message") ++messages;
            if (xml.isStartElement() && xml.name() == u"translation") {
                const auto type = xml.attributes().value("type");
                const auto text = xml.readElementText();
                if (type == u"unfinished" || type == u"obsolete" || text.isEmpty()) ++unfinished;
            }
        }
        QVERIFY(messages > 100);
        QCOMPARE(unfinished, 0);
        window_->setLanguage("ko");
        QCoreApplication::processEvents();  // LanguageChange is posted to every widget
        QCOMPARE(window_->menuBar()->actions().front()->text(), QString("파일(&F)"));
        // Widgets deep inside the window follow too.
        const auto generate = QCoreApplication::translate("sa::ui::MainWindow", "Generate");
        QVERIFY(generate != "Generate");
        const auto buttons = window_->findChildren<QPushButton*>();
        QVERIFY(std::any_of(buttons.begin(), buttons.end(), [&](auto* b) { return b->text() == generate; }));
        const auto preset = QCoreApplication::translate("sa::ui::LayerPlanPanel", "Paper defaults");
        QVERIFY(std::any_of(buttons.begin(), buttons.end(), [&](auto* b) { return b->text() == preset; }));
        window_->setLanguage("en");
        QCoreApplication::processEvents();
        QCOMPARE(window_->menuBar()->actions().front()->text(), QString("&File"));
    }

    void closingWhileRunningCancelsAndWaits() {
        auto window = makeWindow("closing");
        window->stepsBox()->setValue(300);
        QSignalSpy steps(window->worker(), &GenerationWorker::stepped);
        window->generate();
        QVERIFY(steps.wait(60000));
        QElapsedTimer timer;
        timer.start();
        window->close();  // returns once the worker stopped
        QVERIFY(timer.elapsed() < 30000);
        QVERIFY(!window->worker());
    }

    void cleanupTestCase() { window_.reset(); }
};

QTEST_MAIN(StudioTest)
#include "test_studio.moc"
