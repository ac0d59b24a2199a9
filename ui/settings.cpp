#include "ui/settings.h"

namespace sa::ui {

Settings::Settings() : settings_("StyleAligned", "StyleAligned Studio") {}
Settings::Settings(const QString& file) : settings_(file, QSettings::IniFormat) {}

QString Settings::modelFolder() const { return value<QString>("model/folder", {}); }
void Settings::setModelFolder(const QString& folder) {
    settings_.setValue("model/folder", folder);
    if (folder.isEmpty()) return;
    auto recent = recentModels();
    recent.removeAll(folder);
    recent.prepend(folder);
    settings_.setValue("model/recent", recent.mid(0, 8));
}
QStringList Settings::recentModels() const { return value<QStringList>("model/recent", {}); }
QString Settings::device() const { return value<QString>("model/device", "auto"); }
void Settings::setDevice(const QString& device) { settings_.setValue("model/device", device); }

QString Settings::referenceFolder() const { return value<QString>("folders/reference", {}); }
void Settings::setReferenceFolder(const QString& folder) { settings_.setValue("folders/reference", folder); }
QString Settings::exportFolder() const { return value<QString>("folders/export", {}); }
void Settings::setExportFolder(const QString& folder) { settings_.setValue("folders/export", folder); }
QString Settings::planFolder() const { return value<QString>("folders/plan", {}); }
void Settings::setPlanFolder(const QString& folder) { settings_.setValue("folders/plan", folder); }

QByteArray Settings::geometry() const { return value<QByteArray>("window/geometry", {}); }
void Settings::setGeometry(const QByteArray& geometry) { settings_.setValue("window/geometry", geometry); }
QByteArray Settings::windowState() const { return value<QByteArray>("window/state", {}); }
void Settings::setWindowState(const QByteArray& state) { settings_.setValue("window/state", state); }

QString Settings::planJson() const { return value<QString>("generation/plan", {}); }
void Settings::setPlanJson(const QString& json) { settings_.setValue("generation/plan", json); }
QString Settings::language() const { return value<QString>("ui/language", {}); }
void Settings::setLanguage(const QString& language) { settings_.setValue("ui/language", language); }

int Settings::steps() const { return value<int>("generation/steps", 30); }
void Settings::setSteps(int steps) { settings_.setValue("generation/steps", steps); }
double Settings::guidance() const { return value<double>("generation/guidance", 7.5); }
void Settings::setGuidance(double guidance) { settings_.setValue("generation/guidance", guidance); }
int Settings::offset() const { return value<int>("generation/offset", 5); }
void Settings::setOffset(int offset) { settings_.setValue("generation/offset", offset); }
QStringList Settings::subjects() const {
    return value<QStringList>("generation/subjects", {"a cat", "a boat", "a tree", "a car"});
}
void Settings::setSubjects(const QStringList& subjects) { settings_.setValue("generation/subjects", subjects); }

}  // namespace sa::ui
