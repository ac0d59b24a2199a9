// stylealigned-studio: the desktop application (issue 6).
#include <QApplication>
#include <QCommandLineParser>

#include "ui/main_window.h"
#include "ui/reference_pane.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("StyleAligned Studio");
    QApplication::setOrganizationName("StyleAligned");
    QApplication::setApplicationVersion(STYLEALIGNED_VERSION);

    QCommandLineParser parser;
    parser.setApplicationDescription("Style-aligned image generation via shared attention.");
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption model("model", "A diffusers model folder or a single-file .safetensors checkpoint (default: the last model, else the bundled demo model).", "path");
    QCommandLineOption reference("reference", "Reference image to start with.", "image");
    QCommandLineOption caption("caption", "Caption of the reference (instead of the captioner's).", "text");
    QCommandLineOption set("set", "A set.json to open.", "file");
    QCommandLineOption generate("generate", "Generate as soon as the model is loaded.");
    QCommandLineOption tab("tab", "Panel to show on the right: layers, attention or adapters.", "name");
    QCommandLineOption screenshot("screenshot", "After --generate finishes, save the window as PNG and quit.", "png");
    parser.addOptions({model, reference, caption, set, generate, tab, screenshot});
    parser.process(app);

    sa::ui::MainWindow window;
    window.show();
    if (parser.isSet(model)) window.loadModel(parser.value(model));
    if (parser.isSet(reference)) window.referencePane()->loadFile(parser.value(reference));
    if (parser.value(tab) == "attention") window.showTab(1);
    if (parser.value(tab) == "adapters") window.showTab(2);
    if (parser.isSet(caption)) window.referencePane()->setCaption(parser.value(caption));
    if (parser.isSet(set)) window.openSet(parser.value(set));
    if (parser.isSet(generate)) {
        // Generate once the model is ready (it loads on the worker thread).
        auto* poll = new QTimer(&window);
        QObject::connect(poll, &QTimer::timeout, &window, [&window, poll] {
            if (!window.isModelReady() || window.referencePane()->caption().isEmpty()) return;
            poll->stop();
            window.generate();
        });
        poll->start(100);
        if (parser.isSet(screenshot)) {
            const auto file = parser.value(screenshot);
            QObject::connect(&window, &sa::ui::MainWindow::runEnded, &window, [&window, file] {
                QTimer::singleShot(500, &window, [&window, file] {
                    window.grab().save(file);
                    QApplication::quit();
                });
            });
        }
    }
    return QApplication::exec();
}
