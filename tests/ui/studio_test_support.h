#pragma once
// What the studio's GUI tests share: the golden folders they run on and a window ready to
// generate on the tiny SD 1.5 model.
#include <filesystem>
#include <fstream>
#include <memory>

#include <QSignalSpy>
#include <QString>
#include <QTest>

#include <nlohmann/json.hpp>

#include "support/golden_dir.h"
#include "ui/main_window.h"
#include "ui/reference_pane.h"
#include "ui/subject_list.h"

namespace sa::test {

// A folder or file of the golden folder, as the studio takes paths.
inline QString goldenPath(const char* name) { return QString::fromStdString((goldenDir() / name).string()); }
inline QString tinyModel() { return goldenPath("tiny-sd15"); }
inline QString referenceImage() { return goldenPath("cases/reference_image.png"); }

inline nlohmann::json readJson(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) qFatal("cannot open %s", file.string().c_str());
    return nlohmann::json::parse(in);
}

inline bool waitForLoad(const ui::MainWindow& window) {
    return QTest::qWaitFor([&] { return !window.isLoadingModel(); }, 60000);
}

// A window on the tiny model with its own settings file (`ini`), ready to generate: 4 steps,
// two subjects, a typed caption.
inline std::unique_ptr<ui::MainWindow> openStudio(const QString& ini) {
    auto settings = std::make_unique<ui::Settings>(ini);
    settings->setModelFolder(tinyModel());
    auto window = std::make_unique<ui::MainWindow>(std::move(settings));
    window->show();
    if (!QTest::qWaitFor([&] { return window->isModelReady(); }, 60000)) qFatal("model did not load: %s", qPrintable(window->lastError()));
    window->stepsBox()->setValue(4);
    window->subjectList()->setSubjects({"a cat", "a boat"});
    window->referencePane()->setCaption("a photo of a bear, watercolor style");
    return window;
}

// Runs a set and waits for its end (finished, cancelled or failed).
inline bool runToEnd(ui::MainWindow& window) {
    QSignalSpy ended(&window, &ui::MainWindow::runEnded);
    window.generate();
    return ended.wait(120000);
}

}  // namespace sa::test
