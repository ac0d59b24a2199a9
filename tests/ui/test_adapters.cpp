#include "ui/test_adapters.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTest>

#include <cmath>
#include <filesystem>

#include <opencv2/imgproc.hpp>

#include "core/data/procedural_dataset.h"
#include "core/eval/judge.h"
#include "core/io/control_image.h"
#include "core/io/image.h"
#include "ui/adapters_panel.h"
#include "ui/control_panel.h"
#include "ui/labeled_slider.h"
#include "ui/lora_list.h"
#include "ui/resources.h"
#include "ui/results_grid.h"
#include "ui/studio_test_support.h"

using namespace sa::ui;
using sa::test::goldenPath;

namespace {

// The params of golden case `name`; null when the folder has no such case.
nlohmann::json caseParams(const std::string& name) {
    const auto file = sa::test::goldenDir() / "cases" / (name + ".json");
    return std::filesystem::exists(file) ? sa::test::readJson(file).at("params") : nlohmann::json();
}

QString goldenFile(const nlohmann::json& relative) { return goldenPath(relative.get<std::string>().c_str()); }

// A studio on the tiny model in text mode (the reference generated from the caption), 3 steps.
std::unique_ptr<MainWindow> textModeStudio(const QString& ini) {
    auto window = sa::test::openStudio(ini);
    window->referencePane()->clearImage();
    window->referencePane()->setCaption("a house, watercolor style");
    window->stepsBox()->setValue(3);
    return window;
}

// The largest difference between two sets' images (infinity when their sizes differ).
double difference(const std::vector<cv::Mat>& a, const std::vector<cv::Mat>& b) {
    if (a.size() != b.size()) return INFINITY;
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i].size() != b[i].size()) return INFINITY;
        worst = std::max(worst, cv::norm(a[i], b[i], cv::NORM_INF));
    }
    return worst;
}

// Runs a set to its end; the images, or none when the run did not finish (an error came).
std::vector<cv::Mat> runImages(MainWindow& window) {
    const QString before = window.lastError();
    if (!sa::test::runToEnd(window) || !window.lastResult() || window.lastError() != before) return {};
    return window.lastResult()->images;
}

// `stylealigned generate --set` on a set the studio exported reproduces its pixels: the largest
// difference to `images` (infinity when the CLI failed). A StyleAligned set differs by at most one
// 8-bit level: the studio runs the reference and the targets as two batches (the reference cache),
// the CLI as one, and batched matrix products round differently (a plain set does the same). A
// panorama runs the same batches in both: equal. The CLI is the one built beside this test
// (build/app/stylealigned); without it the check says so and passes.
QString cliPath() { return QCoreApplication::applicationDirPath() + "/../app/stylealigned"; }

// Runs the CLI; its output when it failed, else "".
QString runCli(const QStringList& arguments) {
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(cliPath(), arguments);
    if (process.waitForFinished(300000) && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0) return {};
    return "stylealigned " + arguments.join(' ') + ":\n" + QString::fromUtf8(process.readAll());
}

// The images of a set folder as set.json lists them.
std::vector<cv::Mat> setImages(const QString& folder) {
    std::vector<cv::Mat> images;
    const auto spec = sa::ImageSetSpec::load((folder + "/set.json").toStdString());
    for (const auto& name : spec.images) images.push_back(sa::readImage((folder + "/" + QString::fromStdString(name)).toStdString()));
    return images;
}

double cliDifference(const QString& setFolder, const std::vector<cv::Mat>& images, const QString& out) {
    const QString cli = cliPath();
    if (!QFile::exists(cli)) {
        qInfo("%s is not built: the set's reproduction by the CLI is not checked", qPrintable(cli));
        return 0;
    }
    if (const auto failure = runCli({"generate", "--set", setFolder + "/set.json", "--out", out}); !failure.isEmpty()) {
        qWarning("%s", qPrintable(failure));
        return INFINITY;
    }
    return difference(setImages(out), images);
}

// Sets a labeled slider to `value` as a user would (whole notches of `step` from `minimum`).
void slide(LabeledSlider* slider, double value, double minimum, double step) {
    slider->slider()->setValue(static_cast<int>(std::lround((value - minimum) / step)));
}

// A window's error, once the worker's answer has come (errors come back queued).
bool waitForError(const MainWindow& window, const QString& needle) {
    return QTest::qWaitFor([&] { return window.lastError().contains(needle); }, 30000);
}

}  // namespace

// A set whose images follow the Canny edges of a control image (the golden ControlNet at the
// case's size and scale): the preview is those edges, the run differs from the uncontrolled one,
// and the exported set (control_00.png beside set.json) reopens with the same control and pixels.
void AdaptersTest::controlSetFollowsCannyEdgesAndReopens() {
    const auto p = caseParams("controlnet_sd15");
    if (p.is_null()) QSKIP("the golden folder has no ControlNet case");
    const QString ini = adaptersHome_.filePath("control.ini");
    auto window = textModeStudio(ini);
    auto* adapters = window->adaptersPanel();
    const int width = p.at("width").get<int>(), height = p.at("height").get<int>();
    adapters->setImageSize(width, height);
    const auto plain = runImages(*window);
    QVERIFY2(!plain.empty(), qPrintable(window->lastError()));
    QCOMPARE(plain.front().size(), cv::Size(width, height));

    auto* control = adapters->controlPanel();
    control->setChecked(true);
    QSignalSpy requests(window.get(), &MainWindow::generationRequested);
    window->generate();  // no ControlNet folder, no image: refused before the run
    QCOMPARE(requests.count(), 0);
    QVERIFY2(window->lastError().contains("ControlNet"), qPrintable(window->lastError()));

    const QString controlNet = goldenFile(p.at("controlnet_folder"));
    const QString image = goldenPath("cases/control_image.png");
    control->setControlNetFolder(controlNet);
    QVERIFY(control->setImageFile(0, image));
    QCOMPARE(control->rowCount(), 1);
    // The preview is the map the ControlNet gets: Canny edges with the panel's thresholds.
    const auto source = sa::readControlImage(image.toStdString()).image;
    QCOMPARE(cv::norm(control->map(0), sa::cannyEdges(source, 100, 200), cv::NORM_INF), 0.0);
    QVERIFY(!control->thumbnail(0).isNull());
    // Thumbnails take the set's shape (the pipeline stretches the map to it).
    const QPixmap thumb = control->thumbnail(0);
    QVERIFY2(std::abs(double(thumb.width()) / thumb.height() - double(width) / height) < 0.05,
             qPrintable(QString("%1x%2").arg(thumb.width()).arg(thumb.height())));
    control->findChild<QDoubleSpinBox*>("cannyHigh")->setValue(600);
    control->findChild<QDoubleSpinBox*>("cannyLow")->setValue(300);
    QCOMPARE(cv::norm(control->map(0), sa::cannyEdges(source, 300, 600), cv::NORM_INF), 0.0);
    // One per image: a row for the reference and each subject, starting from the first row's image.
    control->setPerImage(true);
    QCOMPARE(control->rowCount(), static_cast<int>(window->currentRequest().spec.targets.size()) + 1);
    QCOMPARE(cv::norm(control->map(control->rowCount() - 1), control->map(0), cv::NORM_INF), 0.0);
    control->setPerImage(false);
    const double scale = p.at("controlnet_conditioning_scale").get<double>();
    slide(control->findChild<LabeledSlider*>("controlScale"), scale, 0.0, 0.05);

    const auto spec = window->currentRequest().spec;
    QVERIFY(spec.control.has_value());
    QCOMPARE(spec.control->scale, scale);
    QCOMPARE(spec.control->images, std::vector<std::string>{QFileInfo(image).absoluteFilePath().toStdString()});
    const auto controlled = runImages(*window);
    QVERIFY2(!controlled.empty(), qPrintable(window->lastError()));
    QCOMPARE(controlled.front().size(), cv::Size(width, height));
    QVERIFY(difference(controlled, plain) > 0);  // the ControlNet steers (every image, by default)

    const QString folder = adaptersHome_.filePath("control-set");
    QVERIFY(window->exportSetTo(folder));
    const auto saved = sa::test::readJson((folder + "/set.json").toStdString());
    QCOMPARE(saved.at("control").at("images"), nlohmann::json({"control_00.png"}));
    QCOMPARE(saved.at("control").at("scale").get<double>(), scale);
    QCOMPARE(QString::fromStdString(saved.at("control").at("model").get<std::string>()), controlNet);
    QCOMPARE(cv::norm(sa::readImage((folder + "/control_00.png").toStdString()), source, cv::NORM_INF), 0.0);
    QVERIFY(cliDifference(folder, controlled, adaptersHome_.filePath("control-cli")) <= 1);
    window->close();

    // Reopened elsewhere: the same control, thumbnails and pixels.
    auto other = sa::test::openStudio(adaptersHome_.filePath("control-other.ini"));
    QVERIFY(other->openSet(folder + "/set.json"));
    auto* reopened = other->adaptersPanel()->controlPanel();
    QVERIFY(reopened->isChecked());
    QCOMPARE(cv::norm(reopened->map(0), sa::cannyEdges(source, 300, 600), cv::NORM_INF), 0.0);
    auto again = other->currentRequest().spec;
    QCOMPARE(QFileInfo(QString::fromStdString(again.control->images.at(0))).fileName(), QString("control_00.png"));
    again.control->images = spec.control->images;
    QVERIFY(again.control == spec.control);
    QCOMPARE(again.width, width);
    QCOMPARE(difference(runImages(*other), controlled), 0.0);
    other->close();

    // The ControlNet and the control settings are remembered for the next session.
    auto next = sa::test::openStudio(ini);
    QCOMPARE(next->adaptersPanel()->controlPanel()->controlNetFolder(), controlNet);
    QVERIFY(!next->adaptersPanel()->controlPanel()->isChecked());  // images are per set: off until chosen
    next->adaptersPanel()->controlPanel()->setChecked(true);
    QCOMPARE(next->adaptersPanel()->controlPanel()->spec()->scale, scale);
    QCOMPARE(next->adaptersPanel()->controlPanel()->spec()->high, 600.0);
    next->close();
}

// The golden kohya LoRA at weight 1 and 0.6: each changes the pixels, a weight change re-runs
// without reloading (the unchanged reference replays from the cache), weight 0 and the switch off
// are the model without LoRA bit for bit; set.json keeps the list.
void AdaptersTest::loraAtTwoWeightsWithoutReloading() {
    const auto p = caseParams("lora_sd15");
    if (p.is_null()) QSKIP("the golden folder has no LoRA case");
    auto window = textModeStudio(adaptersHome_.filePath("lora.ini"));
    const auto none = runImages(*window);
    QVERIFY2(!none.empty(), qPrintable(window->lastError()));

    auto* list = window->adaptersPanel()->loraList();
    const QString file = goldenFile(p.at("files").at("kohya"));
    QSignalSpy loads(window.get(), &MainWindow::modelRequested);
    list->requestAdd(file);
    QVERIFY(QTest::qWaitFor([&] { return list->count() == 1; }, 30000));
    const auto absolute = QFileInfo(file).absoluteFilePath().toStdString();
    QCOMPARE(window->currentRequest().spec.loras, (std::vector<sa::LoraEntry>{{absolute, 1.0, true}}));
    const auto scales = p.at("lora_scales").get<std::vector<double>>();
    std::vector<std::vector<cv::Mat>> byWeight;
    for (const double scale : scales) {
        slide(list->weightSlider(0), scale, -1.0, 0.05);
        QCOMPARE(window->currentRequest().spec.loras.front().weight, scale);
        byWeight.push_back(runImages(*window));
        QVERIFY2(!byWeight.back().empty(), qPrintable(window->lastError()));
        QVERIFY(!window->lastResult()->referenceFromCache);  // a LoRA reaches the reference too
        QVERIFY(difference(byWeight.back(), none) > 0);
    }
    QVERIFY(difference(byWeight[0], byWeight[1]) > 0);
    // The same weight again: the reference branch replays, the images repeat.
    QCOMPARE(difference(runImages(*window), byWeight.back()), 0.0);
    QVERIFY(window->lastResult()->referenceFromCache);
    // Weight 0, and switched off at weight 1: the model as loaded.
    slide(list->weightSlider(0), 0.0, -1.0, 0.05);
    QCOMPARE(window->currentRequest().spec.loras.front().weight, 0.0);
    QCOMPARE(difference(runImages(*window), none), 0.0);
    slide(list->weightSlider(0), 1.0, -1.0, 0.05);
    list->enabledBox(0)->setChecked(false);
    QVERIFY(!window->currentRequest().spec.loras.front().enabled);
    QCOMPARE(difference(runImages(*window), none), 0.0);
    list->enabledBox(0)->setChecked(true);
    QCOMPARE(difference(runImages(*window), byWeight[0]), 0.0);
    QCOMPARE(loads.count(), 0);  // none of this reloaded the model

    // set.json keeps the list; an opened set restores it and reproduces its pixels.
    slide(list->weightSlider(0), scales.back(), -1.0, 0.05);
    const auto last = runImages(*window);
    const QString folder = adaptersHome_.filePath("lora-set");
    QVERIFY(window->exportSetTo(folder));
    const auto saved = sa::test::readJson((folder + "/set.json").toStdString());
    QCOMPARE(saved.at("loras").size(), size_t{1});
    QCOMPARE(saved.at("loras").at(0).at("weight").get<double>(), scales.back());
    QVERIFY(cliDifference(folder, last, adaptersHome_.filePath("lora-cli")) <= 1);
    auto other = sa::test::openStudio(adaptersHome_.filePath("lora-other.ini"));
    QVERIFY(other->openSet(folder + "/set.json"));
    QCOMPARE(other->adaptersPanel()->loraList()->count(), 1);
    QCOMPARE(other->currentRequest().spec.loras, window->currentRequest().spec.loras);
    QCOMPARE(difference(runImages(*other), last), 0.0);
    // Removed: the model without LoRA again.
    other->adaptersPanel()->loraList()->removeRow(0);
    QVERIFY(other->currentRequest().spec.loras.empty());
    QCOMPARE(difference(runImages(*other), none), 0.0);
    other->close();
    window->close();
}

// Every subject a panorama at the golden panorama case's size, window, stride and view batch:
// the square reference and wide panoramas, live previews of the whole panorama, progress over
// all of them, wide tiles, cancel, and the exported set reopens with the same pixels. A panorama
// with a reference image is refused before the run.
void AdaptersTest::panoramaSetIsWideAndReopens() {
    const auto p = caseParams("panorama_sd15");
    if (p.is_null()) QSKIP("the golden folder has no panorama case");
    const auto& run = p.at("runs").at("main");
    const int factor = p.at("vae_scale_factor").get<int>(), window = p.at("window_size").get<int>();
    const int height = run.at("height").get<int>(), width = run.at("width").get<int>();
    auto studio = textModeStudio(adaptersHome_.filePath("panorama.ini"));
    studio->subjectList()->setSubjects({"a beach", "a forest"});
    auto* adapters = studio->adaptersPanel();
    adapters->setImageSize(height, height);
    const sa::PanoramaSpec panorama{.width = width, .window = window, .stride = p.at("stride").get<int>(),
                                    .viewBatch = p.at("view_batch_size").get<int>()};
    adapters->setPanorama(panorama);
    QVERIFY(studio->currentRequest().spec.panorama == panorama);

    // With a reference image: refused, saying why, before anything runs.
    QVERIFY(studio->referencePane()->loadFile(sa::test::referenceImage()));
    QSignalSpy requests(studio.get(), &MainWindow::generationRequested);
    studio->generate();
    QCOMPARE(requests.count(), 0);
    QVERIFY2(studio->lastError().contains("reference image"), qPrintable(studio->lastError()));
    studio->referencePane()->clearImage();
    studio->referencePane()->setCaption("a house, watercolor style");

    QSignalSpy steps(studio->worker(), &GenerationWorker::stepped);
    const auto images = runImages(*studio);
    QVERIFY2(images.size() == 3, qPrintable(studio->lastError()));
    QCOMPARE(images[0].size(), cv::Size(window * factor, window * factor));
    for (size_t i = 1; i < images.size(); ++i) QCOMPARE(images[i].size(), cv::Size(width, height));
    // One update per step of each panorama, the whole panorama previewed in its own tile.
    const int stepsPerPanorama = studio->stepsBox()->value();
    QCOMPARE(steps.count(), 2 * stepsPerPanorama);
    const auto last = steps.back().front().value<StepUpdate>();
    QCOMPARE(last.phase, RunPhase::Panorama);
    QCOMPARE(last.done, last.units);
    QCOMPARE(last.units, 2 * stepsPerPanorama);
    QCOMPARE(last.part, 1);
    QCOMPARE(last.previews.at(2).size(), cv::Size(width, height));
    // Wide tiles: the panoramas' images keep their shape, wider than the square reference's.
    auto* grid = studio->resultsGrid();
    for (int i = 1; i < 3; ++i) {
        const QRect area = grid->tile(i)->imageRect();
        QVERIFY2(std::abs(double(area.width()) / area.height() - double(width) / height) < 0.1,
                 qPrintable(QString("%1x%2").arg(area.width()).arg(area.height())));
        QVERIFY(area.width() > grid->tile(0)->imageRect().width());
    }

    // Cancel during a long panorama run: the finished set stays.
    studio->stepsBox()->setValue(200);
    QSignalSpy ended(studio.get(), &MainWindow::runEnded);
    QSignalSpy cancelled(studio->worker(), &GenerationWorker::cancelled);
    studio->generate();
    QVERIFY(steps.wait(60000));
    studio->cancel();
    QVERIFY(ended.wait(60000));
    QVERIFY(cancelled.count() == 1 || cancelled.wait(10000));
    QCOMPARE(difference(studio->lastResult()->images, images), 0.0);
    QCOMPARE(grid->tile(1)->image().width(), width);
    studio->stepsBox()->setValue(stepsPerPanorama);

    const QString folder = adaptersHome_.filePath("panorama-set");
    QVERIFY(studio->exportSetTo(folder));
    QCOMPARE(sa::test::readJson((folder + "/set.json").toStdString()).at("panorama").at("width").get<int>(), width);
    QCOMPARE(cliDifference(folder, images, adaptersHome_.filePath("panorama-cli")), 0.0);
    auto other = sa::test::openStudio(adaptersHome_.filePath("panorama-other.ini"));
    QVERIFY(other->openSet(folder + "/set.json"));
    QVERIFY(other->adaptersPanel()->panorama() == panorama);
    QCOMPARE(other->resultsGrid()->tile(1)->image().width(), width);
    QCOMPARE(difference(runImages(*other), images), 0.0);
    other->close();
    studio->close();
}

// A LoRA of another family, a file that is not a LoRA, the same LoRA twice, a control file that is
// not an image, Canny thresholds the wrong way round: each an error naming what is wrong, nothing
// added, the previous state kept.
void AdaptersTest::badAdapterInputIsRefused() {
    const auto lora = caseParams("lora_sd15");
    if (lora.is_null()) QSKIP("the golden folder has no LoRA case");
    const QString loraFile = goldenFile(lora.at("files").at("kohya"));
    auto window = textModeStudio(adaptersHome_.filePath("bad.ini"));
    auto* list = window->adaptersPanel()->loraList();

    QFile garbage(adaptersHome_.filePath("garbage.safetensors"));
    QVERIFY(garbage.open(QIODevice::WriteOnly));
    garbage.write("this is not a safetensors file at all");
    garbage.close();
    list->requestAdd(garbage.fileName());
    QVERIFY2(waitForError(*window, "garbage.safetensors"), qPrintable(window->lastError()));
    QCOMPARE(list->count(), 0);

    list->requestAdd(loraFile);
    QVERIFY(QTest::qWaitFor([&] { return list->count() == 1; }, 30000));
    list->requestAdd(loraFile);  // listed already: change its weight instead
    QVERIFY2(window->lastError().contains("already"), qPrintable(window->lastError()));
    QCOMPARE(list->count(), 1);
    list->removeRow(0);

    // An SD 1.5 LoRA on the tiny SDXL model: refused, naming the file.
    if (QFile::exists(goldenPath("tiny-sdxl/model_index.json"))) {
        window->loadModel(goldenPath("tiny-sdxl"));
        QVERIFY(sa::test::waitForLoad(*window));
        QVERIFY2(window->isModelReady() && window->modelPath() == goldenPath("tiny-sdxl"), qPrintable(window->lastError()));
        list->requestAdd(loraFile);
        QVERIFY2(waitForError(*window, QFileInfo(loraFile).fileName()), qPrintable(window->lastError()));
        QCOMPARE(list->count(), 0);
    }

    // A control file that is not an image: an error naming it; the row keeps its image.
    auto* control = window->adaptersPanel()->controlPanel();
    control->setChecked(true);
    const QString image = goldenPath("cases/control_image.png");
    QVERIFY(control->setImageFile(0, image));
    const cv::Mat before = control->map(0).clone();
    QVERIFY(!control->setImageFile(0, garbage.fileName()));
    QVERIFY2(window->lastError().contains("garbage.safetensors"), qPrintable(window->lastError()));
    QCOMPARE(cv::norm(control->map(0), before, cv::NORM_INF), 0.0);
    QCOMPARE(control->spec()->images.front(), QFileInfo(image).absoluteFilePath().toStdString());

    // Canny thresholds the wrong way round: refused before the run, naming the field.
    control->setControlNetFolder(goldenFile(caseParams("controlnet_sd15").value("controlnet_folder", nlohmann::json("tiny-controlnet-sd15"))));
    control->findChild<QDoubleSpinBox*>("cannyLow")->setValue(500);
    control->findChild<QDoubleSpinBox*>("cannyHigh")->setValue(100);
    QSignalSpy requests(window.get(), &MainWindow::generationRequested);
    window->generate();
    QCOMPARE(requests.count(), 0);
    QVERIFY2(window->lastError().contains("control.low"), qPrintable(window->lastError()));
    window->close();
}

// The other way round: sets the CLI made with a LoRA and a ControlNet (the control image copied
// beside set.json), and with panoramas, open in the studio with every adapter setting and re-run
// to their pixels (StyleAligned sets within one 8-bit level, see cliDifference).
void AdaptersTest::opensCliSetsWithAdapters() {
    const auto lora = caseParams("lora_sd15"), control = caseParams("controlnet_sd15"), panorama = caseParams("panorama_sd15");
    if (lora.is_null() || control.is_null() || panorama.is_null()) QSKIP("the golden folder has no LoRA, ControlNet or panorama case");
    if (!QFile::exists(cliPath())) QSKIP("the CLI is not built beside this test");
    const QString model = sa::test::tinyModel(), adapted = adaptersHome_.filePath("cli-adapted");
    const QString loraFile = goldenFile(lora.at("files").at("kohya"));
    QString failure = runCli({"generate", "--model", model, "--prompt", "a house", "--prompt", "a cat", "--prompt",
                              "a boat", "--style", "watercolor style", "--steps", "3", "--height", QString::number(control.at("height").get<int>()),
                              "--width", QString::number(control.at("width").get<int>()), "--lora", loraFile + ":0.6",
                              "--controlnet", goldenFile(control.at("controlnet_folder")), "--control",
                              goldenPath("cases/control_image.png"), "--control-mode", "targets-only", "--canny", "50,150",
                              "--out", adapted});
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    auto window = sa::test::openStudio(adaptersHome_.filePath("cli-sets.ini"));
    QVERIFY(window->openSet(adapted + "/set.json"));
    const auto spec = window->currentRequest().spec;
    QCOMPARE(spec.allPrompts(), sa::ImageSetSpec::load((adapted + "/set.json").toStdString()).allPrompts());
    QCOMPARE(spec.loras.size(), size_t{1});
    QCOMPARE(spec.loras.front().weight, 0.6);
    QVERIFY(spec.control.has_value());
    QCOMPARE(spec.control->mode, std::string("targets-only"));
    QCOMPARE(spec.control->low, 50.0);
    QCOMPARE(spec.control->high, 150.0);
    QCOMPARE(window->adaptersPanel()->controlPanel()->rowCount(), 1);
    QVERIFY(!window->adaptersPanel()->controlPanel()->thumbnail(0).isNull());
    const auto made = setImages(adapted);
    const auto again = runImages(*window);
    QVERIFY2(!again.empty(), qPrintable(window->lastError()));
    QVERIFY2(difference(again, made) <= 1, qPrintable(QString::number(difference(again, made))));

    const auto& run = panorama.at("runs").at("main");
    const int height = run.at("height").get<int>();
    const QString wide = adaptersHome_.filePath("cli-panorama");
    failure = runCli({"generate", "--model", model, "--prompt", "a house", "--prompt", "a beach", "--style",
                      "watercolor style",
                      "--steps", "2", "--height", QString::number(height), "--width", QString::number(height),
                      "--panorama-width", QString::number(run.at("width").get<int>()), "--panorama-window",
                      QString::number(panorama.at("window_size").get<int>()), "--panorama-stride",
                      QString::number(panorama.at("stride").get<int>()), "--panorama-circular", "--out", wide});
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    QVERIFY(window->openSet(wide + "/set.json"));
    QVERIFY(window->adaptersPanel()->panorama().has_value());
    QVERIFY(window->adaptersPanel()->panorama()->circular);
    QCOMPARE(difference(runImages(*window), setImages(wide)), 0.0);
    window->close();
}

namespace {

// Mean of edgesNear(control, the picture's Canny edges) over the targets (images 1…): how closely a
// set follows its control. The control map is brought to the images' size (area average, any
// covered pixel an edge), as the pipeline resizes it for the ControlNet.
double edgeRecall(const std::vector<cv::Mat>& images, const cv::Mat& control) {
    cv::Mat edges;
    cv::resize(control, edges, images.front().size(), 0, 0, cv::INTER_AREA);
    cv::threshold(edges, edges, 63, 255, cv::THRESH_BINARY);
    double sum = 0;
    for (size_t i = 1; i < images.size(); ++i) sum += sa::edgesNear(edges, sa::cannyEdges(images[i]));
    return sum / static_cast<double>(images.size() - 1);
}

// How much the targets (images 1…) look like `count` data-set pictures in the held-out LoRA style
// (Judge::styleSimilarity, as the LoRA stage's report measures it).
double heldOutStyleSimilarity(sa::Judge& judge, const std::vector<cv::Mat>& images, int count = 24) {
    const sa::data::ProceduralDataset real(77, images.front().cols, 1, 1, sa::data::heldOutStyle());
    std::vector<torch::Tensor> examples, targets;
    for (int i = 0; i < count; ++i) examples.push_back((sa::imageToTensor(real.at(i).image) + 1) / 2);
    for (size_t i = 1; i < images.size(); ++i) targets.push_back((sa::imageToTensor(images[i]) + 1) / 2);
    return judge.styleSimilarity(torch::cat(targets), torch::cat(examples));
}

}  // namespace

// The demo model with the add-ons it ships with, as a new user meets them (settings empty): the
// Adapters tab starts with them; a set controlled by the Canny ControlNet from a bundled example's
// edges follows those edges clearly more closely than the same set without it; the cross-stitch LoRA
// passes the worker's check against the demo model, and at weights 0.5 and 1 draws "cross stitch
// style" more and more like the held-out style's pictures.
void AdaptersTest::bundledAddOnsWorkOnTheDemoModel() {
    const QString demo = bundledDemoModel(), loraFolder = findResource("models/demo-lora"),
                  controlNet = findResource("models/demo-controlnet-canny");
    QVERIFY2(!demo.isEmpty() && !loraFolder.isEmpty() && !controlNet.isEmpty(),
             "the demo model and its add-ons ship in resources/models");
    auto settings = std::make_unique<Settings>(adaptersHome_.filePath("bundled.ini"));
    settings->setModelFolder(demo);
    MainWindow window(std::move(settings));
    window.show();
    QVERIFY2(QTest::qWaitFor([&] { return window.isModelReady(); }, 60000), qPrintable(window.lastError()));
    auto* adapters = window.adaptersPanel();
    QCOMPARE(adapters->loraList()->startFolder(), loraFolder);
    QCOMPARE(adapters->controlPanel()->controlNetFolder(), controlNet);

    window.referencePane()->clearImage();
    window.referencePane()->setCaption("a house, watercolor style");
    window.subjectList()->setSubjects({"a house", "a fish", "a car", "a cup"});
    window.stepsBox()->setValue(20);
    const auto plain = runImages(window);
    QVERIFY2(plain.size() == 5, qPrintable(window.lastError()));

    // ControlNet: every image drawn on the edges of a bundled example.
    const QString example = findResource("examples/house_blueprint.png");
    QVERIFY(!example.isEmpty());
    auto* control = adapters->controlPanel();
    control->setChecked(true);
    QVERIFY(control->setImageFile(0, example));
    const cv::Mat edges = control->map(0).clone();
    const auto controlled = runImages(window);
    QVERIFY2(controlled.size() == 5, qPrintable(window.lastError()));
    const double without = edgeRecall(plain, edges), with = edgeRecall(controlled, edges);
    qInfo("bundled ControlNet: edge recall of the targets %.3f without, %.3f with", without, with);
    QVERIFY2(with > without + 0.2, qPrintable(QString("edge recall %1 → %2").arg(without).arg(with)));
    control->setChecked(false);

    // LoRA: the new style's words mean the new style, more with the weight.
    auto judge = sa::Judge::load(demo.toStdString() + "/judge");
    window.referencePane()->setCaption("a house, cross stitch style");
    auto* list = adapters->loraList();
    list->requestAdd(loraFolder + "/cross_stitch.safetensors");
    QVERIFY2(QTest::qWaitFor([&] { return list->count() == 1; }, 30000), qPrintable(window.lastError()));
    std::vector<double> similarity;
    for (const double weight : {0.0, 0.5, 1.0}) {
        slide(list->weightSlider(0), weight, -1.0, 0.05);
        const auto images = runImages(window);
        QVERIFY2(images.size() == 5, qPrintable(window.lastError()));
        similarity.push_back(heldOutStyleSimilarity(judge, images));
    }
    qInfo("bundled LoRA: similarity to cross stitch %.3f (weight 0), %.3f (0.5), %.3f (1)", similarity[0], similarity[1],
          similarity[2]);
    QVERIFY2(similarity[1] > similarity[0] + 0.05 && similarity[2] > similarity[1] + 0.1,
             qPrintable(QString("%1, %2, %3").arg(similarity[0]).arg(similarity[1]).arg(similarity[2])));
    window.close();
}
