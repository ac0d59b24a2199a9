#pragma once
// Every persistent preference of the studio in one typed place, with its default (QSettings
// underneath: ~/.config/StyleAligned/StyleAligned Studio.conf on Linux).
#include <QByteArray>
#include <QJsonObject>
#include <QSettings>
#include <QString>
#include <QStringList>

namespace sa {
struct ControlSpec;
}

namespace sa::ui {

struct CheckpointOptions;
enum class VisionRole;

class Settings {
public:
    Settings();
    explicit Settings(const QString& file);  // tests: an isolated INI file

    // The model last loaded: a diffusers folder or a single-file checkpoint; "" = the bundled demo
    // model. Setting one makes it the most recent of recentModels().
    QString modelFolder() const;
    void setModelFolder(const QString& folder);
    QStringList recentModels() const;  // most recent first, at most kRecentModels
    void setRecentModels(const QStringList& paths);  // also forgets the options of files no longer listed
    static constexpr int kRecentModels = 8;
    // What a single file was loaded with last (Auto for a file never loaded).
    CheckpointOptions checkpointOptions(const QString& file) const;
    void setCheckpointOptions(const QString& file, const CheckpointOptions& options);
    QString checkpointFolder() const;  // where Open Checkpoint starts
    void setCheckpointFolder(const QString& folder);
    QString device() const;       // "auto", "cpu", "cuda", "cuda:1"
    void setDevice(const QString& device);
    // The Models page's folders (captioner, CLIP, DINO); "" = none.
    QString visionModelFolder(VisionRole role) const;
    void setVisionModelFolder(VisionRole role, const QString& folder);

    QString referenceFolder() const;
    void setReferenceFolder(const QString& folder);
    QString exportFolder() const;
    void setExportFolder(const QString& folder);
    QString planFolder() const;
    void setPlanFolder(const QString& folder);
    QString loraFolder() const;          // where Add LoRA… starts
    void setLoraFolder(const QString& folder);
    QString controlImageFolder() const;  // where a control image's Choose… starts
    void setControlImageFolder(const QString& folder);
    // The ControlNet settings a new control starts from: the last ControlNet folder, kind, Canny
    // thresholds, strength, step range and mode (images are per set).
    ControlSpec controlDefaults() const;
    void setControlDefaults(const ControlSpec& control);

    QByteArray geometry() const;
    void setGeometry(const QByteArray& geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray& state);

    QString planJson() const;  // the last layer plan (LayerPlan::toJson), "" = the preset
    void setPlanJson(const QString& json);
    QString language() const;  // "" = follow the system, "en", "ko"
    void setLanguage(const QString& language);

    int steps() const;
    void setSteps(int steps);
    double guidance() const;
    void setGuidance(double guidance);
    int offset() const;
    void setOffset(int offset);
    QStringList subjects() const;
    void setSubjects(const QStringList& subjects);
    // VAE tiling of every run (set.json's vae_tiling): "auto" (the default), "on" or "off".
    QString vaeTiling() const;
    void setVaeTiling(const QString& mode);

private:
    QJsonObject allCheckpointOptions() const;  // file → its options
    void setAllCheckpointOptions(const QJsonObject& all);
    template <typename T>
    T value(const char* key, const T& fallback) const {
        return settings_.value(key, fallback).template value<T>();
    }
    mutable QSettings settings_;
};

}  // namespace sa::ui
