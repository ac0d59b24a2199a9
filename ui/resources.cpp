#include "ui/resources.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace sa::ui {

QString findResource(const QString& relative) {
    const QStringList roots{QStringLiteral(STYLEALIGNED_SOURCE_DIR "/resources"),
                            QCoreApplication::applicationDirPath() + "/../share/stylealigned"};
    for (const auto& root : roots) {
        const QFileInfo candidate(QDir(root).filePath(relative));
        if (candidate.exists()) return candidate.canonicalFilePath();
    }
    return {};
}

QString bundledDemoModel() {
    const auto index = findResource("models/demo/model_index.json");
    return index.isEmpty() ? QString() : QFileInfo(index).absolutePath();
}

QStringList exampleReferences() {
    const auto folder = findResource("examples");
    if (folder.isEmpty()) return {};
    QStringList files;
    for (const auto& entry : QDir(folder).entryInfoList({"*.png", "*.jpg"}, QDir::Files, QDir::Name))
        files << entry.absoluteFilePath();
    return files;
}

}  // namespace sa::ui
