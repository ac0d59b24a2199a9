#pragma once
// Where the studio finds what ships with it: the demo model, example references, translations
// (next to the sources in a build tree, under share/stylealigned when installed).
#include <QString>
#include <QStringList>

namespace sa::ui {

QString bundledDemoModel();        // "" when not found
QStringList exampleReferences();   // PNG files of resources/examples
QString findResource(const QString& relative);  // "" when not found

}  // namespace sa::ui
