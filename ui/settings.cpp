#include "ui/settings.h"

#include <QJsonDocument>

#include "core/io/image_set.h"
#include "core/pipeline/set_request.h"
#include "ui/studio_types.h"

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
    setRecentModels(recent);
}
QStringList Settings::recentModels() const { return value<QStringList>("model/recent", {}); }
void Settings::setRecentModels(const QStringList& paths) {
    const auto recent = paths.mid(0, kRecentModels);
    settings_.setValue("model/recent", recent);
    auto all = allCheckpointOptions();
    for (const auto& file : all.keys())
        if (!recent.contains(file)) all.remove(file);
    setAllCheckpointOptions(all);
}

// One JSON object (file → options) keeps the INI file readable and paths out of its keys.
QJsonObject Settings::allCheckpointOptions() const {
    return QJsonDocument::fromJson(value<QString>("model/checkpoint_options", {}).toUtf8()).object();
}
void Settings::setAllCheckpointOptions(const QJsonObject& all) {
    if (all.isEmpty()) settings_.remove("model/checkpoint_options");
    else settings_.setValue("model/checkpoint_options", QString::fromUtf8(QJsonDocument(all).toJson(QJsonDocument::Compact)));
}
CheckpointOptions Settings::checkpointOptions(const QString& file) const {
    return CheckpointOptions::fromJson(allCheckpointOptions().value(file).toString());
}
void Settings::setCheckpointOptions(const QString& file, const CheckpointOptions& options) {
    auto all = allCheckpointOptions();
    if (options.isAuto()) all.remove(file);
    else all[file] = options.toJson();
    setAllCheckpointOptions(all);
}
QString Settings::checkpointFolder() const { return value<QString>("folders/checkpoint", {}); }
void Settings::setCheckpointFolder(const QString& folder) { settings_.setValue("folders/checkpoint", folder); }
QString Settings::device() const { return value<QString>("model/device", "auto"); }
void Settings::setDevice(const QString& device) { settings_.setValue("model/device", device); }

static const char* visionKey(VisionRole role) {
    switch (role) {
        case VisionRole::Captioner: return "models/captioner";
        case VisionRole::Clip: return "models/clip";
        case VisionRole::Dino: return "models/dino";
    }
    return "models/unknown";
}
QString Settings::visionModelFolder(VisionRole role) const { return value<QString>(visionKey(role), {}); }
void Settings::setVisionModelFolder(VisionRole role, const QString& folder) {
    if (folder.isEmpty()) settings_.remove(visionKey(role));
    else settings_.setValue(visionKey(role), folder);
}

QString Settings::referenceFolder() const { return value<QString>("folders/reference", {}); }
void Settings::setReferenceFolder(const QString& folder) { settings_.setValue("folders/reference", folder); }
QString Settings::exportFolder() const { return value<QString>("folders/export", {}); }
void Settings::setExportFolder(const QString& folder) { settings_.setValue("folders/export", folder); }
QString Settings::planFolder() const { return value<QString>("folders/plan", {}); }
void Settings::setPlanFolder(const QString& folder) { settings_.setValue("folders/plan", folder); }
QString Settings::loraFolder() const { return value<QString>("folders/lora", {}); }
void Settings::setLoraFolder(const QString& folder) { settings_.setValue("folders/lora", folder); }
QString Settings::controlImageFolder() const { return value<QString>("folders/control_image", {}); }
void Settings::setControlImageFolder(const QString& folder) { settings_.setValue("folders/control_image", folder); }

ControlSpec Settings::controlDefaults() const {
    const ControlSpec d;
    ControlSpec c;
    c.model = value<QString>("control/controlnet", {}).toStdString();
    c.kind = value<QString>("control/kind", QString::fromStdString(d.kind)).toStdString();
    c.low = value<double>("control/canny_low", d.low);
    c.high = value<double>("control/canny_high", d.high);
    c.scale = value<double>("control/scale", d.scale);
    c.start = value<double>("control/start", d.start);
    c.end = value<double>("control/end", d.end);
    c.mode = value<QString>("control/mode", QString::fromStdString(d.mode)).toStdString();
    return c;
}
void Settings::setControlDefaults(const ControlSpec& c) {
    settings_.setValue("control/controlnet", QString::fromStdString(c.model));
    settings_.setValue("control/kind", QString::fromStdString(c.kind));
    settings_.setValue("control/canny_low", c.low);
    settings_.setValue("control/canny_high", c.high);
    settings_.setValue("control/scale", c.scale);
    settings_.setValue("control/start", c.start);
    settings_.setValue("control/end", c.end);
    settings_.setValue("control/mode", QString::fromStdString(c.mode));
}

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
double Settings::guidance() const { return value<double>("generation/guidance", defaultGuidance(false)); }
void Settings::setGuidance(double guidance) { settings_.setValue("generation/guidance", guidance); }
int Settings::offset() const { return value<int>("generation/offset", 5); }
void Settings::setOffset(int offset) { settings_.setValue("generation/offset", offset); }
QStringList Settings::subjects() const {
    return value<QStringList>("generation/subjects", {"a cat", "a boat", "a tree", "a car"});
}
void Settings::setSubjects(const QStringList& subjects) { settings_.setValue("generation/subjects", subjects); }
QString Settings::vaeTiling() const {
    const auto mode = value<QString>("generation/vae_tiling", "auto");
    return mode == "on" || mode == "off" ? mode : QString("auto");
}
void Settings::setVaeTiling(const QString& mode) { settings_.setValue("generation/vae_tiling", mode); }

}  // namespace sa::ui
