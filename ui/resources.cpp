#include "ui/resources.h"

#include "core/common/resources.h"

#include <QDir>
#include <QFileInfo>

namespace sa::ui {

// The lookup itself is core's (next to the sources, else share/stylealigned beside the executable).
QString findResource(const QString& relative) {
    const auto path = sa::findBundledResource(relative.toStdString());
    return path.empty() ? QString() : QString::fromStdString(path.string());
}

QString bundledDemoModel() {
    const auto path = sa::bundledDemoModel();
    return path.empty() ? QString() : QString::fromStdString(path.string());
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
